"""A seminar's settlement (Abrechnung): its figures and its states.

The figures are the seminar's line of the funding overview (``funding.line_for``, frozen
evidence after the purge): trainers funded by the confirmed count when day 1 began, their
fees and recorded travel, the attended headcount per day; catering is the amount the VHS
spent, at most the programme's amount per person who attended on at least one day
(``rules.catering_funded_cents``); below the minimum at the start nothing is funded.

Submitting records every figure in the settlement (``Settlement.record``): while it is
submitted, checked or paid, later changes of fees, travel, attendance, registrations or
the seminar leave the settlement, its documents and its overview line as they were.
Giving it back returns it to draft, where the figures follow the data again, and keeps
the returned version (``returned_record``) to show what changed against it.

The VHS enters the catering spent and submits; the Landesverband (admin) checks, pays, or
gives a submitted settlement back with a reason (``rules.SETTLEMENT_MOVES``). Each change is
one transaction with its audit entry. While a settlement is submitted or further on, the
attendance it rests on is fixed (``app.services.attendance``).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa

from app import rules
from app.core.enums import Module
from app.core.formatting import euro
from app.core.timeutil import utcnow
from app.database import locked, write_transaction
from app.extensions import db
from app.models import (
    Role,
    Seminar,
    SeminarState,
    Settlement,
    SettlementState,
    User,
)
from app.services import audit, funding, messages
from app.services.audit import Action, Subject
from app.services.errors import ServiceError

ACTIONS = {
    SettlementState.SUBMITTED: Action.SETTLEMENT_SUBMITTED,
    SettlementState.CHECKED: Action.SETTLEMENT_CHECKED,
    SettlementState.PAID: Action.SETTLEMENT_PAID,
    SettlementState.DRAFT: Action.SETTLEMENT_RETURNED,
}


class SettlementRefused(ServiceError):
    """A change of the settlement that the state, the role or the input does not allow."""


@dataclass(frozen=True)
class Change:
    """One figure that differs from the version given back: label, then and now."""

    label: str
    before: object
    after: object


# The sheet's labels besides its figures (``figures_of``): the page, the PDF and the XLSX
# read them from here.
TRAINER_COLUMNS = ("Trainer*in", "Gefördert", "Reisekosten erfasst")
STEPS = (("submitted", "Eingereicht"), ("checked", "Geprüft"), ("paid", "Ausgezahlt"))


@dataclass(frozen=True)
class Sheet:
    """What the settlement sheet shows: the seminar's funding line with its settlement."""

    seminar: Seminar
    line: funding.FundingLine
    settlement: Settlement | None

    @property
    def state(self) -> SettlementState:
        return self.line.settlement_state

    def moves(self) -> list[tuple[str, str, datetime]]:
        """(step, label, when) of each step the settlement took (``STEPS``), in order."""
        if self.settlement is None:
            return []
        taken = [(step, label, getattr(self.settlement, f"{step}_at")) for step, label in STEPS]
        return [(step, label, at) for step, label, at in taken if at is not None]

    @property
    def trainers(self) -> list[tuple[funding.TrainerFigure, bool, int]]:
        """(trainer, funded, travel cents recorded) in the seminar's order, as recorded
        once submitted. After the purge the travel per trainer is the one recorded now;
        the funded total is frozen."""
        return [(t, t.funded, t.travel_cents) for t in self.line.trainers]

    @property
    def about(self) -> dict:
        """What the documents print of the seminar: as recorded once submitted."""
        if self.line.recorded_at is not None and self.settlement is not None:
            shown = self.settlement.record["seminar"]
            return {
                "module": Module(shown["module"]),
                "vhs": shown["vhs"],
                "venue_name": shown["venue_name"],
                "venue_town": shown["venue_town"],
                "day1": date.fromisoformat(shown["day1"]),
                "day2": date.fromisoformat(shown["day2"]),
            }
        seminar = self.seminar
        return {
            "module": seminar.module,
            "vhs": seminar.vhs.name,
            "venue_name": seminar.venue_name,
            "venue_town": seminar.venue_town,
            "day1": seminar.day1,
            "day2": seminar.day2,
        }

    @property
    def changes(self) -> list[Change]:
        """What changed in the draft against the version last given back."""
        if self.settlement is None or self.settlement.returned_record is None:
            return []
        if self.state != SettlementState.DRAFT:
            return []
        before = funding.recorded_line(self.seminar, self.settlement.returned_record)
        return [
            Change(label, was, now)
            for (label, was), (_label, now) in zip(
                figures_of(before), figures_of(self.line), strict=True
            )
            if was != now
        ]

    def submittable(self, today: date) -> bool:
        return rules.settlement_submittable(
            self.seminar.day2, today, self.seminar.state == SeminarState.CANCELLED
        )


def figures_of(line: funding.FundingLine) -> list[tuple[str, object]]:
    """The settlement's figures in order: (label, value); a value in cents is an ``int``
    with the label ending in "(EUR)", everything else text or a count. The sheet, its
    files and the differences to a returned version all read them from here."""
    terms = line.rules
    return [
        ("Anmeldungen (bestätigt) zu Beginn", line.confirmed),
        ("Anwesend Tag 1", line.attended[0]),
        ("Anwesend Tag 2", line.attended[1]),
        ("Anwesend an mindestens einem Tag", line.attended_persons),
        ("Trainer*innen zugeordnet", line.funding.assigned),
        ("Trainer*innen gefördert", line.funding.trainers),
        ("Honorar je Trainer*in und Tag (EUR)", terms.trainer_fee_cents_per_day),
        ("Honorare (EUR)", line.funding.trainer_fees_cents),
        ("Reisekosten (EUR)", line.funding.travel_cents),
        ("Verpflegung je Person höchstens (EUR)", terms.catering_cents_per_person),
        ("Personen für die Verpflegung", line.catering_persons),
        ("Verpflegung höchstens (EUR)", line.catering_cap_cents),
        ("Verpflegung ausgegeben (EUR)", line.catering_spent_cents),
        ("Verpflegung abgerechnet (EUR)", line.catering_settled_cents),
        ("Summe der Abrechnung (EUR)", line.settled_cents),
    ]


def sheet_for(seminar: Seminar) -> Sheet:
    (line,) = funding.lines_for([seminar])
    stored = db.session.scalars(
        sa.select(Settlement).where(Settlement.seminar_id == seminar.id)
    ).first()
    return Sheet(seminar=seminar, line=line, settlement=stored)


def signers_of(settlement: Settlement | None) -> dict[str, User]:
    """Who submitted, checked and paid the settlement (as far as it came)."""
    if settlement is None:
        return {}
    ids = {
        "submitted": settlement.submitted_by_id,
        "checked": settlement.checked_by_id,
        "paid": settlement.paid_by_id,
    }
    wanted = {i for i in ids.values() if i is not None}
    users = {}
    if wanted:
        users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}
    return {step: users[i] for step, i in ids.items() if i in users}


# -- changes ------------------------------------------------------------------------


def set_catering(seminar_id: int, spent_cents: int, actor: User) -> None:
    """The VHS (or an admin) enters what catering cost, while the settlement is a draft."""
    if spent_cents < 0:
        raise SettlementRefused(messages.CATERING_NEGATIVE, field="catering")
    with write_transaction():
        seminar, settlement = _locked(seminar_id, actor)
        if not rules.settlement_editable(settlement.state, actor.role):
            raise SettlementRefused(messages.SETTLEMENT_NOT_EDITABLE)
        before = settlement.catering_spent_cents
        if before == spent_cents:
            return
        settlement.catering_spent_cents = spent_cents
        _log(
            Action.SETTLEMENT_CATERING,
            seminar,
            actor,
            [["catering_spent_cents", _shown(before), euro(spent_cents)]],
        )


def submit(seminar_id: int, actor: User, today: date) -> None:
    """DRAFT -> SUBMITTED by the VHS (or an admin): from day 2 on, catering entered."""
    with write_transaction():
        seminar, settlement = _locked(seminar_id, actor)
        _check_move(settlement, SettlementState.SUBMITTED, actor)
        if not rules.settlement_submittable(
            seminar.day2, today, seminar.state == SeminarState.CANCELLED
        ):
            if seminar.state == SeminarState.CANCELLED:
                raise SettlementRefused(messages.SETTLEMENT_SEMINAR_CANCELLED)
            raise SettlementRefused(messages.settlement_too_early(seminar.day2))
        if settlement.catering_spent_cents is None:
            raise SettlementRefused(messages.CATERING_MISSING, field="catering")
        settlement.submitted_at, settlement.submitted_by_id = utcnow(), actor.id
        settlement.note = ""
        settlement.record = _record(seminar, settlement)
        _move(seminar, settlement, SettlementState.SUBMITTED, actor)


def check(seminar_id: int, actor: User) -> None:
    """SUBMITTED -> CHECKED by the Landesverband."""
    _confirm(seminar_id, actor, SettlementState.CHECKED)


def mark_paid(seminar_id: int, actor: User) -> None:
    """CHECKED -> PAID by the Landesverband."""
    _confirm(seminar_id, actor, SettlementState.PAID)


def _confirm(seminar_id: int, actor: User, target: SettlementState) -> None:
    """The Landesverband's step forward: stamped as ``<target>_at`` and ``<target>_by_id``."""
    with write_transaction():
        seminar, settlement = _locked(seminar_id, actor)
        _check_move(settlement, target, actor)
        setattr(settlement, f"{target.value}_at", utcnow())
        setattr(settlement, f"{target.value}_by_id", actor.id)
        if settlement.record is None:  # submitted before settlements kept their figures
            settlement.record = _record(seminar, settlement)
        _move(seminar, settlement, target, actor)


def give_back(seminar_id: int, actor: User, reason: str) -> None:
    """SUBMITTED -> DRAFT by the Landesverband, with the reason the VHS then reads."""
    reason = reason.strip()
    if not reason:
        raise SettlementRefused(messages.RETURN_REASON_MISSING, field="reason")
    with write_transaction():
        seminar, settlement = _locked(seminar_id, actor)
        _check_move(settlement, SettlementState.DRAFT, actor)
        settlement.submitted_at = settlement.submitted_by_id = None
        settlement.note = reason
        settlement.returned_record = settlement.record or _record(seminar, settlement)
        settlement.record = None
        _move(seminar, settlement, SettlementState.DRAFT, actor, detail=reason)


def _locked(seminar_id: int, actor: User) -> tuple[Seminar, Settlement]:
    """The seminar locked, then its settlement (made as a draft on the first change)."""
    seminar = locked(Seminar, seminar_id)
    if seminar is None:
        raise SettlementRefused(messages.SEMINAR_NOT_FOUND)
    if actor.role == Role.VHS and actor.vhs_id != seminar.vhs_id:
        raise SettlementRefused(messages.SETTLEMENT_ROLE_REFUSED)
    if seminar.state == SeminarState.CANCELLED:
        raise SettlementRefused(messages.SETTLEMENT_SEMINAR_CANCELLED)
    settlement = db.session.scalars(
        sa.select(Settlement)
        .where(Settlement.seminar_id == seminar_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if settlement is None:
        settlement = Settlement(seminar_id=seminar_id, state=SettlementState.DRAFT)
        db.session.add(settlement)
    return seminar, settlement


def _record(seminar: Seminar, settlement: Settlement) -> dict:
    """Every figure of the seminar's line as it stands now (under the seminar's lock),
    with the catering the settlement holds."""
    (line,) = funding.lines_for([seminar], with_settlements=False)
    line = replace(line, catering_spent_cents=settlement.catering_spent_cents)
    return funding.record_of(line)


def _check_move(settlement: Settlement, target: SettlementState, actor: User) -> None:
    current = settlement.state or SettlementState.DRAFT
    if (current, target) not in rules.SETTLEMENT_MOVES:
        raise SettlementRefused(messages.settlement_wrong_state(SettlementState(current).label))
    if not rules.settlement_move_allowed(current, target, actor.role):
        raise SettlementRefused(messages.SETTLEMENT_ROLE_REFUSED)


def _move(
    seminar: Seminar,
    settlement: Settlement,
    target: SettlementState,
    actor: User,
    detail: str = "",
) -> None:
    before = SettlementState(settlement.state or SettlementState.DRAFT)
    settlement.state = target
    _log(
        ACTIONS[target], seminar, actor, [["settlement_state", before.label, target.label]], detail
    )


def _log(action: Action, seminar: Seminar, actor: User, changes, detail: str = "") -> None:
    audit.record(
        action,
        seminar_id=seminar.id,
        subject=Subject.SEMINAR,
        subject_id=seminar.id,
        actor_id=actor.id,
        detail=detail,
        changes=changes,
    )


def _shown(cents: int | None) -> str:
    return audit.EMPTY if cents is None else euro(cents)
