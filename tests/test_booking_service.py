"""The booking service on a real database: seats, waiting list, cancelling, moving up."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Registration, RegistrationState, Seminar, SeminarState
from app.rules import ClosedReason
from app.services.registrations import (
    AlreadyRegistered,
    RegistrationClosed,
    book_seat,
    cancel_registration,
    check_counts,
    waitlist_position,
)
from tests import factories
from tests.sqlcount import count_queries

CONFIRMED = RegistrationState.CONFIRMED
WAITLISTED = RegistrationState.WAITLISTED
CANCELLED = RegistrationState.CANCELLED


def _rows(seminar_id: int) -> list[Registration]:
    """Every registration of the seminar as stored now, in booking order."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def _states(seminar_id: int) -> dict[str, RegistrationState]:
    return {row.email: row.state for row in _rows(seminar_id)}


def _position(registration_id: int) -> int | None:
    db.session.expire_all()
    return waitlist_position(db.session.get(Registration, registration_id))


def _book(seminar, n: int) -> Registration:
    return book_seat(seminar.id, factories.applicant(n))


# -- confirmed while places are free, then the waiting list ----------------------


def test_confirmed_while_free_then_waitlisted_with_positions(app):
    seminar = factories.seminar(capacity=3)
    booked = [_book(seminar, n) for n in range(5)]

    assert [r.state for r in booked] == [CONFIRMED] * 3 + [WAITLISTED] * 2
    assert [_position(r.id) for r in booked] == [None, None, None, 1, 2]
    assert [r.state for r in _rows(seminar.id)] == [CONFIRMED] * 3 + [WAITLISTED] * 2


def test_last_free_place_is_confirmed(app):
    seminar = factories.seminar(capacity=20)
    factories.fill(seminar, 19)
    last = _book(seminar, 19)
    after = _book(seminar, 20)

    assert last.state == CONFIRMED
    assert after.state == WAITLISTED
    assert _position(after.id) == 1


# -- one registration per address ------------------------------------------------


def test_same_address_in_other_case_and_spaces_is_refused(app):
    seminar = factories.seminar()
    first = book_seat(seminar.id, factories.applicant(1, email="Anna.Berg@Example.org"))

    with pytest.raises(AlreadyRegistered) as refused:
        book_seat(seminar.id, factories.applicant(2, email="  anna.berg@EXAMPLE.ORG "))

    assert refused.value.registration_id == first.id
    rows = _rows(seminar.id)
    assert len(rows) == 1
    assert rows[0].email == "Anna.Berg@Example.org"
    assert rows[0].last_name == "Muster1"


def test_same_address_on_waiting_list_is_refused_too(app):
    seminar = factories.seminar(capacity=1)
    _book(seminar, 0)
    waiting = _book(seminar, 1)

    with pytest.raises(AlreadyRegistered):
        _book(seminar, 1)

    assert len(_rows(seminar.id)) == 2
    assert _position(waiting.id) == 1


def test_same_address_may_register_for_another_seminar(app):
    one = factories.seminar()
    other = factories.seminar()
    _book(one, 1)

    assert _book(other, 1).state == CONFIRMED
    assert len(_rows(one.id)) == 1
    assert len(_rows(other.id)) == 1


def test_address_is_stored_as_given_without_surrounding_spaces(app):
    seminar = factories.seminar()
    book_seat(seminar.id, factories.applicant(1, email="  Anna.Berg@Example.org "))

    (row,) = _rows(seminar.id)
    assert row.email == "Anna.Berg@Example.org"
    assert row.email_normalized == "anna.berg@example.org"


# -- a cancelled registration can register again ------------------------------------


def test_cancelled_person_registers_again_in_the_same_row_confirmed(app):
    seminar = factories.seminar(capacity=2)
    first = _book(seminar, 0)
    _book(seminar, 1)
    cancel_registration(first.id)

    again = book_seat(seminar.id, factories.applicant(0, email=" PERSON0@example.org"))

    assert again.id == first.id
    assert again.state == CONFIRMED
    assert again.cancelled_at is None
    assert len(_rows(seminar.id)) == 2
    assert sorted(r.state for r in _rows(seminar.id)) == [CONFIRMED, CONFIRMED]


def test_cancelled_person_registers_again_waitlisted_when_full(app):
    seminar = factories.seminar(capacity=2)
    first = _book(seminar, 0)
    _book(seminar, 1)
    cancel_registration(first.id)
    _book(seminar, 2)  # takes the freed place
    waiting = _book(seminar, 3)

    again = _book(seminar, 0)

    assert again.id == first.id
    assert again.state == WAITLISTED
    # Back in the queue behind those who waited already.
    assert _position(waiting.id) == 1
    assert _position(again.id) == 2
    assert len(_rows(seminar.id)) == 4


# -- closed seminars store nothing ----------------------------------------------------


def test_open_on_the_deadline_day(app):
    seminar = factories.seminar()
    registration = book_seat(
        seminar.id, factories.applicant(1), today=seminar.registration_deadline
    )
    assert registration.state == CONFIRMED
    assert len(_rows(seminar.id)) == 1


@pytest.mark.parametrize(
    ("state", "days_after_deadline", "reason"),
    [
        pytest.param(
            SeminarState.PUBLISHED, 1, ClosedReason.DEADLINE_PASSED, id="day-after-deadline"
        ),
        pytest.param(SeminarState.PUBLISHED, 7, ClosedReason.STARTED, id="first-seminar-day"),
        pytest.param(SeminarState.CANCELLED, 0, ClosedReason.CANCELLED, id="cancelled"),
        pytest.param(SeminarState.DRAFT, 0, ClosedReason.NOT_PUBLISHED, id="draft"),
    ],
)
def test_closed_seminar_refuses_and_stores_nothing(app, state, days_after_deadline, reason):
    seminar = factories.seminar(state=state)
    today = seminar.registration_deadline + timedelta(days=days_after_deadline)

    with pytest.raises(RegistrationClosed) as refused:
        book_seat(seminar.id, factories.applicant(1), today=today)

    assert refused.value.reason == reason
    assert _rows(seminar.id) == []


def test_closed_seminar_refuses_a_cancelled_person_and_keeps_them_cancelled(app):
    seminar = factories.seminar()
    first = _book(seminar, 0)
    cancel_registration(first.id)

    with pytest.raises(RegistrationClosed):
        book_seat(
            seminar.id,
            factories.applicant(0),
            today=seminar.registration_deadline + timedelta(days=1),
        )

    assert [r.state for r in _rows(seminar.id)] == [CANCELLED]


# -- cancelling and moving up ---------------------------------------------------------


def test_cancel_confirmed_moves_exactly_the_first_waitlisted_up(app):
    seminar = factories.seminar(capacity=2)
    first, _second, third, fourth, fifth = (_book(seminar, n) for n in range(5))

    cancelled, moved = cancel_registration(first.id)

    assert cancelled.state == CANCELLED
    assert [r.id for r in moved] == [third.id]
    assert _states(seminar.id) == {
        "person0@example.org": CANCELLED,
        "person1@example.org": CONFIRMED,
        "person2@example.org": CONFIRMED,
        "person3@example.org": WAITLISTED,
        "person4@example.org": WAITLISTED,
    }
    assert _position(third.id) is None
    assert _position(fourth.id) == 1
    assert _position(fifth.id) == 2


def test_second_cancel_of_the_same_registration_moves_nobody(app):
    seminar = factories.seminar(capacity=1)
    first, _second, third, fourth = (_book(seminar, n) for n in range(4))
    _, moved_first = cancel_registration(first.id)
    cancelled_at = db.session.get(Registration, first.id).cancelled_at
    # An organiser adds a place; the waiting list has not been moved up since.
    seminar.capacity = 2
    db.session.commit()

    cancelled, moved = cancel_registration(first.id)

    assert [r.email for r in moved_first] == ["person1@example.org"]
    assert cancelled.state == CANCELLED
    assert cancelled.cancelled_at == cancelled_at
    assert moved == []
    assert _states(seminar.id) == {
        "person0@example.org": CANCELLED,
        "person1@example.org": CONFIRMED,
        "person2@example.org": WAITLISTED,
        "person3@example.org": WAITLISTED,
    }
    assert _position(third.id) == 1
    assert _position(fourth.id) == 2


def test_cancel_confirmed_with_empty_waiting_list_frees_a_place(app):
    seminar = factories.seminar(capacity=2)
    first = _book(seminar, 0)
    _book(seminar, 1)

    _, moved = cancel_registration(first.id)

    assert moved == []
    assert _book(seminar, 2).state == CONFIRMED


def test_cancel_waitlisted_moves_nobody_and_closes_the_gap(app):
    seminar = factories.seminar(capacity=2)
    booked = [_book(seminar, n) for n in range(5)]
    assert [_position(r.id) for r in booked[2:]] == [1, 2, 3]

    cancelled, moved = cancel_registration(booked[2].id)

    assert cancelled.state == CANCELLED
    assert moved == []
    assert [r.state for r in _rows(seminar.id)] == [
        CONFIRMED,
        CONFIRMED,
        CANCELLED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert _position(booked[2].id) is None
    assert _position(booked[3].id) == 1
    assert _position(booked[4].id) == 2


def test_moving_up_follows_booking_order_not_row_order(app):
    # A person who cancelled and registered again keeps their old row but queues
    # behind those who were already waiting.
    seminar = factories.seminar(capacity=1)
    first = _book(seminar, 0)
    returning = _book(seminar, 1)  # waitlisted, lower row id
    cancel_registration(returning.id)
    waiting = _book(seminar, 2)
    returning = _book(seminar, 1)  # waitlisted again, behind person2
    assert returning.id < waiting.id

    _, moved = cancel_registration(first.id)

    assert [r.id for r in moved] == [waiting.id]
    assert _position(returning.id) == 1


# -- names are stored exactly ------------------------------------------------------


@pytest.mark.parametrize(
    ("last_name", "first_name", "town"),
    [
        pytest.param("Nguyễn", "Thị Minh", "Düsseldorf", id="vietnamese"),
        pytest.param("O'Neill", "Seán", "Köln", id="apostrophe"),
        pytest.param("Çelik", "Ayşe", "Gelsenkirchen-Buer", id="turkish"),
        pytest.param("Schäfer-Wójcik", "Zoë", "Mülheim an der Ruhr", id="hyphen-polish"),
    ],
)
def test_names_are_stored_exactly_as_given(app, last_name, first_name, town):
    seminar = factories.seminar()
    book_seat(
        seminar.id,
        factories.applicant(1, last_name=last_name, first_name=first_name, town=town),
    )

    (row,) = _rows(seminar.id)
    assert (row.last_name, row.first_name, row.town) == (last_name, first_name, town)


def test_nobody_moves_up_in_a_cancelled_seminar(app):
    from app.models import SeminarState
    from app.services.registrations import cancel_registration

    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 2)
    first, second = _all(seminar)
    seminar.state = SeminarState.CANCELLED
    db.session.commit()
    cancel_registration(first.id)
    assert _state(second.id) == RegistrationState.WAITLISTED


def test_nobody_moves_up_once_the_seminar_has_begun(app):
    from datetime import timedelta

    from app.core.timeutil import today_berlin
    from app.services.registrations import cancel_registration

    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 2)
    first, second = _all(seminar)
    seminar.day1 = today_berlin()
    seminar.day2 = today_berlin() + timedelta(days=1)
    seminar.registration_deadline = today_berlin() - timedelta(days=1)
    db.session.commit()
    cancel_registration(first.id)
    assert _state(second.id) == RegistrationState.WAITLISTED


def _all(seminar):
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(Registration.seminar_id == seminar.id)
            .order_by(Registration.id)
        )
    )


def _state(registration_id):
    db.session.expire_all()
    return db.session.get(Registration, registration_id).state


def test_one_mailbox_holds_one_place_whatever_its_spelling(app):
    """Full-width letters, the ideographic full stop and an IDN domain in Unicode or
    xn-- form are one mailbox (email-validator's normalised form)."""
    seminar = factories.seminar()
    book_seat(seminar.id, factories.applicant(0, email="x@example.net"))
    for n, variant in enumerate(["X@ｅｘａｍｐｌｅ.net", "x@example。net", " x@EXAMPLE.net"], 1):
        with pytest.raises(AlreadyRegistered):
            book_seat(seminar.id, factories.applicant(n, email=variant))
    book_seat(seminar.id, factories.applicant(5, email="anna@bücher.example"))
    with pytest.raises(AlreadyRegistered):
        book_seat(seminar.id, factories.applicant(6, email="anna@xn--bcher-kva.example"))


def test_the_seminar_row_keeps_its_counts_and_check_counts_repairs_drift(app, runner):
    seminar = factories.seminar(capacity=8)
    factories.fill(seminar, 10)
    first = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == seminar.id)
    ).first()
    cancel_registration(first.id)
    db.session.expire_all()
    kept = db.session.get(Seminar, seminar.id)
    assert (kept.confirmed_count, kept.waitlisted_count, kept.cancelled_count) == (8, 1, 1)
    assert check_counts(repair=False) == []

    db.session.execute(sa.update(Seminar).values(confirmed_count=3))  # drift, by hand
    db.session.commit()
    report = runner.invoke(args=["check-counts", "--dry-run"])
    assert f"Seminar {seminar.id}, confirmed: gespeichert 3, gezählt 8" in report.output
    repaired = runner.invoke(args=["check-counts"])
    assert "korrigiert" in repaired.output
    assert runner.invoke(args=["check-counts"]).output.startswith("Alle Platzzahlen stimmen")


# -- the two ways a booking writes (see book_seat) ---------------------------------------------


def _writes(statements: list[str]) -> list[str]:
    """What the statements write: "INSERT INTO registration", "UPDATE seminar", ..."""
    return [
        " ".join(statement.split()[:3] if statement.startswith("INSERT") else statement.split()[:2])
        for statement in statements
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def test_a_new_address_books_in_plain_statements_and_one_seen_before_through_set_state(app):
    """An address new to the seminar: six plain statements under the lock (the seminar's
    row locked, the look for earlier rows, one more in the state's count, the
    registration, its audit entry, its mail) and no row read back. An address seen
    before: through the ORM, its registration taken up again in its own row and its old
    state's count one less (``set_state``). Either way the kept counts match the rows,
    and what a person is told (confirmed, waiting) is decided the same way."""
    seminar = factories.seminar(capacity=1)
    seminar_id = seminar.id
    with count_queries() as new:
        first = book_seat(seminar_id, factories.applicant(0))
    assert len(new) == 6, new
    assert _writes(new) == [
        "UPDATE seminar",
        "INSERT INTO registration",
        "INSERT INTO audit_entry",
        "INSERT INTO outbox_mail",
    ]
    assert first.state == CONFIRMED
    cancel_registration(first.id)
    book_seat(seminar_id, factories.applicant(1))  # takes the freed place

    with count_queries() as again:
        taken_up = book_seat(seminar_id, factories.applicant(0))
    assert taken_up.id == first.id and taken_up.state == WAITLISTED
    assert "UPDATE registration" in _writes(again)
    assert "INSERT INTO registration" not in _writes(again)
    assert check_counts(repair=False) == []
    db.session.expire_all()
    kept = db.session.get(Seminar, seminar_id)
    assert (kept.confirmed_count, kept.waitlisted_count, kept.cancelled_count) == (1, 1, 0)
