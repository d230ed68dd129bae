"""The funding overview: what each seminar and the programme cost under the rules.

Every figure comes from ``app.rules``; this module only fetches the counts (one
grouped query for the registrations, one for the travel costs) and adds up.
"""

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import rules
from app.core.formatting import date_short
from app.extensions import db
from app.models import RegistrationState, Seminar, SeminarState, SeminarTrainer, Vhs
from app.services.availability import seat_counts
from app.services.exports import safe_cell


@dataclass(frozen=True)
class FundingLine:
    seminar: Seminar
    confirmed: int
    funding: rules.SeminarFunding


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
class Overview:
    lines: list[FundingLine]
    totals: Totals


def _travel_costs(seminar_ids: list[int]) -> dict[int, int]:
    if not seminar_ids:
        return {}
    rows = db.session.execute(
        sa.select(SeminarTrainer.seminar_id, sa.func.sum(SeminarTrainer.travel_cost_cents))
        .where(SeminarTrainer.seminar_id.in_(seminar_ids))
        .group_by(SeminarTrainer.seminar_id)
    )
    return {seminar_id: int(total or 0) for seminar_id, total in rows}


def overview(
    *, programme_id: int | None = None, module: int | None = None, vhs_id: int | None = None
) -> Overview:
    """Every seminar that is not cancelled (drafts included: they are planned), filtered."""
    query = (
        sa.select(Seminar)
        .join(Seminar.vhs)
        .where(Seminar.state != SeminarState.CANCELLED)
        .options(joinedload(Seminar.vhs), joinedload(Seminar.programme))
        .order_by(Seminar.day1, Vhs.town, Seminar.id)
    )
    if programme_id is not None:
        query = query.where(Seminar.programme_id == programme_id)
    if module is not None:
        query = query.where(Seminar.module == module)
    if vhs_id is not None:
        query = query.where(Seminar.vhs_id == vhs_id)
    seminars = list(db.session.scalars(query))
    ids = [s.id for s in seminars]
    counts = seat_counts(ids)
    travel = _travel_costs(ids)
    lines = []
    for seminar in seminars:
        confirmed = counts[seminar.id].get(RegistrationState.CONFIRMED, 0)
        funding = rules.seminar_funding(
            seminar.programme.rules, confirmed, travel.get(seminar.id, 0)
        )
        lines.append(FundingLine(seminar, confirmed, funding))
    return Overview(lines, _totals(lines))


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
]


def amount(cents: int) -> str:
    """'1800,00': a number German spreadsheets read as such (no thousands separator)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


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
        ]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
