"""The audit log: every change to a registration, written in the change's own transaction."""

from app.extensions import db
from app.models import AuditEntry


class Action:
    REGISTERED = "registered"
    ADDED_BY_ORGANISER = "added_by_organiser"
    CANCELLED = "cancelled"
    MOVED_UP = "moved_up"
    MOVED_UP_BY_HAND = "moved_up_by_hand"
    ATTENDANCE = "attendance"
    # changes to a seminar made by the state organisers
    CAPACITY_CHANGED = "capacity_changed"
    SEMINAR_PUBLISHED = "seminar_published"
    SEMINAR_UNPUBLISHED = "seminar_unpublished"
    SEMINAR_CANCELLED = "seminar_cancelled"
    CANCELLED_WITH_SEMINAR = "cancelled_with_seminar"


def record(
    action: str,
    *,
    seminar_id: int,
    registration_id: int | None = None,
    actor_id: int | None = None,
    detail: str = "",
) -> None:
    """Add an entry to the current transaction (no commit: the caller's change commits it)."""
    db.session.add(
        AuditEntry(
            action=action,
            seminar_id=seminar_id,
            registration_id=registration_id,
            actor_id=actor_id,
            detail=detail[:500],
        )
    )
