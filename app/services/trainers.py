"""Trainers, the tandem of each seminar, travel costs, and the warnings about them."""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import rules
from app.database import serialize, write_transaction
from app.extensions import db
from app.models import Seminar, SeminarState, SeminarTrainer, Trainer, TrainerKind
from app.services import audit, messages
from app.services.audit import Subject
from app.services.errors import ServiceError


class TrainerKindLocked(ServiceError):
    """A trainer's kind stays while they are assigned: it decides their place in tandems."""

    field = "kind"

    def __init__(self, seminars: list[Seminar]):
        super().__init__(messages.trainer_kind_locked(seminars))
        self.seminars = seminars


class TrainerEmailTaken(ServiceError):
    field = "email"

    message = messages.TRAINER_EMAIL_TAKEN


class WrongTrainerKind(ServiceError):
    """A tandem place filled with a trainer of the other kind (or an unknown one)."""

    field = "adult_educator"

    message = messages.WRONG_TRAINER_KIND


def save_trainer(
    trainer_id: int | None,
    *,
    name: str,
    email: str,
    kind: TrainerKind,
    actor_id: int | None = None,
) -> Trainer:
    """Create (``trainer_id`` None) or update a trainer; in the audit log with who acted
    and the old and new value of each field changed."""
    email = rules.normalize_email(email)
    with write_transaction() as session:
        serialize("trainer-email")
        taken = sa.select(Trainer.id).where(Trainer.email == email)
        if trainer_id is not None:
            taken = taken.where(Trainer.id != trainer_id)
        if session.scalar(taken) is not None:
            raise TrainerEmailTaken()
        logged = ("name", "email", "kind")
        if trainer_id is None:
            trainer = Trainer()
            session.add(trainer)
            before = {}
        else:
            trainer = session.get(Trainer, trainer_id, populate_existing=True)
            if trainer.kind != kind and trainer.assignments:
                raise TrainerKindLocked([a.seminar for a in trainer.assignments])
            before = {key: getattr(trainer, key) for key in logged}
        trainer.name = name
        trainer.email = email
        trainer.kind = kind
        session.flush()
        audit.record_edit(
            Subject.TRAINER,
            trainer.id,
            created=trainer_id is None,
            before=before,
            after={key: getattr(trainer, key) for key in logged},
            actor_id=actor_id,
            detail=trainer.name,
        )
    return trainer


def set_tandem(
    seminar_id: int,
    places: dict[TrainerKind, tuple[int | None, int]],
    first: TrainerKind | None = None,
) -> None:
    """Fill the seminar's tandem: per kind a trainer (or None) and their travel costs
    in cents. The seminar lists its trainers in the order of ``places``, the trainer of
    kind ``first`` (when given) at the top: the first ones on the list are funded
    (``rules.split_funded``). Assignments kept keep their row; the others are removed."""
    order = sorted(places, key=lambda kind: kind != first) if first is not None else list(places)
    with write_transaction():
        seminar = db.session.get(Seminar, seminar_id, populate_existing=True)
        wanted: dict[int, int] = {}
        for kind in order:
            trainer_id, travel_cents = places[kind]
            if trainer_id is None:
                continue
            trainer = db.session.get(Trainer, trainer_id)
            if trainer is None or trainer.kind != kind:
                raise WrongTrainerKind()
            wanted[trainer_id] = travel_cents
        kept = {a.trainer_id: a for a in seminar.trainer_assignments if a.trainer_id in wanted}
        assignments = []
        for position, (trainer_id, cents) in enumerate(wanted.items()):
            assignment = kept.get(trainer_id) or SeminarTrainer(trainer_id=trainer_id)
            assignment.travel_cost_cents = cents
            assignment.position = position
            assignments.append(assignment)
        seminar.trainer_assignments = assignments


def tandem_places(seminar: Seminar) -> dict[TrainerKind, SeminarTrainer | None]:
    """The seminar's assignment per kind (the first, should there be two of a kind)."""
    places: dict[TrainerKind, SeminarTrainer | None] = dict.fromkeys(TrainerKind)
    for assignment in seminar.trainer_assignments:
        places[assignment.trainer.kind] = places[assignment.trainer.kind] or assignment
    return places


# -- warnings --------------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """``trainer`` is booked on ``seminar`` and on ``other``, which overlap in time."""

    trainer: Trainer
    seminar: Seminar
    other: Seminar


@dataclass
class TrainerCheck:
    tandem: rules.TandemState
    overlaps: list[Overlap] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tandem == rules.TandemState.COMPLETE and not self.overlaps


def overlaps() -> list[Overlap]:
    """Every trainer booked on two seminars (not cancelled) that overlap in time.

    Two queries, whatever the number of seminars.
    """
    rows = db.session.execute(
        sa.select(SeminarTrainer.trainer_id, Seminar)
        .join(Seminar, Seminar.id == SeminarTrainer.seminar_id)
        .where(Seminar.state != SeminarState.CANCELLED)
        .options(joinedload(Seminar.vhs))
        .order_by(Seminar.day1, Seminar.id)
    ).all()
    by_trainer: dict[int, list[Seminar]] = defaultdict(list)
    for trainer_id, seminar in rows:
        by_trainer[trainer_id].append(seminar)
    if not by_trainer:
        return []
    trainers = {
        t.id: t for t in db.session.scalars(sa.select(Trainer).where(Trainer.id.in_(by_trainer)))
    }
    return [
        Overlap(trainers[trainer_id], first, second)
        for trainer_id, seminars in by_trainer.items()
        for first, second in combinations(seminars, 2)
        if rules.overlapping(first.days, second.days)
    ]


def checks_for(seminars: list[Seminar]) -> dict[int, TrainerCheck]:
    """Tandem state and overlaps per seminar; the seminars' ``trainer_assignments``
    with their trainers should be loaded (selectinload) by the caller."""
    result = {}
    for seminar in seminars:
        kinds = [a.trainer.kind for a in seminar.trainer_assignments]
        result[seminar.id] = TrainerCheck(
            tandem=rules.tandem_state(
                kinds.count(TrainerKind.ADULT_EDUCATOR), kinds.count(TrainerKind.COUNCIL_FIELD)
            )
        )
    for overlap in overlaps():
        for seminar, other in ((overlap.seminar, overlap.other), (overlap.other, overlap.seminar)):
            if seminar.id in result:
                result[seminar.id].overlaps.append(Overlap(overlap.trainer, seminar, other))
    return result
