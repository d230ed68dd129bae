"""Attendance on the seminar days, recorded by the VHS or the council's contact person."""

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import Attendance, Registration, RegistrationState
from app.services import audit, messages
from app.services.audit import Action
from app.services.errors import ServiceError


class NotConfirmed(ServiceError):
    """Only confirmed participants can be marked present."""

    message = messages.NOT_CONFIRMED


def presence(seminar_id: int, day: int) -> dict[int, bool]:
    """registration id -> present, for one seminar day (one query)."""
    rows = db.session.execute(
        sa.select(Attendance.registration_id, Attendance.present)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.seminar_id == seminar_id, Attendance.day == day)
    )
    return dict(rows.tuples().all())


def set_presence(registration_id: int, day: int, present: bool, actor_id: int) -> None:
    """Record one person's presence on one day (once per change, with its audit entry)."""
    with write_transaction() as session:
        registration = session.get(Registration, registration_id, populate_existing=True)
        if registration is None or registration.state != RegistrationState.CONFIRMED:
            raise NotConfirmed()
        _record(session, registration, day, present, actor_id)


def _record(session, registration: Registration, day: int, present: bool, actor_id: int) -> None:
    entry = session.get(Attendance, (registration.id, day), populate_existing=True)
    if entry is None:
        entry = Attendance(registration_id=registration.id, day=day)
        session.add(entry)
    elif entry.present == present:
        return
    entry.present = present
    entry.recorded_by_id = actor_id
    entry.recorded_at = utcnow()
    audit.record(
        Action.ATTENDANCE,
        seminar_id=registration.seminar_id,
        registration_id=registration.id,
        actor_id=actor_id,
        detail=f"{day}:{'present' if present else 'absent'}",
    )
