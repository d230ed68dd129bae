"""The rules added for programme administration, as pure functions at their boundaries."""

from datetime import date, time

import pytest

from app import rules
from app.rules import ProgrammeRules, TandemState

DEFAULT = ProgrammeRules()


# -- funding of one seminar: hand-computed at every threshold ----------------------

FUNDING_CASES = [
    # confirmed, trainers, fees, catering (cents): 2 days x 450 EUR x trainers; 12 EUR x people
    # from the minimum on (below it nothing is funded)
    pytest.param(0, 0, 0, 0, id="0"),
    pytest.param(7, 0, 0, 0, id="7-below-minimum-nothing-funded"),
    pytest.param(8, 1, 900_00, 96_00, id="8-minimum-one-trainer"),
    pytest.param(11, 1, 900_00, 132_00, id="11-last-with-one-trainer"),
    pytest.param(12, 2, 1_800_00, 144_00, id="12-two-trainers"),
    pytest.param(20, 2, 1_800_00, 240_00, id="20-full"),
]


@pytest.mark.parametrize(("confirmed", "trainers", "fees", "catering"), FUNDING_CASES)
def test_seminar_funding_by_hand(confirmed, trainers, fees, catering):
    # a tandem on the list, travel 123,45 EUR for the first and 50 EUR for the second
    funding = rules.seminar_funding(DEFAULT, confirmed, travel_cents=[123_45, 50_00])
    travel = [0, 123_45, 173_45][trainers]
    assert funding.trainers == trainers
    assert funding.trainer_fees_cents == fees
    assert funding.catering_cents == catering
    assert funding.travel_cents == travel
    assert funding.total_cents == fees + catering + travel
    assert funding.assigned == 2 and funding.unfunded == 2 - trainers


def test_seminar_funding_follows_the_programme_figures():
    other = ProgrammeRules(
        min_participants=6, two_trainers_from=10, trainer_fee_cents_per_day=500_00,
        catering_cents_per_person=15_00,
    )  # fmt: skip
    tandem = [0, 0]
    assert rules.seminar_funding(other, 6, tandem).trainer_fees_cents == 2 * 500_00
    assert rules.seminar_funding(other, 10, tandem).trainer_fees_cents == 2 * 2 * 500_00
    assert rules.seminar_funding(other, 6, tandem).catering_cents == 6 * 15_00


def test_negative_travel_costs_count_as_none():
    assert rules.seminar_funding(DEFAULT, 8, travel_cents=[-5]).travel_cents == 0


# -- rule 5: the funded trainers are the first of the seminar's list ---------------


@pytest.mark.parametrize(
    ("confirmed", "funded", "unfunded"),
    [
        (7, [], ["first", "second"]),
        (8, ["first"], ["second"]),
        (11, ["first"], ["second"]),
        (12, ["first", "second"], []),
        (20, ["first", "second"], []),
    ],
)
def test_split_funded_takes_the_first_of_the_list(confirmed, funded, unfunded):
    assert rules.split_funded(DEFAULT, confirmed, ["first", "second"]) == (funded, unfunded)


def test_only_assigned_trainers_are_funded():
    # 12 registrations fund two trainers, but only one is on the list: one fee, one trip
    alone = rules.seminar_funding(DEFAULT, 12, [80_00])
    assert (alone.trainers, alone.trainer_fees_cents, alone.travel_cents) == (1, 900_00, 80_00)
    nobody = rules.seminar_funding(DEFAULT, 12)
    assert (nobody.trainers, nobody.trainer_fees_cents, nobody.travel_cents) == (0, 0, 0)
    # 8 registrations with a tandem: the second's travel costs are not funded
    tandem = rules.seminar_funding(DEFAULT, 8, [30_00, 70_00])
    assert (tandem.trainers, tandem.travel_cents, tandem.unfunded) == (1, 30_00, 1)


@pytest.mark.parametrize(("assigned", "in_room"), [(0, 2), (1, 1), (2, 2), (3, 3)])
def test_the_trainers_in_the_room_are_those_assigned(assigned, in_room):
    assert rules.trainers_in_room(assigned) == in_room


# -- capacity, dates, deadline -------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "confirmed", "ok"), [(5, 5, True), (4, 5, False), (20, 0, True), (0, 0, True)]
)
def test_capacity_keeps_confirmed(capacity, confirmed, ok):
    assert rules.capacity_keeps_confirmed(capacity, confirmed) is ok


@pytest.mark.parametrize(
    ("capacity", "ok"), [(0, False), (1, False), (7, False), (8, True), (20, True), (21, False)]
)  # fmt: skip
def test_capacity_allowed_between_the_programme_minimum_and_maximum(capacity, ok):
    assert rules.capacity_allowed(DEFAULT, capacity) is ok


def test_period_boundaries_are_inside():
    assert rules.in_period(DEFAULT, date(2025, 10, 1))
    assert rules.in_period(DEFAULT, date(2026, 11, 30))
    assert not rules.in_period(DEFAULT, date(2025, 9, 30))
    assert not rules.in_period(DEFAULT, date(2026, 12, 1))


def test_times_in_order_and_deadline_before_the_first_day():
    assert rules.times_in_order(time(9), time(17))
    assert not rules.times_in_order(time(9), time(9))
    assert rules.deadline_before_start(date(2026, 3, 13), date(2026, 3, 14))
    assert not rules.deadline_before_start(date(2026, 3, 14), date(2026, 3, 14))


# -- trainers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adult", "field", "state"),
    [
        (0, 0, TandemState.MISSING),
        (1, 0, TandemState.INCOMPLETE),
        (0, 1, TandemState.INCOMPLETE),
        (2, 0, TandemState.INCOMPLETE),
        (1, 1, TandemState.COMPLETE),
        (2, 1, TandemState.INCOMPLETE),
    ],
)
def test_tandem_is_one_of_each_kind(adult, field, state):
    assert rules.tandem_state(adult, field) == state


SAT, SUN, MON = date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 16)


def _days(*days):
    return [(day, time(starts), time(ends)) for day, starts, ends in days]


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        pytest.param(
            _days((SAT, 9, 17), (SUN, 9, 17)), _days((SAT, 9, 17), (SUN, 9, 17)), True, id="same"
        ),
        pytest.param(
            _days((SAT, 9, 17), (SUN, 9, 17)), _days((SUN, 9, 17), (MON, 9, 17)), True,
            id="shared-day",
        ),
        pytest.param(
            _days((SAT, 9, 13), (SUN, 9, 13)), _days((SAT, 13, 17), (SUN, 13, 17)), False,
            id="back-to-back",
        ),
        pytest.param(
            _days((SAT, 9, 13), (SAT, 14, 17)), _days((SAT, 12, 15), (MON, 9, 17)), True,
            id="partly-same-afternoon",
        ),
        pytest.param(
            _days((SAT, 9, 17), (SUN, 9, 17)), _days((MON, 9, 17), (MON, 18, 20)), False,
            id="other-days",
        ),
    ],
)  # fmt: skip
def test_overlapping(a, b, overlap):
    assert rules.overlapping(a, b) is overlap
    assert rules.overlapping(b, a) is overlap
