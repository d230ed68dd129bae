"""The funding overview: what each seminar and the programme cost under the rules.

Every figure comes from ``app.rules``; this module only fetches the counts (one query
for the seminars with their frozen evidence, one for their trainers, one grouped query
for the registrations, one for the attendance) and adds up. A seminar whose personal
data were deleted (``app.services.retention``) shows the figures frozen for it then
(``SeminarEvidence``), which are the ones it showed before.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import rules
from app.core import tabular
from app.core.formatting import date_short
from app.core.tabular import Plain
from app.core.timeutil import berlin_wall_clock, to_berlin
from app.extensions import db
from app.models import (
    Attendance,
    Registration,
    RegistrationState,
    Seminar,
    SeminarEvidence,
    SeminarState,
    SeminarTrainer,
    Settlement,
    SettlementState,
    Vhs,
)
from app.services import messages
from app.services.availability import seat_counts


@dataclass(frozen=True)
class TrainerFigure:
    """A trainer as the settlement shows them: name, funded or not, travel recorded."""

    name: str
    funded: bool
    travel_cents: int


@dataclass(frozen=True)
class FundingLine:
    seminar: Seminar
    # confirmed registrations when day 1 began (before that: now, as planned)
    confirmed: int
    funding: rules.SeminarFunding
    # assigned trainers the rules do not fund (rule 5), in the seminar's order: each has a name
    unfunded: tuple = ()
    # trainers the headcount would fund, whether or not that many are assigned
    fundable: int = 0
    # people present on day 1 and day 2
    attended: tuple[int, int] = (0, 0)
    # people present on at least one day, each counted once (the catering cap)
    attended_persons: int = 0
    # the count at start is fixed: day 1 has begun
    started: bool = False
    # when the figures were frozen before the personal data were deleted
    frozen_at: datetime | None = None
    # the settlement (Abrechnung): its state, and the catering spent once the VHS entered it
    settlement_state: SettlementState = SettlementState.DRAFT
    catering_spent_cents: int | None = None
    # the programme's figures the line was computed under (None: the programme's today)
    terms: rules.ProgrammeRules | None = None
    # every trainer assigned, in the seminar's order
    trainers: tuple[TrainerFigure, ...] = ()
    # when a submitted settlement recorded these figures (they no longer follow the data)
    recorded_at: datetime | None = None

    @property
    def rules(self) -> rules.ProgrammeRules:
        """The programme's figures in force for this line (those of the record, once
        the settlement is submitted)."""
        return self.terms or self.seminar.programme.rules

    @property
    def catering_persons(self) -> int:
        """The people who attended at least one day, each counted once (rule 6)."""
        return self.attended_persons

    @property
    def catering_cap_cents(self) -> int:
        """The most the settlement pays for catering: the amount per person who attended."""
        return rules.catering_cap_cents(self.rules, self.catering_persons, self.funding.fundable)

    @property
    def catering_settled_cents(self) -> int:
        """Catering in the settlement: the amount spent, at most the cap."""
        return rules.catering_funded_cents(
            self.rules, self.catering_spent_cents, self.catering_persons, self.funding.fundable
        )

    @property
    def settled_cents(self) -> int:
        """What the settlement asks for: fees and travel of the funded trainers, and the
        catering spent (at most the cap)."""
        return (
            self.funding.trainer_fees_cents
            + self.funding.travel_cents
            + self.catering_settled_cents
        )

    @property
    def not_fundable_reason(self) -> str | None:
        """Why nothing is funded ("Mindestzahl zu Beginn nicht erreicht"), or None."""
        if self.funding.fundable:
            return None
        return messages.BELOW_MINIMUM_AT_START if self.started else messages.BELOW_MINIMUM_YET

    @property
    def frozen_on(self) -> date | None:
        return to_berlin(self.frozen_at).date() if self.frozen_at else None

    @property
    def figures(self) -> tuple:
        """What the overview and its CSV show for the seminar (the same before and after
        the purge)."""
        return (self.confirmed, self.funding, self.attended, self.attended_persons)


@dataclass(frozen=True)
class Totals:
    seminars: int
    confirmed: int
    trainers: int
    trainer_fees_cents: int
    travel_cents: int
    catering_cents: int
    total_cents: int
    # seminars below the minimum (nothing funded), counted in ``seminars``
    not_fundable: int = 0


@dataclass(frozen=True)
class SettlementTotal:
    """The seminars whose settlement is in one state, and what they settle."""

    state: SettlementState
    seminars: int
    settled_cents: int


@dataclass(frozen=True)
class Overview:
    lines: list[FundingLine]
    totals: Totals
    # per settlement state, in the states' order
    settlements: tuple[SettlementTotal, ...] = ()


@dataclass(frozen=True)
class Attended:
    """Who was present at a seminar: per day, and the persons present on any day."""

    day1: int = 0
    day2: int = 0
    persons: int = 0


def attended_counts(seminar_ids: list[int]) -> dict[int, Attended]:
    """People present per seminar on day 1, on day 2 and on at least one day, in one
    grouped query. A presence stays evidence when the person cancels later."""
    if not seminar_ids:
        return {}
    per_person = (
        sa.select(
            Registration.seminar_id.label("seminar_id"),
            sa.func.max(sa.case((Attendance.day == 1, 1), else_=0)).label("one"),
            sa.func.max(sa.case((Attendance.day == 2, 1), else_=0)).label("two"),
        )
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.seminar_id.in_(seminar_ids), Attendance.present.is_(True))
        .group_by(Registration.seminar_id, Registration.id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            per_person.c.seminar_id,
            sa.func.sum(per_person.c.one),
            sa.func.sum(per_person.c.two),
            sa.func.count(),
        ).group_by(per_person.c.seminar_id)
    )
    counts = {seminar_id: Attended() for seminar_id in seminar_ids}
    for seminar_id, one, two, persons in rows:
        counts[seminar_id] = Attended(int(one or 0), int(two or 0), int(persons))
    return counts


def count_at_start(seminar: Seminar, confirmed_now: int, now_berlin: datetime) -> tuple[int, bool]:
    """(the confirmed count that funds the trainers, whether it is fixed). From the start
    of day 1 it is the count kept then (``registrations.set_state`` keeps it at the first
    change after the start); while nothing has changed since, it is the count now."""
    started = rules.count_at_start_fixed(seminar.day1, seminar.day1_starts, now_berlin)
    if started and seminar.confirmed_at_start is not None:
        return seminar.confirmed_at_start, True
    return confirmed_now, started


def live_line(
    seminar: Seminar, confirmed: int, attended: Attended, now_berlin: datetime | None = None
) -> FundingLine:
    """A seminar's line from its registrations and its ordered trainers (the
    ``trainer_assignments`` with their trainers should be loaded); ``confirmed`` is the
    count of confirmed registrations now."""
    programme_rules = seminar.programme.rules
    confirmed, started = count_at_start(seminar, confirmed, now_berlin or berlin_wall_clock())
    ordered = list(seminar.trainer_assignments)
    funded, unfunded = rules.split_funded(programme_rules, confirmed, ordered)
    return FundingLine(
        seminar=seminar,
        confirmed=confirmed,
        funding=rules.seminar_funding(
            programme_rules, confirmed, [a.travel_cost_cents for a in ordered]
        ),
        unfunded=tuple(a.trainer for a in unfunded),
        fundable=rules.trainers_funded(programme_rules, confirmed),
        attended=(attended.day1, attended.day2),
        attended_persons=attended.persons,
        started=started,
        trainers=_trainer_figures(ordered, len(funded)),
    )


def _trainer_figures(ordered: list[SeminarTrainer], funded: int) -> tuple[TrainerFigure, ...]:
    return tuple(
        TrainerFigure(a.trainer.name, position < funded, a.travel_cost_cents)
        for position, a in enumerate(ordered)
    )


def frozen_line(seminar: Seminar, evidence: SeminarEvidence) -> FundingLine:
    """A seminar's line from the figures frozen for it. Evidence frozen before the count
    of persons present was kept takes the larger day's headcount for it."""
    funded = evidence.trainers_funded
    persons = evidence.attended_persons
    if persons is None:
        persons = max(evidence.attended_day1, evidence.attended_day2)
    fundable = evidence.fundable
    if fundable is None:
        fundable = rules.meets_minimum(seminar.programme.rules, evidence.confirmed_at_start)
    ordered = list(seminar.trainer_assignments)
    return FundingLine(
        seminar=seminar,
        confirmed=evidence.confirmed_at_start,
        funding=rules.SeminarFunding(
            trainers=funded,
            trainer_fees_cents=evidence.trainer_fees_cents,
            travel_cents=evidence.travel_cents,
            catering_cents=evidence.catering_cents,
            assigned=evidence.trainers_assigned,
            fundable=fundable,
        ),
        unfunded=tuple(a.trainer for a in ordered[funded:]),
        fundable=funded,
        attended=(evidence.attended_day1, evidence.attended_day2),
        attended_persons=persons,
        started=True,
        frozen_at=evidence.frozen_at,
        trainers=_trainer_figures(ordered, funded),
    )


def evidence_of(line: FundingLine) -> SeminarEvidence:
    """The evidence that keeps a line's figures once the personal data are gone."""
    return SeminarEvidence(
        seminar_id=line.seminar.id,
        confirmed_at_start=line.confirmed,
        attended_day1=line.attended[0],
        attended_day2=line.attended[1],
        attended_persons=line.attended_persons,
        fundable=line.funding.fundable,
        trainers_assigned=line.funding.assigned,
        trainers_funded=line.funding.trainers,
        trainer_fees_cents=line.funding.trainer_fees_cents,
        travel_cents=line.funding.travel_cents,
        catering_cents=line.funding.catering_cents,
    )


# -- the record of a submitted settlement ----------------------------------------------

RECORD_VERSION = 1


def record_of(line: FundingLine) -> dict:
    """Every figure of a line (and what its documents print of the seminar), as the
    settlement keeps it once submitted: plain JSON values."""
    seminar, terms = line.seminar, line.rules
    return {
        "version": RECORD_VERSION,
        "seminar": {
            "module": int(seminar.module),
            "vhs": seminar.vhs.name,
            "venue_name": seminar.venue_name,
            "venue_town": seminar.venue_town,
            "day1": seminar.day1.isoformat(),
            "day2": seminar.day2.isoformat(),
        },
        "terms": {
            "min_participants": terms.min_participants,
            "seminar_days": terms.seminar_days,
            "trainer_fee_cents_per_day": terms.trainer_fee_cents_per_day,
            "catering_cents_per_person": terms.catering_cents_per_person,
        },
        "confirmed": line.confirmed,
        "started": line.started,
        "fundable": line.fundable,
        "attended": list(line.attended),
        "attended_persons": line.attended_persons,
        "funding": {
            "trainers": line.funding.trainers,
            "trainer_fees_cents": line.funding.trainer_fees_cents,
            "travel_cents": line.funding.travel_cents,
            "catering_cents": line.funding.catering_cents,
            "assigned": line.funding.assigned,
            "fundable": line.funding.fundable,
        },
        "trainers": [
            {"name": t.name, "funded": t.funded, "travel_cents": t.travel_cents}
            for t in line.trainers
        ],
        "catering_spent_cents": line.catering_spent_cents,
        "frozen_at": line.frozen_at.isoformat() if line.frozen_at else None,
    }


def recorded_line(
    seminar: Seminar,
    record: dict,
    state: SettlementState = SettlementState.DRAFT,
    recorded_at: datetime | None = None,
) -> FundingLine:
    """A seminar's line as a settlement recorded it (``record_of``): the one submitted
    at ``recorded_at``, or the version given back."""
    trainers = tuple(TrainerFigure(**t) for t in record["trainers"])
    frozen_at = record.get("frozen_at")
    return FundingLine(
        seminar=seminar,
        confirmed=record["confirmed"],
        funding=rules.SeminarFunding(**record["funding"]),
        unfunded=tuple(t for t in trainers if not t.funded),
        fundable=record["fundable"],
        attended=tuple(record["attended"]),
        attended_persons=record["attended_persons"],
        started=record["started"],
        frozen_at=datetime.fromisoformat(frozen_at) if frozen_at else None,
        settlement_state=state,
        catering_spent_cents=record["catering_spent_cents"],
        terms=replace(seminar.programme.rules, **record["terms"]),
        trainers=trainers,
        recorded_at=recorded_at,
    )


def lines_for(seminars: list[Seminar], with_settlements: bool = True) -> list[FundingLine]:
    """The lines of these seminars with their settlements: as recorded where a submitted
    settlement keeps them, frozen where evidence exists, else live (the seminars'
    ``trainer_assignments`` with their trainers should be loaded). Without settlements:
    the figures as the data give them now, for a settlement to record."""
    ids = [s.id for s in seminars]
    frozen, stored = {}, {}
    if ids:
        query = sa.select(SeminarEvidence).where(SeminarEvidence.seminar_id.in_(ids))
        frozen = {e.seminar_id: e for e in db.session.scalars(query)}
    if ids and with_settlements:
        query = sa.select(Settlement).where(Settlement.seminar_id.in_(ids))
        stored = {s.seminar_id: s for s in db.session.scalars(query)}
    return _lines(seminars, frozen, stored)


def _lines(
    seminars: list[Seminar], frozen: dict[int, SeminarEvidence], stored: dict[int, Settlement]
) -> list[FundingLine]:
    recorded = {i for i, s in stored.items() if s.record is not None}
    live = [s.id for s in seminars if s.id not in frozen and s.id not in recorded]
    counts = seat_counts(live)
    attended = attended_counts(live)
    now = berlin_wall_clock()
    lines = []
    for seminar in seminars:
        if seminar.id in recorded:
            kept = stored[seminar.id]
            lines.append(recorded_line(seminar, kept.record, kept.state, kept.submitted_at))
            continue
        if seminar.id in frozen:
            line = frozen_line(seminar, frozen[seminar.id])
        else:
            confirmed = counts[seminar.id].get(RegistrationState.CONFIRMED, 0)
            line = live_line(seminar, confirmed, attended[seminar.id], now)
        if seminar.id in stored:
            line = replace(
                line,
                settlement_state=stored[seminar.id].state,
                catering_spent_cents=stored[seminar.id].catering_spent_cents,
            )
        lines.append(line)
    return lines


def line_for(seminar: Seminar) -> FundingLine:
    """One seminar's line, as the overview shows it."""
    return lines_for([seminar])[0]


def overview(
    *, programme_id: int | None = None, module: int | None = None, vhs_id: int | None = None
) -> Overview:
    """Every seminar that is not cancelled (drafts included: they are planned), filtered."""
    query = (
        sa.select(Seminar, SeminarEvidence, Settlement)
        .join(Seminar.vhs)
        .outerjoin(SeminarEvidence, SeminarEvidence.seminar_id == Seminar.id)
        .outerjoin(Settlement, Settlement.seminar_id == Seminar.id)
        .where(Seminar.state != SeminarState.CANCELLED)
        .options(
            joinedload(Seminar.vhs),
            joinedload(Seminar.programme),
            selectinload(Seminar.trainer_assignments).joinedload(SeminarTrainer.trainer),
        )
        .order_by(Seminar.day1, Vhs.town, Seminar.id)
    )
    if programme_id is not None:
        query = query.where(Seminar.programme_id == programme_id)
    if module is not None:
        query = query.where(Seminar.module == module)
    if vhs_id is not None:
        query = query.where(Seminar.vhs_id == vhs_id)
    rows = db.session.execute(query).unique().all()
    seminars = [seminar for seminar, _evidence, _settlement in rows]
    frozen = {seminar.id: evidence for seminar, evidence, _s in rows if evidence is not None}
    settled = {seminar.id: stored for seminar, _e, stored in rows if stored is not None}
    lines = _lines(seminars, frozen, settled)
    return Overview(lines, _totals(lines), _settlement_totals(lines))


def _settlement_totals(lines: list[FundingLine]) -> tuple[SettlementTotal, ...]:
    return tuple(
        SettlementTotal(
            state=state,
            seminars=sum(1 for line in lines if line.settlement_state == state),
            settled_cents=sum(
                line.settled_cents for line in lines if line.settlement_state == state
            ),
        )
        for state in SettlementState
    )


def _totals(lines: list[FundingLine]) -> Totals:
    return Totals(
        seminars=len(lines),
        confirmed=sum(line.confirmed for line in lines),
        trainers=sum(line.funding.trainers for line in lines),
        trainer_fees_cents=sum(line.funding.trainer_fees_cents for line in lines),
        travel_cents=sum(line.funding.travel_cents for line in lines),
        catering_cents=sum(line.funding.catering_cents for line in lines),
        total_cents=sum(line.funding.total_cents for line in lines),
        not_fundable=sum(1 for line in lines if not line.funding.fundable),
    )


# -- CSV -------------------------------------------------------------------------

HEADER = [
    "Nr.",
    "Modul",
    "Volkshochschule",
    "Ort",
    "1. Tag",
    "2. Tag",
    "Status",
    "Anmeldungen (bestätigt)",
    "Trainer*innen gefördert",
    "Honorare (EUR)",
    "Reisekosten (EUR)",
    "Verpflegung (EUR)",
    "Summe (EUR)",
    "Trainer*innen zugeordnet",
    "Nicht gefördert",
    "Anwesend Tag 1",
    "Anwesend Tag 2",
    "Stand der Zahlen",
    "Abrechnung",
    "Abgerechnet (EUR)",
    "Hinweis",
]
LIVE = "laufend"


def amount(cents: int) -> str:
    """'1800,00': a number German spreadsheets read as such (no thousands separator),
    written as is in a CSV (a negative amount is no formula)."""
    sign = "-" if cents < 0 else ""
    return Plain(f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}")


def state_of_figures(line: FundingLine) -> str:
    """'laufend', 'festgeschrieben am 01.12.2026' once a submitted settlement recorded
    them, or 'eingefroren am 01.12.2026' once the personal data were deleted."""
    if line.recorded_at is not None:
        return f"festgeschrieben am {date_short(to_berlin(line.recorded_at).date())}"
    if line.frozen_on is None:
        return LIVE
    return f"eingefroren am {date_short(line.frozen_on)}"


def as_csv(data: Overview) -> bytes:
    """UTF-8 with BOM and semicolons, every text cell formula-safe."""
    rows = []
    for line in data.lines:
        seminar, funding = line.seminar, line.funding
        rows.append(
            [
                str(seminar.id),
                seminar.module.kind,
                seminar.vhs.name,
                seminar.venue_town,
                date_short(seminar.day1),
                date_short(seminar.day2),
                seminar.state.label,
                str(line.confirmed),
                str(funding.trainers),
                amount(funding.trainer_fees_cents),
                amount(funding.travel_cents),
                amount(funding.catering_cents),
                amount(funding.total_cents),
                str(funding.assigned),
                ", ".join(trainer.name for trainer in line.unfunded),
                str(line.attended[0]),
                str(line.attended[1]),
                state_of_figures(line),
                line.settlement_state.label,
                amount(line.settled_cents),
                line.not_fundable_reason or "",
            ]
        )
    totals = data.totals
    rows.append(
        [
            "Summe",
            f"{totals.seminars} Seminare",
            "",
            "",
            "",
            "",
            "",
            str(totals.confirmed),
            str(totals.trainers),
            amount(totals.trainer_fees_cents),
            amount(totals.travel_cents),
            amount(totals.catering_cents),
            amount(totals.total_cents),
            "",
            "",
            "",
            "",
            "",
            "",
            amount(sum(line.settled_cents for line in data.lines)),
            messages.not_fundable_count(totals.not_fundable) if totals.not_fundable else "",
        ]
    )
    return tabular.csv_bytes(HEADER, rows)
