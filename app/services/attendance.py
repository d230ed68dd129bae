"""Attendance on the seminar days, recorded by the VHS or the council's contact person."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Attendance, Registration, RegistrationState
from app.services import audit
from app.services.audit import Action
from app.timeutil import utcnow


class NotConfirmed(Exception):
    """Only confirmed participants can be marked present."""


def presence(seminar_id: int, day: int) -> dict[int, bool]:
    """registration id -> present, for one seminar day (one query)."""
    rows = db.session.execute(
        sa.select(Attendance.registration_id, Attendance.present)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.seminar_id == seminar_id, Attendance.day == day)
    )
    return dict(rows.tuples().all())


def set_presence(registration: Registration, day: int, present: bool, actor_id: int) -> None:
    if registration.state != RegistrationState.CONFIRMED:
        raise NotConfirmed(registration.id)
    entry = db.session.get(Attendance, (registration.id, day))
    if entry is None:
        entry = Attendance(registration_id=registration.id, day=day)
        db.session.add(entry)
    if entry.present == present and entry.recorded_at is not None:
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
    db.session.commit()
