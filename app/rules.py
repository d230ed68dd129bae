"""The programme's rules (numbered as in docs/domain.md), as pure functions.

Nothing here imports Flask or the database: every rule takes plain values, so
it can be tested at its boundaries and used by services, views and reports
alike. The numbers are data of a programme (``ProgrammeRules``), never
constants scattered through the code.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email


@dataclass(frozen=True)
class ProgrammeRules:
    """The figures a programme is run under; the defaults are those of 2025-2026."""

    period_start: date = date(2025, 10, 1)
    period_end: date = date(2026, 11, 30)
    min_participants: int = 8
    max_participants: int = 20
    two_trainers_from: int = 12
    max_trainers: int = 2
    seminar_days: int = 2
    trainer_fee_cents_per_day: int = 450_00
    catering_cents_per_person: int = 12_00


class Outcome(StrEnum):
    """Where a new registration lands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class FundingState(StrEnum):
    """A seminar's state under the headcount rules."""

    BELOW_MINIMUM = "below_minimum"
    ONE_TRAINER = "one_trainer"
    TWO_TRAINERS = "two_trainers"
    FULL = "full"


class ClosedReason(StrEnum):
    """Why a seminar takes no registrations."""

    NOT_PUBLISHED = "not_published"
    CANCELLED = "cancelled"
    DEADLINE_PASSED = "deadline_passed"
    STARTED = "started"


# -- period and seminar dates ------------------------------------------------


def in_period(rules: ProgrammeRules, day: date) -> bool:
    """A seminar day must lie within the programme's period, both ends included."""
    return rules.period_start <= day <= rules.period_end


def days_in_order(first: date, second: date) -> bool:
    """A seminar is two different days: day 2 comes after day 1 (rule 10; the same day
    twice is refused)."""
    return second > first


# Rule 10: each seminar day is planned at eight hours, and the fee per day assumes them.
PLANNED_DAY_MINUTES = 8 * 60


def day_minutes(starts: time, ends: time) -> int:
    """How long a seminar day lasts, in minutes (0 when it ends before it begins)."""
    minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
    return max(minutes, 0)


def short_day(starts: time, ends: time) -> bool:
    """A day shorter than the planned eight hours: allowed, but with a visible warning
    (rule 10's decision), since the fee is paid per eight-hour day."""
    return day_minutes(starts, ends) < PLANNED_DAY_MINUTES


def times_in_order(starts: time, ends: time) -> bool:
    """A seminar day ends after it begins."""
    return ends > starts


def deadline_before_start(deadline: date, first_day: date) -> bool:
    """Registration closes before the first seminar day (it never is open on it)."""
    return deadline < first_day


def overlapping(
    a_days: list[tuple[date, time, time]], b_days: list[tuple[date, time, time]]
) -> bool:
    """Two seminars overlap in time when some day of one shares a moment with a day of
    the other: same date, and each begins before the other ends. Back to back
    (one ends at 13:00, the other begins at 13:00) is no overlap."""
    return any(
        a_day == b_day and a_starts < b_ends and b_starts < a_ends
        for a_day, a_starts, a_ends in a_days
        for b_day, b_starts, b_ends in b_days
    )


# -- headcount -----------------------------------------------------------------


def capacity_allowed(rules: ProgrammeRules, capacity: int) -> bool:
    """A seminar's places lie between the programme's minimum and maximum (rule 10)."""
    return rules.min_participants <= capacity <= rules.max_participants


def capacity_keeps_confirmed(capacity: int, confirmed: int) -> bool:
    """A seminar's capacity never drops below its confirmed places: nobody loses a
    confirmed place because the number of places was lowered."""
    return capacity >= confirmed


def free_places(capacity: int, confirmed: int) -> int:
    return max(capacity - confirmed, 0)


def booking_outcome(capacity: int, confirmed: int) -> Outcome:
    """A new registration is confirmed while a place is free, else waitlisted."""
    return Outcome.CONFIRMED if confirmed < capacity else Outcome.WAITLISTED


def meets_minimum(rules: ProgrammeRules, confirmed: int) -> bool:
    """The seminar takes place ("findet statt") once the minimum is reached."""
    return confirmed >= rules.min_participants


def missing_for_minimum(rules: ProgrammeRules, confirmed: int) -> int:
    return max(rules.min_participants - confirmed, 0)


def trainers_funded(rules: ProgrammeRules, confirmed: int) -> int:
    """Trainers whose fees the programme pays: none below the minimum, one up to
    11, two from 12 (the seed's overlap at 12 is decided for two trainers)."""
    if confirmed < rules.min_participants:
        return 0
    if confirmed < rules.two_trainers_from:
        return 1
    return rules.max_trainers


def funding_state(rules: ProgrammeRules, confirmed: int, capacity: int) -> FundingState:
    if confirmed >= capacity and confirmed >= rules.min_participants:
        return FundingState.FULL
    trainers = trainers_funded(rules, confirmed)
    if trainers == 0:
        return FundingState.BELOW_MINIMUM
    if trainers == 1:
        return FundingState.ONE_TRAINER
    return FundingState.TWO_TRAINERS


# -- money ---------------------------------------------------------------------


def trainer_fees_cents(rules: ProgrammeRules, trainers: int) -> int:
    """Fees for the whole event: seminar days x fee per day x the trainers funded."""
    return rules.seminar_days * rules.trainer_fee_cents_per_day * trainers


def catering_budget_cents(rules: ProgrammeRules, participants: int) -> int:
    """Catering per event: the per-person amount times the registered participants."""
    return rules.catering_cents_per_person * max(participants, 0)


Item = TypeVar("Item")


def split_funded(
    rules: ProgrammeRules, confirmed: int, ordered: Sequence[Item]
) -> tuple[list[Item], list[Item]]:
    """Rule 5: a seminar lists its trainers in order; the funded ones are the first one
    (8-11 confirmed) or the first two (from 12) of that list, for the fee and for travel
    costs alike. Returns (funded, not funded), both in the list's order. A trainer who is
    not on the list is never funded, so fewer may be funded than the headcount allows."""
    funded = trainers_funded(rules, confirmed)
    return list(ordered[:funded]), list(ordered[funded:])


def trainers_in_room(assigned: int, tandem: int = 2) -> int:
    """Room needs count the trainers assigned (the people in the room), not the trainers
    funded; before anyone is assigned, the seminar plans for its tandem of two."""
    return assigned if assigned > 0 else tandem


@dataclass(frozen=True)
class SeminarFunding:
    """What one seminar costs the programme, in cents; ``trainers`` are those funded."""

    trainers: int
    trainer_fees_cents: int
    travel_cents: int
    catering_cents: int
    assigned: int = 0

    @property
    def total_cents(self) -> int:
        return self.trainer_fees_cents + self.travel_cents + self.catering_cents

    @property
    def unfunded(self) -> int:
        """Assigned trainers the rules do not fund (they may still run the seminar)."""
        return max(self.assigned - self.trainers, 0)


def seminar_funding(
    rules: ProgrammeRules, confirmed: int, travel_cents: Sequence[int] = ()
) -> SeminarFunding:
    """The funding of one seminar. ``travel_cents`` holds the travel costs recorded for
    each assigned trainer, in the seminar's order of trainers. Fees and travel are paid
    for the funded trainers only (``split_funded``): the fee per seminar day each, their
    travel as recorded; catering by the registered participants."""
    funded, _unfunded = split_funded(rules, confirmed, travel_cents)
    return SeminarFunding(
        trainers=len(funded),
        trainer_fees_cents=trainer_fees_cents(rules, len(funded)),
        travel_cents=sum(max(cents, 0) for cents in funded),
        catering_cents=catering_budget_cents(rules, confirmed),
        assigned=len(travel_cents),
    )


# -- trainers ------------------------------------------------------------------


class TandemState(StrEnum):
    """Whether a seminar has its tandem of one adult educator and one person from
    the integration-council field."""

    MISSING = "missing"
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"


def tandem_state(adult_educators: int, council_field: int) -> TandemState:
    if adult_educators == 0 and council_field == 0:
        return TandemState.MISSING
    if adult_educators == 1 and council_field == 1:
        return TandemState.COMPLETE
    return TandemState.INCOMPLETE


# -- locations -----------------------------------------------------------------


def module_slot_holder(
    held: list[tuple[int, int]], module: int, seminar_id: int | None = None
) -> int | None:
    """A location (VHS) holds at most one funded seminar per module.

    ``held`` lists ``(seminar_id, module)`` of the location's seminars that
    count (not cancelled). Returns the id of the seminar that already holds
    the place for ``module``, or None when the place is free. The seminar
    being edited (``seminar_id``) does not block itself.
    """
    for other_id, other_module in held:
        if other_module == module and other_id != seminar_id:
            return other_id
    return None


# -- registration window -------------------------------------------------------


def closed_reason(
    *, published: bool, cancelled: bool, deadline: date, first_day: date, today: date
) -> ClosedReason | None:
    """Why registration is closed, or None while it is open.

    Registration is open for a published seminar until the end of its deadline
    day, and never on or after the first seminar day.
    """
    if cancelled:
        return ClosedReason.CANCELLED
    if not published:
        return ClosedReason.NOT_PUBLISHED
    if today >= first_day:
        return ClosedReason.STARTED
    if today > deadline:
        return ClosedReason.DEADLINE_PASSED
    return None


def waiting_list_moves(*, published: bool, first_day: date, today: date) -> bool:
    """A freed place goes to the waiting list while the seminar is published and has
    not begun. In a cancelled seminar, or from the first seminar day on, nobody is
    moved up (and mailed) any more."""
    return published and today < first_day


# -- held places -------------------------------------------------------------------


def hold_end(
    now: datetime, hours: int, deadline_ends: datetime, first_day_begins: datetime
) -> datetime:
    """When a place held ``now`` is released unless the address is proven (docs/domain.md,
    "A place is held, then confirmed"): ``hours`` later, but never past the end of the
    registration deadline while it lies ahead, nor past the start of the first seminar
    day (a place given from the waiting list after the deadline). All moments alike (UTC)."""
    limit = deadline_ends if deadline_ends > now else first_day_begins
    return min(now + timedelta(hours=hours), limit)


# -- attendance ------------------------------------------------------------------


def attendance_open(day: date, today: date) -> bool:
    """Attendance for a seminar day is recorded from that day on, never before."""
    return today >= day


# -- registration data ---------------------------------------------------------


def normalize_email(address: str) -> str:
    """The form in which one mailbox is compared (a person across the series is this
    address, nothing more): the domain as email-validator reads it, in its IDNA form
    (full-width letters, 。 and bücher/xn--bcher-kva are one domain), the local part in
    NFKC, everything in lower case. An address it cannot read is trimmed and lowered."""
    address = unicodedata.normalize("NFKC", address.strip())
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address.lower()
    return f"{checked.local_part}@{checked.ascii_domain}".lower()
