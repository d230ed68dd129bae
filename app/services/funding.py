"""The funding overview: what each seminar and the programme cost under the rules.

Every figure comes from ``app.rules``; this module only fetches the counts (one query
for the seminars with their frozen evidence, one for their trainers, one grouped query
for the registrations, one for the attendance) and adds up. A seminar whose personal
data were deleted (``app.services.retention``) shows the figures frozen for it then
(``SeminarEvidence``), which are the ones it showed before.
"""

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import rules
from app.core.formatting import date_short
from app.core.timeutil import to_berlin
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
    Trainer,
    Vhs,
)
from app.services.availability import seat_counts
from app.services.exports import safe_cell


@dataclass(frozen=True)
class FundingLine:
    seminar: Seminar
    confirmed: int
    funding: rules.SeminarFunding
    # assigned trainers the rules do not fund, in the seminar's order (rule 5)
    unfunded: tuple[Trainer, ...] = ()
    # trainers the headcount would fund, whether or not that many are assigned
    fundable: int = 0
    # people present on day 1 and day 2
    attended: tuple[int, int] = (0, 0)
    # when the figures were frozen before the personal data were deleted
    frozen_at: datetime | None = None
    # the settlement (Abrechnung): its state, and the catering spent once the VHS entered it
    settlement_state: SettlementState = SettlementState.DRAFT
    catering_spent_cents: int | None = None

    @property
    def catering_persons(self) -> int:
        """The people who attended, as the catering cap counts them."""
        return rules.catering_persons(*self.attended)

    @property
    def catering_cap_cents(self) -> int:
        """The most the settlement pays for catering: the amount per person who attended."""
        return rules.catering_cap_cents(self.seminar.programme.rules, self.catering_persons)

    @property
    def catering_settled_cents(self) -> int:
        """Catering in the settlement: the amount spent, at most the cap."""
        return rules.catering_funded_cents(
            self.seminar.programme.rules, self.catering_spent_cents, self.catering_persons
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
    def frozen_on(self) -> date | None:
        return to_berlin(self.frozen_at).date() if self.frozen_at else None

    @property
    def figures(self) -> tuple:
        """What the overview and its CSV show for the seminar (the same before and after
        the purge)."""
        return (self.confirmed, self.funding, self.attended)


@dataclass(frozen=True)
class Totals:
    seminars: int
    confirmed: int
    trainers: int
    trainer_fees_cents: int
    travel_cents: int
    catering_cents: int
    total_cents: int


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


def attended_counts(seminar_ids: list[int]) -> dict[int, tuple[int, int]]:
    """People present per seminar on day 1 and day 2, in one grouped query."""
    counts = {seminar_id: [0, 0] for seminar_id in seminar_ids}
    if not seminar_ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.seminar_id, Attendance.day, sa.func.count())
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(
            Registration.seminar_id.in_(seminar_ids),
            Registration.state == RegistrationState.CONFIRMED,
            Attendance.present.is_(True),
        )
        .group_by(Registration.seminar_id, Attendance.day)
    )
    for seminar_id, day, count in rows:
        counts[seminar_id][day - 1] = count
    return {seminar_id: (one, two) for seminar_id, (one, two) in counts.items()}


def live_line(seminar: Seminar, confirmed: int, attended: tuple[int, int]) -> FundingLine:
    """A seminar's line from its current registrations and its ordered trainers (the
    ``trainer_assignments`` with their trainers should be loaded)."""
    programme_rules = seminar.programme.rules
    ordered = list(seminar.trainer_assignments)
    _funded, unfunded = rules.split_funded(programme_rules, confirmed, ordered)
    return FundingLine(
        seminar=seminar,
        confirmed=confirmed,
        funding=rules.seminar_funding(
            programme_rules, confirmed, [a.travel_cost_cents for a in ordered]
        ),
        unfunded=tuple(a.trainer for a in unfunded),
        fundable=rules.trainers_funded(programme_rules, confirmed),
        attended=attended,
    )


def frozen_line(seminar: Seminar, evidence: SeminarEvidence) -> FundingLine:
    """A seminar's line from the figures frozen for it."""
    funded = evidence.trainers_funded
    return FundingLine(
        seminar=seminar,
        confirmed=evidence.confirmed_at_start,
        funding=rules.SeminarFunding(
            trainers=funded,
            trainer_fees_cents=evidence.trainer_fees_cents,
            travel_cents=evidence.travel_cents,
            catering_cents=evidence.catering_cents,
            assigned=evidence.trainers_assigned,
        ),
        unfunded=tuple(a.trainer for a in seminar.trainer_assignments[funded:]),
        fundable=funded,
        attended=(evidence.attended_day1, evidence.attended_day2),
        frozen_at=evidence.frozen_at,
    )


def evidence_of(line: FundingLine) -> SeminarEvidence:
    """The evidence that keeps a (live) line's figures once the personal data are gone."""
    return SeminarEvidence(
        seminar_id=line.seminar.id,
        confirmed_at_start=line.confirmed,
        attended_day1=line.attended[0],
        attended_day2=line.attended[1],
        trainers_assigned=line.funding.assigned,
        trainers_funded=line.funding.trainers,
        trainer_fees_cents=line.funding.trainer_fees_cents,
        travel_cents=line.funding.travel_cents,
        catering_cents=line.funding.catering_cents,
    )


def lines_for(seminars: list[Seminar]) -> list[FundingLine]:
    """The lines of these seminars, frozen where evidence exists (the seminars'
    ``trainer_assignments`` with their trainers should be loaded)."""
    ids = [s.id for s in seminars]
    frozen = {}
    if ids:
        query = sa.select(SeminarEvidence).where(SeminarEvidence.seminar_id.in_(ids))
        frozen = {e.seminar_id: e for e in db.session.scalars(query)}
    return _lines(seminars, frozen)


def _lines(seminars: list[Seminar], frozen: dict[int, SeminarEvidence]) -> list[FundingLine]:
    live = [s.id for s in seminars if s.id not in frozen]
    counts = seat_counts(live)
    attended = attended_counts(live)
    return [
        frozen_line(seminar, frozen[seminar.id])
        if seminar.id in frozen
        else live_line(
            seminar,
            counts[seminar.id].get(RegistrationState.CONFIRMED, 0),
            attended[seminar.id],
        )
        for seminar in seminars
    ]


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
    lines = _with(_lines(seminars, frozen), settled)
    return Overview(lines, _totals(lines), _settlement_totals(lines))


def with_settlements(lines: list[FundingLine]) -> list[FundingLine]:
    """The lines with their settlements' state and catering spent (one query)."""
    ids = [line.seminar.id for line in lines]
    stored = {}
    if ids:
        query = sa.select(Settlement).where(Settlement.seminar_id.in_(ids))
        stored = {s.seminar_id: s for s in db.session.scalars(query)}
    return _with(lines, stored)


def _with(lines: list[FundingLine], stored: dict[int, Settlement]) -> list[FundingLine]:
    return [
        replace(
            line,
            settlement_state=stored[line.seminar.id].state,
            catering_spent_cents=stored[line.seminar.id].catering_spent_cents,
        )
        if line.seminar.id in stored
        else line
        for line in lines
    ]


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
]
LIVE = "laufend"


def amount(cents: int) -> str:
    """'1800,00': a number German spreadsheets read as such (no thousands separator)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def state_of_figures(line: FundingLine) -> str:
    """'laufend', or 'eingefroren am 01.12.2026' once the personal data were deleted."""
    if line.frozen_on is None:
        return LIVE
    return f"eingefroren am {date_short(line.frozen_on)}"


def as_csv(data: Overview) -> bytes:
    """UTF-8 with BOM and semicolons, every text cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in data.lines:
        seminar, funding = line.seminar, line.funding
        writer.writerow(
            [
                str(seminar.id),
                seminar.module.kind,
                safe_cell(seminar.vhs.name),
                safe_cell(seminar.venue_town),
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
                safe_cell(", ".join(trainer.name for trainer in line.unfunded)),
                str(line.attended[0]),
                str(line.attended[1]),
                state_of_figures(line),
                line.settlement_state.label,
                amount(line.settled_cents),
            ]
        )
    totals = data.totals
    writer.writerow(
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
        ]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
