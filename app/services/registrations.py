"""Booking, cancelling and moving up: the only code that changes seats.

The locking rule (after pretix): in one transaction, lock the seminar, then
count, then write. ``write_transaction`` begins with the write lock on SQLite
(``BEGIN IMMEDIATE``); on PostgreSQL the ``SELECT ... FOR UPDATE`` below locks
the seminar's row, so bookings for one seminar queue up and never overbook.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import rules
from app.database import write_transaction
from app.extensions import db
from app.models import Registration, RegistrationState, Seminar, SeminarState
from app.services import audit, mail
from app.services.audit import Action
from app.timeutil import today_berlin, utcnow


class BookingError(Exception):
    """A booking or change refused for a reason the person can act on."""


class AlreadyRegistered(BookingError):
    def __init__(self, registration_id: int):
        super().__init__("already registered")
        self.registration_id = registration_id


class RegistrationClosed(BookingError):
    def __init__(self, reason: rules.ClosedReason):
        super().__init__(f"registration closed: {reason}")
        self.reason = reason


class SeminarNotFound(BookingError):
    pass


@dataclass(frozen=True)
class Applicant:
    last_name: str
    first_name: str
    town: str
    email: str


def _lock_seminar(seminar_id: int) -> Seminar:
    seminar = db.session.execute(
        sa.select(Seminar)
        .where(Seminar.id == seminar_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if seminar is None:
        raise SeminarNotFound(seminar_id)
    return seminar


def _count(seminar_id: int, state: RegistrationState) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.seminar_id == seminar_id, Registration.state == state)
    )


def book_seat(
    seminar_id: int,
    applicant: Applicant,
    *,
    today: date | None = None,
    actor_id: int | None = None,
) -> Registration:
    """Register ``applicant``: confirmed while a place is free, else waitlisted.

    Raises ``RegistrationClosed`` when the seminar takes no registrations and
    ``AlreadyRegistered`` when the address already holds a registration for it
    (a cancelled one is taken up again instead). ``actor_id`` is the organiser
    who adds a person registered by phone or on paper; the capacity and
    duplicate rules hold for them just the same.
    """
    today = today or today_berlin()
    normalized = rules.normalize_email(applicant.email)
    with write_transaction() as session:
        seminar = _lock_seminar(seminar_id)
        reason = seminar.closed_reason(today)
        if reason is not None:
            raise RegistrationClosed(reason)
        existing = session.scalars(
            sa.select(Registration).where(
                Registration.seminar_id == seminar_id,
                Registration.email_normalized == normalized,
            )
        ).first()
        if existing is not None and existing.state != RegistrationState.CANCELLED:
            raise AlreadyRegistered(existing.id)
        confirmed = _count(seminar_id, RegistrationState.CONFIRMED)
        outcome = rules.booking_outcome(seminar.capacity, confirmed)
        registration = existing or Registration(seminar_id=seminar_id)
        registration.last_name = applicant.last_name
        registration.first_name = applicant.first_name
        registration.town = applicant.town
        registration.email = applicant.email.strip()
        registration.email_normalized = normalized
        registration.state = RegistrationState(outcome.value)
        registration.booked_at = utcnow()
        registration.cancelled_at = None
        session.add(registration)
        session.flush()
        audit.record(
            Action.ADDED_BY_ORGANISER if actor_id else Action.REGISTERED,
            seminar_id=seminar_id,
            registration_id=registration.id,
            actor_id=actor_id,
            detail=registration.state.value,
        )
        mail.queue_confirmation(registration, waitlist_position(registration))
    return registration


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
    registration: Registration, action: str, actor_id: int | None
) -> None:
    """Give a waitlisted person their place: log it and tell them by mail."""
    registration.state = RegistrationState.CONFIRMED
    audit.record(
        action,
        seminar_id=registration.seminar_id,
        registration_id=registration.id,
        actor_id=actor_id,
    )
    mail.queue_moved_up(registration)


def _fill_free_places(seminar: Seminar, actor_id: int | None) -> list[Registration]:
    """Move waitlisted people up, first come first served, while places are free.

    Runs inside a write transaction that holds the seminar's lock.
    """
    if not rules.waiting_list_moves(
        published=seminar.state == SeminarState.PUBLISHED,
        first_day=seminar.day1,
        today=today_berlin(),
    ):
        return []
    confirmed = _count(seminar.id, RegistrationState.CONFIRMED)
    free = rules.free_places(seminar.capacity, confirmed)
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
    for registration in moved:
        _confirm_from_waiting_list(registration, Action.MOVED_UP, actor_id)
    return moved


def _locked_registration(registration_id: int) -> tuple[Seminar, Registration]:
    """Lock the registration's seminar, then read the registration afresh."""
    seminar_id = db.session.scalar(
        sa.select(Registration.seminar_id).where(Registration.id == registration_id)
    )
    if seminar_id is None:
        raise BookingError("registration not found")
    seminar = _lock_seminar(seminar_id)
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
        registration.state = RegistrationState.CANCELLED
        registration.cancelled_at = utcnow()
        audit.record(
            Action.CANCELLED,
            seminar_id=seminar.id,
            registration_id=registration.id,
            actor_id=actor_id,
        )
        mail.queue_cancelled(registration, by_organiser=actor_id is not None)
        session.flush()
        moved = _fill_free_places(seminar, actor_id)
        session.flush()
    return registration, moved


class NoFreePlace(BookingError):
    pass


class NotWaitlisted(BookingError):
    pass


def move_up(registration_id: int, *, actor_id: int | None = None) -> Registration:
    """Confirm one waitlisted person out of turn, when a place is free."""
    with write_transaction() as session:
        seminar, registration = _locked_registration(registration_id)
        if registration.state != RegistrationState.WAITLISTED:
            raise NotWaitlisted(registration_id)
        confirmed = _count(seminar.id, RegistrationState.CONFIRMED)
        if rules.free_places(seminar.capacity, confirmed) == 0:
            raise NoFreePlace(registration_id)
        _confirm_from_waiting_list(registration, Action.MOVED_UP_BY_HAND, actor_id)
        session.flush()
    return registration


# -- the seminar itself: places, publishing, cancelling ------------------------------


class SeminarIsCancelled(BookingError):
    """A cancelled seminar is final: its places and state no longer change."""


class SeminarIsDraft(BookingError):
    """A draft was never announced (or holds no active registration any more): it is
    deleted or published, never cancelled, so that it never shows as cancelled."""


class CapacityNotAllowed(BookingError):
    def __init__(self, maximum: int):
        super().__init__(f"capacity must lie between 1 and {maximum}")
        self.maximum = maximum


class CapacityBelowConfirmed(BookingError):
    """Lowering the places would drop confirmed people: refused, never done silently."""

    def __init__(self, confirmed: int):
        super().__init__(f"{confirmed} places are confirmed")
        self.confirmed = confirmed


class HasRegistrations(BookingError):
    """A seminar with active registrations is cancelled, not withdrawn quietly."""

    def __init__(self, active: int):
        super().__init__(f"{active} active registrations")
        self.active = active


def change_capacity(
    seminar_id: int, new_capacity: int, *, actor_id: int | None = None
) -> list[Registration]:
    """Set the seminar's number of places; returns the people moved up.

    Refuses a capacity outside the programme's range (``CapacityNotAllowed``)
    and one below the confirmed count (``CapacityBelowConfirmed``, carrying the
    count). Raising it moves waitlisted people up, first come first served.
    """
    with write_transaction() as session:
        seminar = _lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled(seminar_id)
        programme_rules = seminar.programme.rules
        if not rules.capacity_allowed(programme_rules, new_capacity):
            raise CapacityNotAllowed(programme_rules.max_participants)
        confirmed = _count(seminar_id, RegistrationState.CONFIRMED)
        if not rules.capacity_keeps_confirmed(new_capacity, confirmed):
            raise CapacityBelowConfirmed(confirmed)
        if new_capacity == seminar.capacity:
            return []
        audit.record(
            Action.CAPACITY_CHANGED,
            seminar_id=seminar_id,
            actor_id=actor_id,
            detail=f"{seminar.capacity} → {new_capacity}",
        )
        seminar.capacity = new_capacity
        session.flush()
        moved = _fill_free_places(seminar, actor_id)
        session.flush()
    return moved


def _active_count(seminar_id: int) -> int:
    return _count(seminar_id, RegistrationState.CONFIRMED) + _count(
        seminar_id, RegistrationState.WAITLISTED
    )


def publish_seminar(seminar_id: int, *, actor_id: int | None = None) -> bool:
    """Open a draft for registration; False when it was published already."""
    with write_transaction():
        seminar = _lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled(seminar_id)
        if seminar.state == SeminarState.PUBLISHED:
            return False
        seminar.state = SeminarState.PUBLISHED
        audit.record(Action.SEMINAR_PUBLISHED, seminar_id=seminar_id, actor_id=actor_id)
    return True


def unpublish_seminar(seminar_id: int, *, actor_id: int | None = None) -> bool:
    """Take a published seminar back to draft; False when it was a draft already.

    Only while nobody holds a registration (``HasRegistrations``): people who
    registered are told through a cancellation, never left with a hidden seminar.
    """
    with write_transaction():
        seminar = _lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled(seminar_id)
        if seminar.state == SeminarState.DRAFT:
            return False
        active = _active_count(seminar_id)
        if active:
            raise HasRegistrations(active)
        seminar.state = SeminarState.DRAFT
        audit.record(Action.SEMINAR_UNPUBLISHED, seminar_id=seminar_id, actor_id=actor_id)
    return True


def cancel_seminar(seminar_id: int, *, actor_id: int | None = None) -> list[Registration]:
    """Cancel a published seminar: registration closes, every confirmed and waitlisted
    registration is cancelled and its "seminar cancelled" mail queued, all in one
    transaction. Returns the registrations cancelled (none on a second call).
    A draft is refused (``SeminarIsDraft``): cancelled seminars are shown publicly."""
    with write_transaction() as session:
        seminar = _lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            return []
        if seminar.state == SeminarState.DRAFT:
            raise SeminarIsDraft(seminar_id)
        seminar.state = SeminarState.CANCELLED
        audit.record(Action.SEMINAR_CANCELLED, seminar_id=seminar_id, actor_id=actor_id)
        active = list(
            session.scalars(
                sa.select(Registration)
                .where(
                    Registration.seminar_id == seminar_id,
                    Registration.state.in_(
                        [RegistrationState.CONFIRMED, RegistrationState.WAITLISTED]
                    ),
                )
                .order_by(Registration.booked_at, Registration.id)
            )
        )
        now = utcnow()
        for registration in active:
            registration.state = RegistrationState.CANCELLED
            registration.cancelled_at = now
            audit.record(
                Action.CANCELLED_WITH_SEMINAR,
                seminar_id=seminar_id,
                registration_id=registration.id,
                actor_id=actor_id,
            )
            mail.queue_seminar_cancelled(registration)
        session.flush()
    return active
