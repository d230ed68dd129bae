"""The programme's rules (app/rules.py) at every boundary, as pure functions."""

from datetime import date, timedelta

import pytest

from app import rules
from app.rules import ClosedReason, FundingState, Outcome, ProgrammeRules

DEFAULT = ProgrammeRules()
CAPACITY = 20


# -- headcount: trainers and funding state -------------------------------------

HEADCOUNT_CASES = [
    pytest.param(0, 0, FundingState.BELOW_MINIMUM, id="0-nobody"),
    pytest.param(7, 0, FundingState.BELOW_MINIMUM, id="7-one-short-of-minimum"),
    pytest.param(8, 1, FundingState.ONE_TRAINER, id="8-minimum-one-trainer"),
    pytest.param(11, 1, FundingState.ONE_TRAINER, id="11-last-with-one-trainer"),
    pytest.param(12, 2, FundingState.TWO_TRAINERS, id="12-overlap-decided-two-trainers"),
    pytest.param(19, 2, FundingState.TWO_TRAINERS, id="19-one-place-left"),
    pytest.param(20, 2, FundingState.FULL, id="20-full"),
    pytest.param(21, 2, FundingState.FULL, id="21-overbooked-still-two-trainers"),
]


@pytest.mark.parametrize(("confirmed", "trainers", "state"), HEADCOUNT_CASES)
def test_trainers_funded(confirmed, trainers, state):
    assert rules.trainers_funded(DEFAULT, confirmed) == trainers


@pytest.mark.parametrize(("confirmed", "trainers", "state"), HEADCOUNT_CASES)
def test_funding_state(confirmed, trainers, state):
    assert rules.funding_state(DEFAULT, confirmed, CAPACITY) == state


def test_small_seminar_full_below_minimum_is_not_reported_full():
    # Five places all taken is still below the minimum of eight: no trainer is funded.
    assert rules.funding_state(DEFAULT, 5, 5) == FundingState.BELOW_MINIMUM


def test_small_seminar_full_at_minimum_is_full():
    assert rules.funding_state(DEFAULT, 8, 8) == FundingState.FULL


@pytest.mark.parametrize(
    ("confirmed", "meets", "missing"),
    [
        pytest.param(0, False, 8, id="0-eight-missing"),
        pytest.param(7, False, 1, id="7-one-missing"),
        pytest.param(8, True, 0, id="8-takes-place"),
        pytest.param(20, True, 0, id="20-nothing-missing"),
    ],
)
def test_minimum(confirmed, meets, missing):
    assert rules.meets_minimum(DEFAULT, confirmed) is meets
    assert rules.missing_for_minimum(DEFAULT, confirmed) == missing


# -- places --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "outcome"),
    [
        pytest.param(0, Outcome.CONFIRMED, id="0-confirmed"),
        pytest.param(19, Outcome.CONFIRMED, id="19-last-place-confirmed"),
        pytest.param(20, Outcome.WAITLISTED, id="20-full-waitlisted"),
        pytest.param(21, Outcome.WAITLISTED, id="21-overbooked-waitlisted"),
    ],
)
def test_booking_outcome(confirmed, outcome):
    assert rules.booking_outcome(CAPACITY, confirmed) == outcome


@pytest.mark.parametrize(
    ("confirmed", "free"),
    [
        pytest.param(0, 20, id="0-all-free"),
        pytest.param(19, 1, id="19-one-free"),
        pytest.param(20, 0, id="20-none-free"),
        pytest.param(21, 0, id="21-never-negative"),
        pytest.param(35, 0, id="35-never-negative"),
    ],
)
def test_free_places(confirmed, free):
    assert rules.free_places(CAPACITY, confirmed) == free


@pytest.mark.parametrize(
    ("capacity", "allowed"),
    [
        pytest.param(0, False, id="0-no-places"),
        pytest.param(1, False, id="1-below-minimum"),
        pytest.param(7, False, id="7-below-minimum"),
        pytest.param(8, True, id="8-programme-minimum"),
        pytest.param(20, True, id="20-programme-maximum"),
        pytest.param(21, False, id="21-over-maximum"),
    ],
)
def test_capacity_allowed(capacity, allowed):
    assert rules.capacity_allowed(DEFAULT, capacity) is allowed


# -- period and days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        pytest.param(date(2025, 9, 30), False, id="day-before-start"),
        pytest.param(date(2025, 10, 1), True, id="first-day"),
        pytest.param(date(2026, 11, 30), True, id="last-day"),
        pytest.param(date(2026, 12, 1), False, id="day-after-end"),
    ],
)
def test_in_period_default_programme(day, inside):
    assert rules.in_period(DEFAULT, day) is inside


LATER = ProgrammeRules(period_start=date(2027, 3, 1), period_end=date(2028, 2, 29))


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        pytest.param(date(2026, 11, 30), False, id="old-last-day-now-outside"),
        pytest.param(date(2027, 2, 28), False, id="day-before-start"),
        pytest.param(date(2027, 3, 1), True, id="first-day"),
        pytest.param(date(2028, 2, 29), True, id="last-day-leap"),
        pytest.param(date(2028, 3, 1), False, id="day-after-end"),
    ],
)
def test_in_period_later_programme(day, inside):
    assert rules.in_period(LATER, day) is inside


@pytest.mark.parametrize(
    ("first", "second", "ok"),
    [
        pytest.param(date(2026, 3, 6), date(2026, 3, 7), True, id="next-day"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 6), False, id="same-day-twice-refused"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 13), True, id="week-later"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 5), False, id="day-before"),
    ],
)
def test_days_in_order(first, second, ok):
    assert rules.days_in_order(first, second) is ok


# -- money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "cents"),
    [
        pytest.param(0, 0, id="0-nothing"),
        pytest.param(7, 0, id="7-below-minimum-nothing"),
        pytest.param(8, 90_000, id="8-one-trainer-900-eur"),
        pytest.param(11, 90_000, id="11-one-trainer-900-eur"),
        pytest.param(12, 180_000, id="12-two-trainers-1800-eur"),
        pytest.param(20, 180_000, id="20-two-trainers-1800-eur"),
    ],
)
def test_trainer_fees_cents(confirmed, cents):
    assert rules.trainer_fees_cents(DEFAULT, rules.trainers_funded(DEFAULT, confirmed)) == cents


@pytest.mark.parametrize(
    ("participants", "cents"),
    [
        pytest.param(0, 0, id="0-nothing"),
        pytest.param(1, 1_200, id="1-12-eur"),
        pytest.param(8, 9_600, id="8-96-eur"),
        pytest.param(20, 24_000, id="20-240-eur"),
    ],
)
def test_catering_budget_cents(participants, cents):
    assert rules.catering_budget_cents(DEFAULT, participants) == cents


# -- locations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "module", "seminar_id", "holder"),
    [
        pytest.param([], 1, None, None, id="free-location"),
        pytest.param([(5, 1)], 1, None, 5, id="same-module-held-by-other"),
        pytest.param([(5, 2)], 1, None, None, id="other-module-held"),
        pytest.param([(5, 1), (6, 2)], 2, None, 6, id="both-held-advanced-asked"),
        pytest.param([(5, 1)], 1, 5, None, id="edited-seminar-not-blocking-itself"),
        pytest.param([(5, 1)], 1, 9, 5, id="edited-other-seminar-blocked"),
    ],
)
def test_module_slot_holder(held, module, seminar_id, holder):
    assert rules.module_slot_holder(held, module, seminar_id) == holder


# -- registration window -------------------------------------------------------

FIRST_DAY = date(2026, 3, 6)
DEADLINE = date(2026, 2, 27)


@pytest.mark.parametrize(
    ("published", "cancelled", "today", "reason"),
    [
        pytest.param(True, False, DEADLINE - timedelta(days=10), None, id="open-early"),
        pytest.param(True, False, DEADLINE, None, id="open-on-deadline-day"),
        pytest.param(
            True,
            False,
            DEADLINE + timedelta(days=1),
            ClosedReason.DEADLINE_PASSED,
            id="closed-day-after-deadline",
        ),
        pytest.param(True, False, FIRST_DAY, ClosedReason.STARTED, id="closed-first-day"),
        pytest.param(
            True,
            False,
            FIRST_DAY + timedelta(days=1),
            ClosedReason.STARTED,
            id="closed-second-day",
        ),
        pytest.param(
            False, True, DEADLINE - timedelta(days=10), ClosedReason.CANCELLED, id="cancelled"
        ),
        pytest.param(
            False, True, FIRST_DAY, ClosedReason.CANCELLED, id="cancelled-wins-over-started"
        ),
        pytest.param(
            True,
            True,
            DEADLINE + timedelta(days=1),
            ClosedReason.CANCELLED,
            id="cancelled-wins-over-deadline-and-published",
        ),
        pytest.param(
            False,
            False,
            DEADLINE - timedelta(days=10),
            ClosedReason.NOT_PUBLISHED,
            id="draft-not-published",
        ),
    ],
)
def test_closed_reason(published, cancelled, today, reason):
    assert (
        rules.closed_reason(
            published=published,
            cancelled=cancelled,
            deadline=DEADLINE,
            first_day=FIRST_DAY,
            today=today,
        )
        == reason
    )


def test_closed_on_first_day_even_if_deadline_is_later():
    # A deadline set on or after the first day never keeps registration open once it starts.
    assert (
        rules.closed_reason(
            published=True,
            cancelled=False,
            deadline=FIRST_DAY + timedelta(days=1),
            first_day=FIRST_DAY,
            today=FIRST_DAY,
        )
        == ClosedReason.STARTED
    )


# -- registration data ---------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        pytest.param("person@example.org", "person@example.org", id="already-normal"),
        pytest.param("  Person@Example.ORG ", "person@example.org", id="spaces-and-case"),
        pytest.param("\tMAX.MUSTER@VHS.DE\n", "max.muster@vhs.de", id="tabs-newlines-upper"),
    ],
)
def test_normalize_email(given, normalized):
    assert rules.normalize_email(given) == normalized


# -- the numbers are data ------------------------------------------------------


def test_changed_rule_values_change_results():
    other = ProgrammeRules(
        min_participants=6,
        max_participants=24,
        two_trainers_from=10,
        trainer_fee_cents_per_day=500_00,
        catering_cents_per_person=15_00,
    )
    # Minimum 6 instead of 8.
    assert not rules.meets_minimum(DEFAULT, 6)
    assert rules.meets_minimum(other, 6)
    assert not rules.meets_minimum(other, 5)
    assert rules.missing_for_minimum(other, 4) == 2
    # Two trainers from 10 instead of 12.
    assert rules.trainers_funded(DEFAULT, 10) == 1
    assert rules.trainers_funded(other, 9) == 1
    assert rules.trainers_funded(other, 10) == 2
    assert rules.funding_state(other, 6, 24) == FundingState.ONE_TRAINER
    assert rules.funding_state(other, 10, 24) == FundingState.TWO_TRAINERS
    # 500 EUR per trainer and day: 2 days x 500 EUR x 1 or 2 trainers.
    assert rules.trainer_fees_cents(other, rules.trainers_funded(other, 6)) == 100_000
    assert rules.trainer_fees_cents(other, rules.trainers_funded(other, 10)) == 200_000
    assert rules.trainer_fees_cents(DEFAULT, rules.trainers_funded(DEFAULT, 10)) == 90_000
    # Catering 15 EUR per person, and a larger maximum.
    assert rules.catering_budget_cents(other, 10) == 15_000
    assert not rules.capacity_allowed(DEFAULT, 24)
    assert rules.capacity_allowed(other, 24)
    assert not rules.capacity_allowed(other, 25)


def test_more_seminar_days_and_trainers_scale_the_fees():
    other = ProgrammeRules(seminar_days=3, max_trainers=3)
    assert rules.trainer_fees_cents(other, rules.trainers_funded(other, 8)) == 3 * 450_00
    assert rules.trainer_fees_cents(other, rules.trainers_funded(other, 12)) == 3 * 450_00 * 3


@pytest.mark.parametrize(
    ("published", "days_ahead", "moves"),
    [(True, 1, True), (True, 0, False), (True, -1, False), (False, 5, False)],
    ids=["day_before", "first_day", "after", "cancelled"],
)
def test_waiting_list_moves_only_before_a_published_seminar_begins(published, days_ahead, moves):
    today = date(2026, 3, 10)
    first_day = today + timedelta(days=days_ahead)
    assert rules.waiting_list_moves(published=published, first_day=first_day, today=today) is moves


def test_a_hold_lasts_its_hours_but_never_past_the_deadline_or_the_first_day():
    from datetime import datetime, timedelta

    now = datetime(2026, 3, 2, 10, 0)
    deadline, first_day = datetime(2026, 3, 10), datetime(2026, 3, 20)
    assert rules.hold_end(now, 48, deadline, first_day) == now + timedelta(hours=48)
    near_deadline = datetime(2026, 3, 9, 12, 0)
    assert rules.hold_end(near_deadline, 48, deadline, first_day) == deadline
    # moved up from the waiting list after the deadline: until the first day begins
    after_deadline = datetime(2026, 3, 19, 8, 0)
    assert rules.hold_end(after_deadline, 48, deadline, first_day) == first_day
