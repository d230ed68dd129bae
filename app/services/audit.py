"""The audit log: every change to a registration, a seminar, a programme and its rules,
a VHS, a council, a trainer or an account, written in the change's own transaction.

An edit stores, per field changed, its old and new value as shown to people (dates
as 14.03.2026, amounts in euro), so that the log reads the same years later.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import date, time
from enum import Enum

from app.core.formatting import clock, date_short
from app.extensions import db
from app.models.audit import Action, AuditEntry, Subject

__all__ = ["Action", "Subject", "changed", "record", "record_edit", "shown"]

EMPTY = "–"


def shown(value) -> str:
    """A value as the log shows it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date):
        return date_short(value)
    if isinstance(value, time):
        return clock(value)
    if isinstance(value, Enum):
        return getattr(value, "label", None) or str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(shown(item) for item in value) or EMPTY
    return str(value)


def changed(
    before: Mapping[str, object], after: Mapping[str, object], fields: Iterable[str] | None = None
) -> list[list[str]]:
    """``[field, old, new]`` for each field whose shown value differs (in ``fields``'
    order, or ``after``'s). A creation passes an empty ``before``."""
    result = []
    for name in fields if fields is not None else after:
        old, new = shown(before.get(name)), shown(after.get(name))
        if old != new:
            result.append([name, old, new])
    return result


INSERT_ENTRY = AuditEntry.__table__.insert()


def record(
    action: str,
    *,
    seminar_id: int | None = None,
    registration_id: int | None = None,
    actor_id: int | None = None,
    detail: str = "",
    subject: Subject | str = "",
    subject_id: int | None = None,
    changes: list[list[str]] | None = None,
    at_once: bool = False,
) -> None:
    """Add an entry to the current transaction (no commit: the caller's change commits it).

    ``seminar_id``/``registration_id`` for what happens to a seminar and its people;
    ``subject``/``subject_id`` for a seminar, programme, VHS, council, trainer or account
    itself (a seminar's entries carry both, so that they outlive a deleted draft).
    ``at_once``: written now by a plain INSERT instead of at the session's next flush
    (a booking's hot path, which writes no ORM objects).
    """
    values = {
        "action": action,
        "seminar_id": seminar_id,
        "registration_id": registration_id,
        "actor_id": actor_id,
        "detail": detail[:500],
        "subject": str(subject),
        "subject_id": subject_id,
        "changes": json.dumps(changes, ensure_ascii=False) if changes else "",
    }
    if at_once:
        db.session.execute(INSERT_ENTRY, values)
    else:
        db.session.add(AuditEntry(**values))


# What the creation and the change of each kind of programme data is logged as.
EDITS = {
    Subject.PROGRAMME: (Action.PROGRAMME_CREATED, Action.PROGRAMME_CHANGED),
    Subject.VHS: (Action.VHS_CREATED, Action.VHS_CHANGED),
    Subject.COUNCIL: (Action.COUNCIL_CREATED, Action.COUNCIL_CHANGED),
    Subject.TRAINER: (Action.TRAINER_CREATED, Action.TRAINER_CHANGED),
}


def record_edit(
    subject: Subject,
    subject_id: int,
    *,
    created: bool,
    before: Mapping[str, object],
    after: Mapping[str, object],
    fields: Iterable[str] | None = None,
    actor_id: int | None = None,
    detail: str = "",
) -> None:
    """Log a creation or an edit of programme data with its old and new values;
    nothing when an edit changed nothing."""
    changes = changed(before, after, fields)
    if changes:
        created_action, changed_action = EDITS[subject]
        record(
            created_action if created else changed_action,
            subject=subject,
            subject_id=subject_id,
            actor_id=actor_id,
            detail=detail,
            changes=changes,
        )
