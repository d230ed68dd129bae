"""The programme's rules (numbered as in docs/domain.md), as pure functions.

Nothing here imports Flask or the database: every rule takes plain values, so
it can be tested at its boundaries and used by services, views and reports
alike. The numbers are data of a programme (``ProgrammeRules``), never
constants scattered through the code.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache
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
    # at most this share of a seminar's places held for unproven addresses at once
    max_held_percent: int = 33


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


def booking_outcome(
    capacity: int, confirmed: int, *, held: int = 0, hold_limit: int | None = None
) -> Outcome:
    """A new registration is confirmed while a place is free, else waitlisted. A place
    that would be held for an unproven address (``hold_limit`` given, see ``max_held``)
    is given only while fewer than ``hold_limit`` places are held (``held``): beyond,
    the person waits on the list and moves up as holds are confirmed or released."""
    if confirmed >= capacity:
        return Outcome.WAITLISTED
    if hold_limit is not None and not may_hold(held, hold_limit):
        return Outcome.WAITLISTED
    return Outcome.CONFIRMED


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
    # False below the minimum: nothing is funded (rule 3, settlement decision)
    fundable: bool = True

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
    """The funding of one seminar. ``confirmed`` is the count at its start (before the
    start: the count now, as planned); ``travel_cents`` holds the travel costs recorded
    for each assigned trainer, in the seminar's order of trainers. Fees and travel are
    paid for the funded trainers only (``split_funded``): the fee per seminar day each,
    their travel as recorded; catering is planned by the registered participants. Below
    the minimum the seminar is not fundable: no fees, no travel, no catering."""
    funded, _unfunded = split_funded(rules, confirmed, travel_cents)
    fundable = meets_minimum(rules, confirmed)
    return SeminarFunding(
        trainers=len(funded),
        trainer_fees_cents=trainer_fees_cents(rules, len(funded)),
        travel_cents=sum(max(cents, 0) for cents in funded),
        catering_cents=catering_budget_cents(rules, confirmed) if fundable else 0,
        assigned=len(travel_cents),
        fundable=fundable,
    )


def start_of(first_day: date, starts: time) -> datetime:
    """When a seminar begins: its first day's start, Berlin wall-clock time."""
    return datetime.combine(first_day, starts)


def count_at_start_fixed(first_day: date, starts: time, now_berlin: datetime) -> bool:
    """**Decision** (settlement): the confirmed count that funds the trainers is fixed
    when day 1 begins (Berlin time); cancellations, attendance and later edits leave it
    as it is. ``now_berlin`` is Berlin wall-clock time without zone."""
    return now_berlin >= start_of(first_day, starts)


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


def max_held(capacity: int, percent: int) -> int:
    """How many of a seminar's places may be held for unproven addresses at once
    ("A place is held, then confirmed"): the programme's share of its places, rounded
    down, but always one, so that the waiting list still moves. A third by default: a
    burst of registrations from addresses nobody has proven (a bot) holds no more, and
    the rest of the places stay open to people who confirm."""
    return max(capacity * percent // 100, 1)


def may_hold(held: int, limit: int) -> bool:
    """Whether one more place may be held while ``held`` are (``max_held``)."""
    return held < limit


# A burst of holds: this many public registrations for one seminar within the window
# is shown to its organisers (many addresses at once are rarely people).
HOLD_BURST_COUNT = 5
HOLD_BURST_WINDOW = timedelta(minutes=10)


def hold_burst(recent_holds: int, count: int = HOLD_BURST_COUNT) -> bool:
    """Whether ``recent_holds`` public registrations within ``HOLD_BURST_WINDOW`` are a
    burst the organisers should look at."""
    return recent_holds >= count


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
    parts = email_parts(address)
    if parts is None:
        return address.lower()
    return "@".join(parts).lower()


@lru_cache(maxsize=8)
def email_parts(address: str) -> tuple[str, str] | None:
    """The local part and the IDNA domain of ``address`` as email-validator reads it
    (syntax only, no DNS); None when it cannot. Kept for the last few addresses: a
    booking reads its address twice (the form's check, then ``normalize_email``)."""
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.local_part, checked.ascii_domain


# -- organisers' changes and messages ---------------------------------------------------


def vhs_may_change_seminar(deadline: date, today: date) -> bool:
    """VHS staff change their own seminar's dates, times, place and note until the end of
    its registration deadline day; afterwards only the state organisers do."""
    return today <= deadline


# A message from an organiser to a seminar's people: at most this many per seminar within
# the window, so that nobody's inbox is flooded and no account turns into a bulk sender.
MESSAGES_PER_SEMINAR = 3
MESSAGE_WINDOW = timedelta(hours=1)


def next_message_at(
    sent: Sequence[datetime],
    now: datetime,
    limit: int = MESSAGES_PER_SEMINAR,
    window: timedelta = MESSAGE_WINDOW,
) -> datetime | None:
    """None while another message to a seminar's people may go out ``now``; otherwise
    the moment it may, when the oldest message that fills the window has left it.
    ``sent`` holds when the seminar's earlier messages went out (any order)."""
    recent = sorted(moment for moment in sent if moment > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window


# People an organiser's account adds (one by one or as a list) within an hour, at most:
# more than any paper list, few enough that a taken-over account mails no crowd.
PEOPLE_ADDED_PER_HOUR = 500
ADDED_WINDOW = timedelta(hours=1)


def may_add_people(added_recently: int, wanted: int, limit: int = PEOPLE_ADDED_PER_HOUR) -> bool:
    """Whether an account that added ``added_recently`` people within ``ADDED_WINDOW``
    may add ``wanted`` more now."""
    return added_recently + wanted <= limit


# -- interest declarations (rule 9, "Interest comes first") --------------------------


def interest_open(deadline: date | None, today: date) -> bool:
    """VHS and council offices declare interest until the programme's interest deadline,
    that day included (Berlin's date). A programme without a deadline takes none yet."""
    return deadline is not None and today <= deadline


# The public interest forms mail one address at most once within this interval, however
# often they are sent for it (nobody's inbox is flooded through them).
INTEREST_MAIL_INTERVAL = timedelta(hours=1)


def may_mail_again(last_mailed: datetime, now: datetime) -> bool:
    """Whether a form may mail an address again ``now`` that it mailed at ``last_mailed``."""
    return now - last_mailed >= INTEREST_MAIL_INTERVAL


# -- choosing the locations (rule 9: the state organisers select or decline) -----------


class OfferWarning(StrEnum):
    """What the state organisers should know about a declared module at a location
    before they select it."""

    MODULE_TAKEN = "module_taken"  # the location holds this module already (rule 7)
    OUTSIDE_PERIOD = "outside_period"  # a declared day lies outside the programme's period
    SAME_DAY = "same_day"  # day 2 is not after day 1 (rule 10)
    ROOM_TOO_SMALL = "room_too_small"  # the room holds fewer than the programme's minimum
    NO_COUNCIL = "no_council"  # no council named, none asking for it nearby
    NO_DATES = "no_dates"  # a period in words only: the days are set when selecting
    DAYS_FAR_APART = "days_far_apart"  # day 2 more than DAYS_CLOSE_TOGETHER after day 1


# A seminar's two days normally lie close together (a weekend, or a week apart): an offer
# whose days lie further apart is shown with a hint (a typo in a date, most often).
DAYS_CLOSE_TOGETHER = 14


def days_far_apart(day1: date, day2: date) -> bool:
    """Whether day 2 comes more than ``DAYS_CLOSE_TOGETHER`` days after day 1."""
    return (day2 - day1).days > DAYS_CLOSE_TOGETHER


def offer_warnings(
    rules: ProgrammeRules,
    *,
    day1: date | None,
    day2: date | None,
    room_capacity: int | None,
    module_taken: bool,
    councils: int,
) -> list[OfferWarning]:
    """The warnings of one offered module, in the order they are shown."""
    found = []
    if module_taken:
        found.append(OfferWarning.MODULE_TAKEN)
    if day1 is None or day2 is None:
        found.append(OfferWarning.NO_DATES)
    else:
        if not (in_period(rules, day1) and in_period(rules, day2)):
            found.append(OfferWarning.OUTSIDE_PERIOD)
        if not days_in_order(day1, day2):
            found.append(OfferWarning.SAME_DAY)
        elif days_far_apart(day1, day2):
            found.append(OfferWarning.DAYS_FAR_APART)
    if room_capacity is not None and room_capacity < rules.min_participants:
        found.append(OfferWarning.ROOM_TOO_SMALL)
    if councils == 0:
        found.append(OfferWarning.NO_COUNCIL)
    return found


def offered_capacity(rules: ProgrammeRules, room_capacity: int | None) -> int | None:
    """The places of a seminar made from a declaration: as many as the room holds, at
    most the programme's maximum; the maximum when the room's size is not known. None
    (nothing to suggest) when the room holds fewer than the programme's minimum: a
    seminar below the minimum is never proposed."""
    if room_capacity is None:
        return rules.max_participants
    if room_capacity < rules.min_participants:
        return None
    return min(room_capacity, rules.max_participants)


# A seminar made from a declaration is planned at the usual eight hours a day (rule 10),
# and registration closes a week before its first day; the draft can be edited after.
SELECTED_DAY_STARTS = time(9, 0)
SELECTED_DAY_ENDS = time(17, 0)
REGISTRATION_CLOSES_DAYS_BEFORE = 7


def registration_deadline_for(first_day: date) -> date:
    """The registration deadline a new draft starts with."""
    return first_day - timedelta(days=REGISTRATION_CLOSES_DAYS_BEFORE)


def deadline_passed(deadline: date, today: date) -> bool:
    """Registration is open until the end of its deadline day (Berlin's date)."""
    return today > deadline


def earliest_selected_first_day(today: date) -> date:
    """The first day of a draft made ``today`` whose registration deadline has not
    passed yet (rule 9: a selected location must still be able to take registrations)."""
    return today + timedelta(days=REGISTRATION_CLOSES_DAYS_BEFORE)


# -- one location, however it is spelled ("Choosing a location gives nobody an account
# by default": the per-location rule compares places, not spellings) -----------------------


@dataclass(frozen=True)
class Place:
    """A VHS as somebody wrote it down. The texts come folded as names are compared
    (case, accents and umlaut spellings aside: ``app.core.text.fold``)."""

    name: str
    town: str
    street: str = ""
    postcode: str = ""


class PlaceMatch(StrEnum):
    """Why a VHS written one way is taken for a VHS known under another name."""

    SAME_ADDRESS = "same_address"  # street, house number and postcode
    SIMILAR_NAME = "similar_name"  # the same town, a name that differs only in spelling


# Words that say what kind of place a VHS is, not which one: "VHS Bochum",
# "Volkshochschule Bochum" and "Volkshochschule der Stadt Bochum" are one place.
VHS_KIND_WORDS = frozenset(
    {
        "volkshochschule",
        "vhs",
        "kreisvolkshochschule",
        "kvhs",
        "stadt",
        "kreis",
        "der",
        "die",
        "das",
        "des",
        "in",
        "im",
        "e",
        "v",
        "ev",
        "gmbh",
        "ggmbh",
    }
)
# Two names (or a word and a kind word) this alike are one name mistyped.
NAME_LIKENESS = 0.85


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^0-9a-z]+", text.lower()) if word]


def _kind_word(word: str) -> bool:
    return word in VHS_KIND_WORDS or (
        len(word) > 8 and SequenceMatcher(None, word, "volkshochschule").ratio() >= NAME_LIKENESS
    )


def _name_core(place: Place) -> list[str]:
    """The words of the name that tell this VHS from others in its town."""
    town = set(_words(place.town))
    return sorted({w for w in _words(place.name) if w not in town and not _kind_word(w)})


def _street_key(street: str) -> str:
    """'Bergstr. 1 - 3' and 'Bergstraße 1-3' (folded) are one street and number."""
    words = [w[:-3] + "strasse" if w.endswith("str") else w for w in _words(street)]
    return "".join(words)


def place_match(declared: Place, known: Place) -> PlaceMatch | None:
    """Whether ``declared`` is the VHS ``known`` written otherwise: the same address
    (street and number, postcode), or the same town and a name that differs only in
    the words for a VHS or in a slip of the keyboard. None: another place."""
    street = _street_key(declared.street)
    postcode = re.sub(r"\D", "", declared.postcode)
    if (
        street
        and postcode
        and street == _street_key(known.street)
        and postcode == re.sub(r"\D", "", known.postcode)
    ):
        return PlaceMatch.SAME_ADDRESS
    town = _words(declared.town)
    if not town or town != _words(known.town):
        return None
    ours, theirs = _name_core(declared), _name_core(known)
    if ours == theirs:
        return PlaceMatch.SIMILAR_NAME
    if ours and theirs:
        likeness = SequenceMatcher(None, " ".join(ours), " ".join(theirs)).ratio()
        if likeness >= NAME_LIKENESS:
            return PlaceMatch.SIMILAR_NAME
    return None


def mail_domain(address: str) -> str:
    """The domain of an e-mail address as compared (IDNA form, lower case)."""
    return normalize_email(address).rpartition("@")[2]


def same_mail_domain(address: str, known: str) -> bool:
    """Whether ``address`` belongs to the domain of ``known`` (or one of its
    subdomains, or ``known`` to one of its): 'anna@bildung.vhs-essen.de' and
    'info@vhs-essen.de' are one organisation."""
    ours, theirs = mail_domain(address), mail_domain(known)
    if "." not in ours or "." not in theirs:
        return False  # a bare name or top-level domain is nobody's organisation
    return ours == theirs or ours.endswith("." + theirs) or theirs.endswith("." + ours)


# -- the anonymous evaluation ("Evaluation" in docs/domain.md) --------------------------

# The questionnaire opens on the second seminar day and stays open this long after it.
EVALUATION_OPEN_WEEKS = 8
# Results of a seminar are shown from this many answers on; with fewer, an answer could
# be told apart (who took part is known), so only their number is shown.
EVALUATION_MIN_ANSWERS = 5


class EvaluationWindow(StrEnum):
    """Where a seminar's questionnaire stands on a given day."""

    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def evaluation_window(
    day2: date, today: date, weeks: int = EVALUATION_OPEN_WEEKS
) -> EvaluationWindow:
    """The questionnaire opens on day 2 (from the morning: people may answer in the room)
    and closes ``weeks`` after it, that last day included."""
    if today < day2:
        return EvaluationWindow.NOT_YET
    if today > day2 + timedelta(weeks=weeks):
        return EvaluationWindow.CLOSED
    return EvaluationWindow.OPEN


def may_answer_evaluation(day1_present: bool | None, day2_present: bool | None) -> bool:
    """Only people who attended answer the questionnaire: recorded present on at least
    one day (None: not recorded yet). The anonymous one-time codes for the room are as
    many as such people, at most."""
    return day1_present is True or day2_present is True


def evaluation_results_shown(answers: int, minimum: int = EVALUATION_MIN_ANSWERS) -> bool:
    """A seminar's results (figures and free texts) are shown from ``minimum`` answers
    on. Sums over several seminars count only seminars that reach it themselves, so that
    no difference of two sums reveals the answers of a small seminar."""
    return answers >= minimum


# -- erasure on request (GDPR Art. 17) ---------------------------------------------------


def erasure_cancels_place(first_day: date, today: date) -> bool:
    """Erasing a person's data (GDPR Art. 17) first cancels their places in seminars
    that have not begun, so that the waiting list moves up. From the first day on the
    registration keeps its state: the seminar's counts and funding rest on it."""
    return today < first_day


# -- after the seminar: certificate and settlement (DOMAIN.md, decisions for the year) ------


def earns_certificate(day1_present: bool | None, day2_present: bool | None) -> bool:
    """A certificate (Teilnahmebescheinigung) only for attendance on both days: each day
    recorded as present (None: not recorded yet)."""
    return day1_present is True and day2_present is True


class CertificateGap(StrEnum):
    """Why a confirmed person has no certificate (yet), from the two days' records."""

    ONLY_DAY1 = "only_day1"  # present on day 1, absent on day 2
    ONLY_DAY2 = "only_day2"
    ABSENT_BOTH = "absent_both"
    ABSENT_DAY1 = "absent_day1"  # absent on day 1, day 2 not recorded
    ABSENT_DAY2 = "absent_day2"  # absent on day 2, day 1 not recorded
    NOT_RECORDED_DAY1 = "not_recorded_day1"  # present on day 2
    NOT_RECORDED_DAY2 = "not_recorded_day2"  # present on day 1
    NOT_RECORDED_BOTH = "not_recorded_both"


_GAPS = {
    (True, False): CertificateGap.ONLY_DAY1,
    (False, True): CertificateGap.ONLY_DAY2,
    (False, False): CertificateGap.ABSENT_BOTH,
    (False, None): CertificateGap.ABSENT_DAY1,
    (None, False): CertificateGap.ABSENT_DAY2,
    (None, True): CertificateGap.NOT_RECORDED_DAY1,
    (True, None): CertificateGap.NOT_RECORDED_DAY2,
    (None, None): CertificateGap.NOT_RECORDED_BOTH,
}


def certificate_gap(day1_present: bool | None, day2_present: bool | None) -> CertificateGap | None:
    """None when the person earns the certificate, else why not."""
    if earns_certificate(day1_present, day2_present):
        return None
    return _GAPS[(day1_present, day2_present)]


def gets_after_seminar_mail(day1_present: bool | None, day2_present: bool | None) -> bool:
    """The mail after the seminar (evaluation link, certificate when earned) goes to each
    person present on at least one day, once both days are recorded (so a day recorded
    later can still bring the certificate with the one mail)."""
    recorded = day1_present is not None and day2_present is not None
    return recorded and (day1_present or day2_present)


# The mail after the seminar goes out as long as the questionnaire it links is open: a
# day recorded late (within the evaluation's weeks) still brings the mail.
AFTER_SEMINAR_MAIL_DAYS = EVALUATION_OPEN_WEEKS * 7


def after_seminar_mail_open(day2: date, today: date) -> bool:
    """The mail after the seminar (certificate, evaluation link) goes out while the
    seminar's questionnaire is open (``evaluation_window``): from day 2 on until
    ``AFTER_SEMINAR_MAIL_DAYS`` after it, that last day included; later the certificates
    are only downloaded."""
    return evaluation_window(day2, today) == EvaluationWindow.OPEN


def catering_cap_cents(rules: ProgrammeRules, persons: int, fundable: bool = True) -> int:
    """The most a settlement pays for catering (rule 6): the programme's amount per
    person who attended at least one day, each person counted once; nothing for a seminar
    that is not fundable."""
    if not fundable:
        return 0
    return rules.catering_cents_per_person * max(persons, 0)


def catering_funded_cents(
    rules: ProgrammeRules, spent_cents: int | None, persons: int, fundable: bool = True
) -> int:
    """Catering in the settlement: the amount spent, at most the cap; nothing while no
    amount is entered."""
    if spent_cents is None:
        return 0
    return min(max(spent_cents, 0), catering_cap_cents(rules, persons, fundable))


# Settlement states, as stored: the VHS submits, the Landesverband (admin) checks and pays.
# (current state, next state) -> the roles that may move it so.
SETTLEMENT_MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "submitted"): frozenset({"vhs", "admin"}),
    ("submitted", "checked"): frozenset({"admin"}),
    ("checked", "paid"): frozenset({"admin"}),
    ("submitted", "draft"): frozenset({"admin"}),  # returned, with a reason
}


def settlement_move_allowed(current: str, target: str, role: str) -> bool:
    """Whether ``role`` may move a settlement from ``current`` to ``target``."""
    return role in SETTLEMENT_MOVES.get((str(current), str(target)), frozenset())


def settlement_editable(state: str, role: str) -> bool:
    """The catering spent is entered by the VHS (or an admin) while the settlement is
    a draft; once submitted it is fixed until it is returned."""
    return str(state) == "draft" and role in {"vhs", "admin"}


def settlement_submittable(day2: date, today: date, cancelled: bool) -> bool:
    """A settlement is submitted from the seminar's second day on, never for a cancelled
    seminar."""
    return not cancelled and today >= day2
