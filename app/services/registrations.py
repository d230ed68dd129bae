"""Booking, holding, confirming, cancelling and moving up: the only code that changes seats.

The locking rule (after pretix): in one transaction, lock the seminar, then
count, then write. ``write_transaction`` begins with the write lock on SQLite
(``BEGIN IMMEDIATE``); on PostgreSQL the ``SELECT ... FOR UPDATE`` below locks
the seminar's row, so bookings for one seminar queue up and never overbook.

A place is held only for a proven address (docs/domain.md): a public registration
holds its place (``HELD``) until ``hold_until`` - ``HOLD_HOURS``, never past the
registration deadline - and the button on the page the mailed link opens confirms it
(opening the link alone changes nothing: mail scanners open links too).
Holds not confirmed in time are released on the next booking for the seminar and by
``flask release-holds``; the person is told and the waiting list moves up, under the
same lock. Places booked by an organiser (``vouched``) are confirmed at once.

Held places are capped (``rules.max_held``, the programme's share of the places): a
public registration that would hold a place beyond it waits on the list instead and
moves up as holds are confirmed or released, so a burst of unproven addresses (a bot)
never holds more than that share. The cap is checked under the lock from the seminar's
kept ``held_count``, on both booking paths and whenever the waiting list moves.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import make_transient_to_detached

from app import rules
from app.core.metrics import count_booking
from app.core.timeutil import berlin_wall_clock, from_berlin, today_berlin, utcnow
from app.database import locked, write_transaction
from app.extensions import db
from app.models import Programme, Registration, RegistrationState, Seminar, SeminarState
from app.models.seminar import closed_reason
from app.services import audit, mail, messages
from app.services.audit import Action
from app.services.errors import ServiceError


class BookingError(ServiceError):
    """A booking or change of places refused for a reason the person can act on."""


class SeminarNotFound(BookingError):
    message = messages.SEMINAR_NOT_FOUND


class RegistrationNotFound(BookingError):
    message = messages.REGISTRATION_NOT_FOUND


class AlreadyRegistered(BookingError):
    field = "email"

    def __init__(self, registration_id: int):
        super().__init__(messages.ALREADY_REGISTERED)
        self.registration_id = registration_id


class HoldLapsed(BookingError):
    """The address held a place here before and never proved itself: it gets no second
    hold until it does (through the link that "Link erneut senden" mails), so nobody
    keeps a seminar full by registering unproven addresses again and again."""

    field = "email"
    message = messages.HOLD_LAPSED


class RegistrationClosed(BookingError):
    def __init__(self, reason: rules.ClosedReason):
        super().__init__(messages.CLOSED[reason])
        self.reason = reason


class NoFreePlace(BookingError):
    message = messages.NO_FREE_PLACE


class NotWaitlisted(BookingError):
    message = messages.NOT_WAITLISTED


@dataclass(frozen=True)
class Applicant:
    last_name: str
    first_name: str
    town: str
    email: str


def lock_seminar(seminar_id: int) -> Seminar:
    """The seminar, read afresh and locked for this transaction (the seat lock)."""
    seminar = locked(Seminar, seminar_id)
    if seminar is None:
        raise SeminarNotFound()
    return seminar


def set_state(seminar: Seminar, registration: Registration, state: RegistrationState) -> None:
    """Move a registration to ``state`` and keep the seminar's counts: the one place a
    registration's state changes, but for one: a booking of an address new to the seminar
    writes the new row with its first state (``INSERT_REGISTRATION``) and adds it to the
    count (``COUNT_ONE_MORE``) as plain statements (``_book_new``, see ``book_seat``).
    The seminar must be locked (``lock_seminar``).

    The first change after the seminar began keeps its confirmed count as it stood then
    (``Seminar.confirmed_at_start``): the count that funds the trainers."""
    before = registration.state if registration.id is not None else None
    if before == state:
        return
    keep_count_at_start(seminar)
    if before is not None:
        setattr(seminar, f"{before.value}_count", seminar.count_of(before) - 1)
    setattr(seminar, f"{state.value}_count", seminar.count_of(state) + 1)
    registration.state = state


def keep_count_at_start(seminar: Seminar, now: datetime | None = None) -> None:
    """Keep the seminar's confirmed count (still as it stood at the start: every change
    comes through ``set_state`` under the lock) once day 1 has begun."""
    if seminar.confirmed_at_start is not None:
        return
    if rules.count_at_start_fixed(seminar.day1, seminar.day1_starts, berlin_wall_clock(now)):
        seminar.confirmed_at_start = seminar.confirmed_count


def book_seat(
    seminar_id: int,
    applicant: Applicant,
    *,
    today: date | None = None,
    actor_id: int | None = None,
    hold_hours: int | None = None,
) -> Registration:
    """Register ``applicant``: a place while one is free, else the waiting list.

    With ``hold_hours`` (the public form) the place is held until the address is
    proven (``confirm_address``), at most that long and never past the deadline;
    without it (an organiser, ``actor_id``, or an import) the booker vouches for the
    address and the place is confirmed at once. Raises ``RegistrationClosed`` when the
    seminar takes no registrations and ``AlreadyRegistered`` when the address already
    holds a registration for it (a cancelled one is taken up again instead). The
    capacity and duplicate rules hold for everyone.

    Both ways of booking lock the seminar's row first and decide the same way
    (``_decide``), in one transaction. They differ in how they write: the usual booking
    (an address new to the seminar, no hold run out) inserts the registration, its
    audit entry and its mail and adds one to the state's count with plain statements
    while it holds the lock (``_book_new``); an address seen before (taken up again, or
    refused) and a booking that first releases holds whose time is up go through the
    ORM, every state change by ``set_state`` (``_book_again``).
    """
    try:
        registration = _book(seminar_id, applicant, today, actor_id, hold_hours)
    except BookingError:
        count_booking("refused")
        raise
    count_booking(registration.state.value)
    return registration


def _book(
    seminar_id: int,
    applicant: Applicant,
    today: date | None,
    actor_id: int | None,
    hold_hours: int | None,
) -> Registration:
    today = today or today_berlin()
    normalized = rules.normalize_email(applicant.email)
    with write_transaction(keep_loaded=True) as session:
        seats = session.execute(LOCK_SEATS, {"id": seminar_id}).one_or_none()
        if seats is None:
            raise SeminarNotFound()
        now = utcnow()
        earlier = session.execute(
            EARLIER_ROWS, {"seminar": seminar_id, "email": normalized, "now": now}
        ).first()
        booking = _Booking(seminar_id, applicant, normalized, today, now, actor_id, hold_hours)
        if earlier is not None:
            return _book_again(session, booking)
        written = _book_new(session, seats, booking)
    # the session's own object, made after the lock is let go
    registration = Registration(**written)
    make_transient_to_detached(registration)  # as if loaded: nothing left to flush
    session.add(registration)
    return registration


@dataclass(frozen=True)
class _Booking:
    seminar_id: int
    applicant: Applicant
    normalized: str
    today: date
    now: datetime
    actor_id: int | None
    hold_hours: int | None

    @property
    def vouched(self) -> bool:
        return self.hold_hours is None

    def person(self) -> dict:
        """The registration's own columns, as the booking sets them."""
        return {
            "last_name": self.applicant.last_name,
            "first_name": self.applicant.first_name,
            "town": self.applicant.town,
            "email": self.applicant.email.strip(),
            "email_normalized": self.normalized,
            "vouched": self.vouched,
            "booked_at": self.now,
            "cancelled_at": None,
        }


_SEMINAR = Seminar.__table__
_REGISTRATION = Registration.__table__
_PROGRAMME = Programme.__table__
# The seminar's row with what a booking reads, locked (see ``app.database.locked``), and
# its programme's cap on held places (read, not locked: bookings never queue on it).
LOCK_SEATS = (
    sa.select(
        _SEMINAR.c.state,
        _SEMINAR.c.capacity,
        _SEMINAR.c.day1,
        _SEMINAR.c.registration_deadline,
        _SEMINAR.c.confirmed_count,
        _SEMINAR.c.held_count,
        _SEMINAR.c.waitlisted_count,
        sa.select(_PROGRAMME.c.max_held_percent)
        .where(_PROGRAMME.c.id == _SEMINAR.c.programme_id)
        .scalar_subquery()
        .label("max_held_percent"),
    )
    .where(_SEMINAR.c.id == sa.bindparam("id"))
    .with_for_update(of=_SEMINAR)
)
# Whatever makes a booking more than an insert: the address's own registration (a
# duplicate or one to take up again) or a hold whose time is up (released first). Two
# parts, so that each reads its own index, not all of the seminar's registrations.
EARLIER_ROWS = sa.union_all(
    sa.select(_REGISTRATION.c.id).where(
        _REGISTRATION.c.seminar_id == sa.bindparam("seminar"),
        _REGISTRATION.c.email_normalized == sa.bindparam("email"),
    ),
    sa.select(_REGISTRATION.c.id).where(
        _REGISTRATION.c.seminar_id == sa.bindparam("seminar"),
        _REGISTRATION.c.state == RegistrationState.HELD,
        _REGISTRATION.c.hold_until <= sa.bindparam("now"),
    ),
)


# One more in a state's count (its changed_at, the public pages' version, moves too).
COUNT_ONE_MORE = {
    state: _SEMINAR.update()
    .where(_SEMINAR.c.id == sa.bindparam("seminar"))
    .values({f"{state.value}_count": _SEMINAR.c[f"{state.value}_count"] + 1})
    for state in RegistrationState
}
INSERT_REGISTRATION = _REGISTRATION.insert().returning(
    _REGISTRATION.c.id, _REGISTRATION.c.email, _REGISTRATION.c.state
)


def _book_new(session, seats, booking: _Booking) -> dict:
    """An address new to the seminar: the registration, its audit entry and its mail
    written as plain rows under the lock; returns the registration's columns."""
    _refuse_when_closed(seats, booking)
    limit = None
    if booking.hold_hours:  # a public booking of an address new here: its place is held
        limit = rules.max_held(seats.capacity, seats.max_held_percent)
    state, hold_until = _decide(seats, booking, proven=False, limit=limit)
    session.execute(COUNT_ONE_MORE[state], {"seminar": booking.seminar_id})
    values = {
        **booking.person(),
        "seminar_id": booking.seminar_id,
        "state": state,
        "hold_until": hold_until,
        "created_at": booking.now,
        "email_verified_at": None,
        "evaluation_given": False,
        "erased_at": None,
    }
    written = session.execute(INSERT_REGISTRATION, values).one()  # its id, email and state
    audit.record(**_registered(booking, written), at_once=True)
    # the newest on the waiting list: its place is the list's length
    waiting = seats.waitlisted_count + 1 if state == RegistrationState.WAITLISTED else None
    mail.queue_confirmation(written, waiting, at_once=True, holds_full=_holds_full(seats, state))
    return {**values, "id": written.id}


def _book_again(session, booking: _Booking) -> Registration:
    """The booking through the ORM: holds to release first, or the address's earlier
    registration to refuse (a duplicate, a lapsed hold) or to take up again."""
    seminar = lock_seminar(booking.seminar_id)
    release_expired_holds(seminar, booking.now)
    _refuse_when_closed(seminar, booking)
    existing = session.scalars(
        sa.select(Registration).where(
            Registration.seminar_id == booking.seminar_id,
            Registration.email_normalized == booking.normalized,
        )
    ).first()
    if existing is not None and existing.state != RegistrationState.CANCELLED:
        raise AlreadyRegistered(existing.id)
    if (
        booking.hold_hours
        and existing is not None
        and existing.hold_until is not None
        and existing.email_verified_at is None
    ):
        raise HoldLapsed()
    proven = existing is not None and existing.email_verified_at is not None
    limit = hold_limit(seminar) if booking.hold_hours and not proven else None
    state, hold_until = _decide(seminar, booking, proven=proven, limit=limit)
    registration = existing or Registration(seminar_id=booking.seminar_id)
    if existing is not None:
        # The person was sent a calendar cancellation one SEQUENCE past the seminar's;
        # the new entry under the same UIDs must outrank it.
        seminar.calendar_sequence = (seminar.calendar_sequence or 0) + 2
    for name, value in booking.person().items():
        setattr(registration, name, value)
    if state != RegistrationState.WAITLISTED:
        registration.hold_until = hold_until  # a waiting one keeps a lapsed hold's mark
    set_state(seminar, registration, state)
    session.add(registration)
    session.flush()
    audit.record(**_registered(booking, registration))
    waiting = seminar.waitlisted_count if registration.state == "waitlisted" else None
    mail.queue_confirmation(
        registration, waiting, holds_full=_holds_full(seminar, registration.state)
    )
    return registration


def _refuse_when_closed(seats, booking: _Booking) -> None:
    """``seats``: a Seminar or its locked row."""
    reason = closed_reason(seats, booking.today)
    if reason is not None:
        raise RegistrationClosed(reason)


def _decide(
    seats, booking: _Booking, *, proven: bool, limit: int | None
) -> tuple[RegistrationState, datetime | None]:
    """What a booking gets, the same on both ways of booking: the waiting list when no
    place is free or a hold would pass ``limit`` (the cap on held places, None when the
    place would not be held), else a place - confirmed for a vouched or proven address,
    held for another - and when its hold ends. ``seats``: a Seminar or its locked row,
    with the counts before the booking."""
    outcome = rules.booking_outcome(
        seats.capacity, occupied(seats), held=seats.held_count, hold_limit=limit
    )
    if outcome == rules.Outcome.WAITLISTED:
        return RegistrationState.WAITLISTED, None
    return _place(seats, proven=booking.vouched or proven, hold_hours=booking.hold_hours)


def hold_limit(seminar: Seminar) -> int:
    """How many of the seminar's places may be held at once (``rules.max_held``)."""
    return rules.max_held(seminar.capacity, seminar.programme.max_held_percent)


def _holds_full(seminar, state) -> bool:
    """Waitlisted while places are free: the held places are at their cap.
    ``seminar``: a Seminar or its locked row, with the counts before the booking."""
    return state == RegistrationState.WAITLISTED and occupied(seminar) < seminar.capacity


def _registered(booking: _Booking, registration) -> dict:
    """The audit entry of a booking (``registration``: a Registration or its new row)."""
    return {
        "action": Action.ADDED_BY_ORGANISER if booking.actor_id else Action.REGISTERED,
        "seminar_id": booking.seminar_id,
        "registration_id": registration.id,
        "actor_id": booking.actor_id,
        "detail": RegistrationState(registration.state).value,
    }


def occupied(seminar) -> int:
    """Places taken: confirmed and held (a held place is nobody else's until released).
    ``seminar``: a Seminar or its locked row."""
    return seminar.confirmed_count + seminar.held_count


def hold_end(seminar, now: datetime, hours: int) -> datetime:
    """When a place held ``now`` for this seminar is released (``rules.hold_end``), with
    the deadline day's end and the first day's start as Berlin has them."""
    return rules.hold_end(
        now,
        hours,
        deadline_ends=from_berlin(
            datetime.combine(seminar.registration_deadline + timedelta(days=1), time(0))
        ),
        first_day_begins=from_berlin(datetime.combine(seminar.day1, time(0))),
    )


def _give_place(seminar: Seminar, registration: Registration, hold_hours: int | None) -> None:
    """A free place: confirmed for a vouched or proven address, else held."""
    proven = registration.vouched or registration.email_verified_at is not None
    state, registration.hold_until = _place(seminar, proven=proven, hold_hours=hold_hours)
    set_state(seminar, registration, state)


def _place(
    seminar, *, proven: bool, hold_hours: int | None
) -> tuple[RegistrationState, datetime | None]:
    """The state of a free place given now, and when its hold ends (None: not held)."""
    if proven or not hold_hours:
        return RegistrationState.CONFIRMED, None
    return RegistrationState.HELD, hold_end(seminar, utcnow(), hold_hours)


def confirm_address(registration_id: int) -> Registration:
    """The person opened the link from their mail: the address is proven. A held place
    becomes confirmed (with the confirmation and its calendar file by mail); a hold that
    has run out is released instead, as it would have been anyway."""
    with write_transaction():
        seminar, registration = _locked_registration(registration_id)
        if registration.email_verified_at is None:
            registration.email_verified_at = utcnow()
        if registration.state == RegistrationState.HELD:
            if registration.hold_until is not None and registration.hold_until <= utcnow():
                release_expired_holds(seminar)
            else:
                set_state(seminar, registration, RegistrationState.CONFIRMED)
                registration.hold_until = None
                audit.record(
                    Action.ADDRESS_CONFIRMED,
                    seminar_id=seminar.id,
                    registration_id=registration.id,
                )
                mail.queue_confirmation(registration)
                if seminar.waitlisted_count:
                    # one hold fewer: the first waiting may hold a place in turn
                    db.session.flush()
                    fill_free_places(seminar, None)
    return registration


def release_expired_holds(seminar: Seminar, now: datetime | None = None) -> list[Registration]:
    """Under the seminar's lock: release every hold whose time is up (each person is
    told), then give the places to the waiting list. Returns the released ones."""
    if not seminar.held_count:
        return []
    now = now or utcnow()
    expired = list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.seminar_id == seminar.id,
                Registration.state == RegistrationState.HELD,
                Registration.hold_until <= now,
            )
            .order_by(Registration.booked_at, Registration.id)
        )
    )
    for registration in expired:
        set_state(seminar, registration, RegistrationState.CANCELLED)
        registration.cancelled_at = now  # hold_until stays: this address let a hold lapse
        audit.record(Action.HOLD_RELEASED, seminar_id=seminar.id, registration_id=registration.id)
        mail.queue_hold_released(registration)
    if expired:
        db.session.flush()
        fill_free_places(seminar, None)
    return expired


def release_holds(now: datetime | None = None) -> int:
    """Release the expired holds of every seminar, one seminar per transaction (the
    scheduled command); returns how many were released."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Registration.seminar_id)
        .where(Registration.state == RegistrationState.HELD, Registration.hold_until <= now)
        .distinct()
    ).all()
    released = 0
    for seminar_id in due:
        with write_transaction():
            released += len(release_expired_holds(lock_seminar(seminar_id), now))
    return released


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; None when not waitlisted."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.seminar_id == registration.seminar_id,
            Registration.state == RegistrationState.WAITLISTED,
            sa.or_(
                Registration.booked_at < registration.booked_at,
                sa.and_(
                    Registration.booked_at == registration.booked_at,
                    Registration.id <= registration.id,
                ),
            ),
        )
    )


def _confirm_from_waiting_list(
    seminar: Seminar, registration: Registration, action: str, actor_id: int | None
) -> None:
    """Give a waitlisted person their place (held until proven, unless the address is
    vouched for or proven already): log it and tell them by mail."""
    _give_place(seminar, registration, current_hold_hours())
    audit.record(
        action,
        seminar_id=registration.seminar_id,
        registration_id=registration.id,
        actor_id=actor_id,
    )
    mail.queue_moved_up(registration)


def fill_free_places(seminar: Seminar, actor_id: int | None) -> list[Registration]:
    """Move waitlisted people up, first come first served, while places are free
    and, for an unproven address, while a place may be held (``hold_limit``): the
    queue stops at the first person who would need a hold beyond the cap.

    Runs inside a write transaction that holds the seminar's lock.
    """
    if not rules.waiting_list_moves(
        published=seminar.state == SeminarState.PUBLISHED,
        first_day=seminar.day1,
        today=today_berlin(),
    ):
        return []
    free = rules.free_places(seminar.capacity, occupied(seminar))
    if free == 0:
        return []
    moved = list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.seminar_id == seminar.id,
                Registration.state == RegistrationState.WAITLISTED,
            )
            .order_by(Registration.booked_at, Registration.id)
            .limit(free)
        )
    )
    hold_hours = current_hold_hours()
    limit = hold_limit(seminar) if hold_hours else None
    for index, registration in enumerate(moved):
        proven = registration.vouched or registration.email_verified_at is not None
        if limit is not None and not proven and not rules.may_hold(seminar.held_count, limit):
            del moved[index:]
            break
        _confirm_from_waiting_list(seminar, registration, Action.MOVED_UP, actor_id)
    return moved


def _locked_registration(registration_id: int) -> tuple[Seminar, Registration]:
    """Lock the registration's seminar, then read the registration afresh."""
    seminar_id = db.session.scalar(
        sa.select(Registration.seminar_id).where(Registration.id == registration_id)
    )
    if seminar_id is None:
        raise RegistrationNotFound()
    seminar = lock_seminar(seminar_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    return seminar, registration


def cancel_registration(
    registration_id: int, *, actor_id: int | None = None
) -> tuple[Registration, list[Registration]]:
    """Cancel one registration and move the first waitlisted people up.

    Returns the cancelled registration and those moved up (once: a second
    cancel of the same registration moves nobody).
    """
    with write_transaction() as session:
        seminar, registration = _locked_registration(registration_id)
        if registration.state == RegistrationState.CANCELLED:
            return registration, []
        in_calendar = registration.state == RegistrationState.CONFIRMED
        set_state(seminar, registration, RegistrationState.CANCELLED)
        registration.cancelled_at = utcnow()
        audit.record(
            Action.CANCELLED,
            seminar_id=seminar.id,
            registration_id=registration.id,
            actor_id=actor_id,
        )
        mail.queue_cancelled(
            registration, by_organiser=actor_id is not None, in_calendar=in_calendar
        )
        session.flush()
        moved = fill_free_places(seminar, actor_id)
        session.flush()
    return registration, moved


def move_up(registration_id: int, *, actor_id: int | None = None) -> Registration:
    """Confirm one waitlisted person out of turn, when a place is free."""
    with write_transaction() as session:
        seminar, registration = _locked_registration(registration_id)
        if registration.state != RegistrationState.WAITLISTED:
            raise NotWaitlisted()
        if rules.free_places(seminar.capacity, occupied(seminar)) == 0:
            raise NoFreePlace()
        _confirm_from_waiting_list(seminar, registration, Action.MOVED_UP_BY_HAND, actor_id)
        session.flush()
    return registration


def cancel_all_for_cancelled_seminar(seminar: Seminar, actor_id: int | None) -> list[Registration]:
    """Cancel every confirmed and waitlisted registration of a seminar that is being
    cancelled, each with its audit entry and mail; runs under the seminar's lock."""
    active = list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.seminar_id == seminar.id,
                Registration.state.in_(
                    [
                        RegistrationState.HELD,
                        RegistrationState.CONFIRMED,
                        RegistrationState.WAITLISTED,
                    ]
                ),
            )
            .order_by(Registration.booked_at, Registration.id)
        )
    )
    now = utcnow()
    for registration in active:
        in_calendar = registration.state == RegistrationState.CONFIRMED
        set_state(seminar, registration, RegistrationState.CANCELLED)
        registration.cancelled_at = now
        audit.record(
            Action.CANCELLED_WITH_SEMINAR,
            seminar_id=seminar.id,
            registration_id=registration.id,
            actor_id=actor_id,
        )
        mail.queue_seminar_cancelled(registration, in_calendar=in_calendar)
    return active


def active_count(seminar: Seminar) -> int:
    """Held, confirmed and waitlisted registrations (the kept counts)."""
    return occupied(seminar) + seminar.waitlisted_count


def counts_from_rows(seminar_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """The counts as the registrations themselves say: seminar id -> state -> number."""
    query = sa.select(Registration.seminar_id, Registration.state, sa.func.count()).group_by(
        Registration.seminar_id, Registration.state
    )
    if seminar_ids is not None:
        query = query.where(Registration.seminar_id.in_(seminar_ids))
    found: dict[int, dict[str, int]] = {}
    for seminar_id, state, number in db.session.execute(query):
        found.setdefault(seminar_id, {})[state.value] = number
    return found


def check_counts(repair: bool = True) -> list[tuple[int, str, int, int]]:
    """Compare every seminar's kept counts with its registrations; returns the drift as
    (seminar id, state, kept, counted) and, with ``repair``, sets the counted numbers.
    Each seminar is locked while it is compared, so no booking runs in between."""
    drift = []
    with write_transaction() as session:
        for seminar_id in session.scalars(sa.select(Seminar.id).order_by(Seminar.id)).all():
            seminar = lock_seminar(seminar_id)
            counted = counts_from_rows([seminar_id]).get(seminar_id, {})
            for state in RegistrationState:
                kept, actual = seminar.count_of(state), counted.get(state.value, 0)
                if kept != actual:
                    drift.append((seminar_id, state.value, kept, actual))
                    if repair:
                        setattr(seminar, f"{state.value}_count", actual)
        if not repair:
            session.rollback()
    return drift


def current_hold_hours() -> int:
    """How long a held place waits for its address to be proven (``HOLD_HOURS``)."""
    return current_app.config["HOLD_HOURS"]
