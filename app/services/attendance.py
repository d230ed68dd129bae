"""Attendance on the seminar days, recorded by the VHS or the council's contact person.

Each confirmed person has, per day, one of three states: present, absent (both recorded
explicitly) or not yet recorded (no row). Attendance for a day is recorded from that day
on (Berlin time), never before.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import rules
from app.core.timeutil import today_berlin, utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import (
    Attendance,
    Registration,
    RegistrationState,
    Seminar,
    Settlement,
    SettlementState,
)
from app.services import audit, messages
from app.services.audit import Action
from app.services.errors import ServiceError


class NotConfirmed(ServiceError):
    """Only confirmed participants can be marked present."""

    message = messages.NOT_CONFIRMED


class Settled(ServiceError):
    """The seminar's settlement is submitted: the attendance it rests on is fixed until
    the Landesverband gives it back."""

    message = messages.ATTENDANCE_LOCKED


def settled(seminar_id: int) -> bool:
    """Whether the seminar's settlement is submitted, checked or paid."""
    state = db.session.scalar(
        sa.select(Settlement.state).where(Settlement.seminar_id == seminar_id)
    )
    return state is not None and state != SettlementState.DRAFT


class NotYet(ServiceError):
    """The seminar day has not come yet."""

    def __init__(self, day: int, day_date: date):
        super().__init__(messages.attendance_not_yet(day, day_date))
        self.day_date = day_date


def day_date(seminar: Seminar, day: int) -> date:
    return seminar.day1 if day == 1 else seminar.day2


def recordable(seminar: Seminar, day: int, today: date | None = None) -> bool:
    """Whether attendance for ``day`` (1 or 2) can be recorded today."""
    return rules.attendance_open(day_date(seminar, day), today or today_berlin())


def presence(seminar_id: int, day: int) -> dict[int, bool]:
    """registration id -> present, for one seminar day (one query); a person without
    an entry is not yet recorded."""
    rows = db.session.execute(
        sa.select(Attendance.registration_id, Attendance.present)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.seminar_id == seminar_id, Attendance.day == day)
    )
    return dict(rows.tuples().all())


@dataclass(frozen=True)
class DayCount:
    """How many of the confirmed people are present, absent and not yet recorded."""

    present: int
    absent: int
    not_recorded: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.not_recorded


def day_count(confirmed: list[Registration], states: dict[int, bool]) -> DayCount:
    present = sum(1 for r in confirmed if states.get(r.id) is True)
    absent = sum(1 for r in confirmed if states.get(r.id) is False)
    return DayCount(present, absent, len(confirmed) - present - absent)


def set_presence(
    registration_id: int,
    day: int,
    present: bool,
    actor_id: int | None,
    today: date | None = None,
) -> None:
    """Record one person as present or absent on one day (once per change, with its
    audit entry). Refused before that day (``NotYet``) and for anyone not confirmed.
    ``actor_id`` None is the system itself (the demo data)."""
    today = today or today_berlin()
    with write_transaction() as session:
        registration = session.get(Registration, registration_id, populate_existing=True)
        if registration is None or registration.state != RegistrationState.CONFIRMED:
            raise NotConfirmed()
        seminar = registration.seminar
        if not recordable(seminar, day, today):
            raise NotYet(day, day_date(seminar, day))
        if settled(seminar.id):
            raise Settled()
        _record(session, registration, day, present, actor_id)


def _record(
    session, registration: Registration, day: int, present: bool, actor_id: int | None
) -> None:
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
