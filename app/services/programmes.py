"""A programme and its rules (docs/domain.md, rules 1-7 and 10, as data): created, and
edited only while no seminar of it would break the new rules. Every save is in the
audit log with the old and new value of each rule and fee changed.

The next programme year is started from an existing programme: its rules copied (and
edited), its period after the source's. VHS, councils, trainers and accounts belong to
no programme and so serve the new year as they are; seminars and registrations belong
to their programme and are not carried over."""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa

from app import rules
from app.core.formatting import euro
from app.database import locked, serialize, write_transaction
from app.extensions import db
from app.models import Programme, Seminar, SeminarState
from app.services import audit, messages
from app.services.audit import Subject
from app.services.errors import ServiceError


@dataclass(frozen=True)
class RuleConflicts:
    """Seminars that new programme rules would break."""

    outside_period: list[Seminar]
    places_outside: list[Seminar]

    def __bool__(self) -> bool:
        return bool(self.outside_period or self.places_outside)


def rule_conflicts(programme: Programme, new_rules: rules.ProgrammeRules) -> RuleConflicts:
    """The programme's seminars (not cancelled) whose days or places the new rules refuse."""
    seminars = list(
        db.session.scalars(
            sa.select(Seminar)
            .where(Seminar.programme_id == programme.id, Seminar.state != SeminarState.CANCELLED)
            .order_by(Seminar.day1, Seminar.id)
        )
    )
    old_rules = programme.rules
    return RuleConflicts(
        outside_period=[
            s
            for s in seminars
            if not (rules.in_period(new_rules, s.day1) and rules.in_period(new_rules, s.day2))
        ],
        # a seminar that was outside before is listed on the admin home, not blocking here
        places_outside=[
            s
            for s in seminars
            if not rules.capacity_allowed(new_rules, s.capacity)
            and rules.capacity_allowed(old_rules, s.capacity)
        ],
    )


class RulesConflict(ServiceError):
    """New rules that seminars of the programme would break; nothing is changed."""

    def __init__(self, conflicts: RuleConflicts):
        super().__init__(messages.RULES_BREAK_SEMINARS)
        self.conflicts = conflicts


MONEY_FIELDS = ("trainer_fee_cents_per_day", "catering_cents_per_person")
LOGGED_FIELDS = ("title", *rules.ProgrammeRules.__dataclass_fields__, "interest_deadline")


def _snapshot(
    title: str, programme_rules: rules.ProgrammeRules, interest_deadline: date | None
) -> dict[str, object]:
    values: dict[str, object] = {"title": title, "interest_deadline": interest_deadline}
    for name in rules.ProgrammeRules.__dataclass_fields__:
        value = getattr(programme_rules, name)
        values[name] = euro(value) if name in MONEY_FIELDS else value
    return values


def save_programme(
    programme_id: int | None,
    title: str,
    new_rules: rules.ProgrammeRules,
    *,
    interest_deadline: date | None = None,
    actor_id: int | None = None,
) -> Programme:
    """Create (``programme_id`` None) or change a programme. Its row is locked while the
    seminars are checked against the new rules, so that no seminar edit slips between
    the check and the change (seminar edits lock the programme first, too). The
    interest deadline is the last day VHS and councils declare interest (rule 9)."""
    with write_transaction() as session:
        if programme_id is None:
            programme = Programme()
            session.add(programme)
            before = {}
        else:
            programme = locked(Programme, programme_id)
            conflicts = rule_conflicts(programme, new_rules)
            if conflicts:
                raise RulesConflict(conflicts)
            before = _snapshot(programme.title, programme.rules, programme.interest_deadline)
        programme.title = title
        programme.interest_deadline = interest_deadline
        for name in rules.ProgrammeRules.__dataclass_fields__:
            setattr(programme, name, getattr(new_rules, name))
        session.flush()
        audit.record_edit(
            Subject.PROGRAMME,
            programme.id,
            created=programme_id is None,
            before=before,
            after=_snapshot(title, new_rules, interest_deadline),
            fields=LOGGED_FIELDS,
            actor_id=actor_id,
            detail=title,
        )
    return programme


# -- the next programme year -----------------------------------------------------------


class NextPeriodRefused(ServiceError):
    """The next year's period does not lie after the source programme's (or would not
    end last); nothing is stored. ``field`` names the date the message is about."""


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def next_period(source: rules.ProgrammeRules) -> tuple[date, date]:
    """The source's period moved on by one year. A period longer than a year would then
    overlap its source: the suggestion starts the day after the source ends instead."""
    start, end = _a_year_on(source.period_start), _a_year_on(source.period_end)
    return max(start, source.period_end + timedelta(days=1)), end


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def next_title(title: str, start: date, end: date) -> str:
    """A title for the next year: every year in it moved on by one, or, without a
    year, the new period's years added."""
    if _YEAR.search(title):
        return _YEAR.sub(lambda year: str(int(year.group()) + 1), title)
    years = str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"{title} {years}"[:200]


def next_programme_rules(source: Programme) -> tuple[str, rules.ProgrammeRules]:
    """What the form for the next year starts with: a title, the period moved on, and
    the source's figures unchanged."""
    start, end = next_period(source.rules)
    return next_title(source.title, start, end), replace(
        source.rules, period_start=start, period_end=end
    )


def next_interest_deadline(source: Programme) -> date | None:
    """The next year's interest deadline: the source's moved on by a year, like its
    period (none when the source has none)."""
    if source.interest_deadline is None:
        return None
    return _a_year_on(source.interest_deadline)


def _check_next_period(source: Programme, new_rules: rules.ProgrammeRules) -> None:
    start, end = new_rules.period_start, new_rules.period_end
    if end < start:
        raise NextPeriodRefused(messages.PERIOD_END_BEFORE_START, field="period_end")
    if end < source.period_start:
        raise NextPeriodRefused(
            messages.next_period_before(source.title, source.period_start), field="period_end"
        )
    if start <= source.period_end:
        raise NextPeriodRefused(
            messages.next_period_overlaps(source.title, source.period_start, source.period_end),
            field="period_start",
        )
    later = db.session.scalars(
        sa.select(Programme)
        .where(Programme.period_end > end)
        .order_by(Programme.period_end.desc(), Programme.id.desc())
        .limit(1)
    ).first()
    if later is not None:
        raise NextPeriodRefused(
            messages.next_period_not_last(later.title, later.period_end), field="period_end"
        )


@dataclass(frozen=True)
class NextYear:
    """The next programme year, and whether this call made it (False: it was made
    before, by an earlier send of the same form, and nothing was stored now)."""

    programme: Programme
    created: bool


def next_year_of(source_id: int) -> Programme | None:
    """The programme started as the next year of ``source_id``, if any."""
    return db.session.scalars(
        sa.select(Programme).where(Programme.previous_id == source_id)
    ).first()


def start_next_programme(
    source_id: int,
    title: str,
    new_rules: rules.ProgrammeRules,
    *,
    interest_deadline: date | None = None,
    actor_id: int | None = None,
) -> NextYear:
    """Create the programme year after ``source_id`` with ``new_rules`` (the source's,
    as edited): its period must start after the source's ends and end after every
    other programme's, so that it becomes the current programme. No seminar and no
    registration is carried over. Logged as "Programm angelegt", naming the source.

    A programme has one next year: once it is made, every further call (a double click,
    a reload, the back button) answers with it and stores nothing. The source's row
    lock lets one call at a time check that; the unique ``previous_id`` holds it in the
    database even so."""
    try:
        return _start_next_programme(
            source_id, title, new_rules, interest_deadline=interest_deadline, actor_id=actor_id
        )
    except sa.exc.IntegrityError:
        # another call made it between our check and our insert (nothing of ours stayed)
        made = next_year_of(source_id)
        if made is None:
            raise
        return NextYear(made, created=False)


def _start_next_programme(
    source_id: int,
    title: str,
    new_rules: rules.ProgrammeRules,
    *,
    interest_deadline: date | None,
    actor_id: int | None,
) -> NextYear:
    with write_transaction() as session:
        serialize("programme-order")  # "ends last" holds against a concurrent next year
        source = locked(Programme, source_id)
        if source is None:
            raise ServiceError(messages.PROGRAMME_NOT_FOUND)
        made = next_year_of(source.id)
        if made is not None:
            return NextYear(made, created=False)
        _check_next_period(source, new_rules)
        programme = Programme(
            title=title, interest_deadline=interest_deadline, previous_id=source.id
        )
        for name in rules.ProgrammeRules.__dataclass_fields__:
            setattr(programme, name, getattr(new_rules, name))
        session.add(programme)
        session.flush()
        audit.record_edit(
            Subject.PROGRAMME,
            programme.id,
            created=True,
            before={},
            after=_snapshot(title, new_rules, interest_deadline),
            fields=LOGGED_FIELDS,
            actor_id=actor_id,
            detail=f"{title} (nächstes Programmjahr nach „{source.title}“)",
        )
    return NextYear(programme, created=True)
