"""The audit log: every change to a registration, written in the change's own transaction."""

from app.extensions import db
from app.models.audit import Action, AuditEntry

__all__ = ["Action", "record"]


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
