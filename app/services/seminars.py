"""Creating and editing seminars (everything but their places and state, which
``app.services.registrations`` changes under the seminar's lock)."""

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa

from app import rules
from app.database import write_transaction
from app.extensions import db
from app.models import Council, Programme, Registration, Seminar, SeminarState, Vhs


class ModuleSlotTaken(Exception):
    """The VHS already holds a seminar of this module in the programme (DOMAIN rule 7)."""

    def __init__(self, holder: Seminar):
        super().__init__(f"module slot held by seminar {holder.id}")
        self.holder = holder


@dataclass(frozen=True)
class SeminarData:
    """The editable facts of a seminar, as the admin form delivers them."""

    programme_id: int
    vhs_id: int
    module: int
    venue_name: str
    venue_street: str
    venue_postcode: str
    venue_town: str
    day1: date
    day1_starts: time
    day1_ends: time
    day2: date
    day2_starts: time
    day2_ends: time
    registration_deadline: date
    council_ids: tuple[int, ...] = ()
    note: str = ""


def module_slot_holder(
    vhs_id: int, programme_id: int, module: int, seminar_id: int | None = None
) -> Seminar | None:
    """The seminar that holds the VHS's place for ``module`` in the programme, if any.

    Cancelled seminars hold no place; a later programme starts afresh.
    """
    held = db.session.execute(
        sa.select(Seminar.id, Seminar.module).where(
            Seminar.vhs_id == vhs_id,
            Seminar.programme_id == programme_id,
            Seminar.state != SeminarState.CANCELLED,
        )
    ).all()
    holder_id = rules.module_slot_holder([tuple(row) for row in held], module, seminar_id)
    return db.session.get(Seminar, holder_id) if holder_id is not None else None


def _lock_vhs(vhs_id: int) -> None:
    """Serialise the module check per location (PostgreSQL; SQLite's write lock does it)."""
    db.session.execute(sa.select(Vhs.id).where(Vhs.id == vhs_id).with_for_update())


def _apply(seminar: Seminar, data: SeminarData) -> None:
    for name in (
        "programme_id",
        "vhs_id",
        "module",
        "venue_name",
        "venue_street",
        "venue_postcode",
        "venue_town",
        "day1",
        "day1_starts",
        "day1_ends",
        "day2",
        "day2_starts",
        "day2_ends",
        "registration_deadline",
        "note",
    ):
        setattr(seminar, name, getattr(data, name))
    seminar.councils = list(
        db.session.scalars(sa.select(Council).where(Council.id.in_(data.council_ids)))
    )


def create_seminar(data: SeminarData, capacity: int) -> Seminar:
    """A new seminar, as a draft: publishing is a step of its own."""
    with write_transaction() as session:
        _lock_vhs(data.vhs_id)
        holder = module_slot_holder(data.vhs_id, data.programme_id, data.module)
        if holder is not None:
            raise ModuleSlotTaken(holder)
        seminar = Seminar(state=SeminarState.DRAFT, capacity=capacity)
        _apply(seminar, data)
        session.add(seminar)
        session.flush()
    return seminar


def update_seminar(seminar_id: int, data: SeminarData) -> Seminar:
    with write_transaction():
        _lock_vhs(data.vhs_id)
        seminar = db.session.get(Seminar, seminar_id, populate_existing=True)
        holder = module_slot_holder(data.vhs_id, data.programme_id, data.module, seminar_id)
        if holder is not None:
            raise ModuleSlotTaken(holder)
        _apply(seminar, data)
    return seminar


class NotDeletable(Exception):
    """Only a draft that never had a registration is deleted; anything else keeps its
    history (and is cancelled instead, once published)."""


def delete_draft(seminar_id: int) -> None:
    with write_transaction() as session:
        seminar = session.execute(
            sa.select(Seminar)
            .where(Seminar.id == seminar_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        registrations = session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.seminar_id == seminar_id)
        )
        if seminar.state != SeminarState.DRAFT or registrations:
            raise NotDeletable(seminar_id)
        session.delete(seminar)


@dataclass(frozen=True)
class RuleConflicts:
    """Seminars that new programme rules would break."""

    outside_period: list[Seminar]
    over_maximum: list[Seminar]

    def __bool__(self) -> bool:
        return bool(self.outside_period or self.over_maximum)


def rule_conflicts(programme: Programme, new_rules: rules.ProgrammeRules) -> RuleConflicts:
    """The programme's seminars (not cancelled) whose days or places the new rules refuse."""
    seminars = list(
        db.session.scalars(
            sa.select(Seminar)
            .where(Seminar.programme_id == programme.id, Seminar.state != SeminarState.CANCELLED)
            .order_by(Seminar.day1, Seminar.id)
        )
    )
    return RuleConflicts(
        outside_period=[
            s
            for s in seminars
            if not (rules.in_period(new_rules, s.day1) and rules.in_period(new_rules, s.day2))
        ],
        over_maximum=[s for s in seminars if not rules.capacity_allowed(new_rules, s.capacity)],
    )
