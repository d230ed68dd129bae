"""What the admin pages read: every query of the admin area, so that its routes only
parse, call a service or one of these, and render (as the organiser area reads through
``app/services/participants.py`` and the public area through ``app/public/queries.py``).
Writes stay in ``app/services``."""

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from app.core.formatting import date_short
from app.extensions import db
from app.models import (
    AuditEntry,
    Council,
    OutboxMail,
    Programme,
    Role,
    Seminar,
    SeminarState,
    SeminarTrainer,
    Trainer,
    User,
    Vhs,
    seminar_council,
)
from app.models.audit import Subject


def found(model, row_id: int):
    """The row of ``model`` with this id, or 404."""
    return db.session.get(model, row_id) or abort(404)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# -- programmes, VHS, councils, trainers, accounts --------------------------------------


def programmes() -> list[Programme]:
    """Every programme, the newest period first."""
    return list(
        db.session.scalars(
            sa.select(Programme).order_by(Programme.period_end.desc(), Programme.id.desc())
        )
    )


def programme_choices(items: list[Programme] | None = None) -> list[SelectChoice]:
    """The programmes to choose from, as 'title (period)', the newest first."""
    return [
        SelectChoice(p.id, f"{p.title} ({date_short(p.period_start)}–{date_short(p.period_end)})")
        for p in (programmes() if items is None else items)
    ]


def seminar_counts_per_programme() -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(Seminar.programme_id, sa.func.count()).group_by(Seminar.programme_id)
        ).all()
    )


def all_vhs(*, by_name: bool = False) -> list[Vhs]:
    """Every VHS by town and name (or by name only)."""
    order = (Vhs.name,) if by_name else (Vhs.town, Vhs.name)
    return list(db.session.scalars(sa.select(Vhs).order_by(*order)))


def vhs_choices() -> list[SelectChoice]:
    return [SelectChoice(v.id, f"{v.name} ({v.town})") for v in all_vhs()]


def vhs_with_seminars() -> list[Vhs]:
    return list(
        db.session.scalars(
            sa.select(Vhs)
            .options(selectinload(Vhs.seminars).joinedload(Seminar.programme))
            .order_by(Vhs.town, Vhs.name)
        )
    )


def councils() -> list[Council]:
    """Every council by town."""
    return list(db.session.scalars(sa.select(Council).order_by(Council.town)))


def contacts(council_ids: list[int]) -> dict[int, list[User]]:
    """The contact persons' accounts per council, in one query."""
    by_council: dict[int, list[User]] = {cid: [] for cid in council_ids}
    if council_ids:
        for user in db.session.scalars(
            sa.select(User)
            .where(User.role == Role.CONTACT, User.council_id.in_(council_ids))
            .order_by(User.name, User.email)
        ):
            by_council[user.council_id].append(user)
    return by_council


def hosted(council: Council | None) -> list[Seminar]:
    """The seminars held for ``council`` (none for a new one), by their first day."""
    if council is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Seminar)
            .join(seminar_council, seminar_council.c.seminar_id == Seminar.id)
            .where(seminar_council.c.council_id == council.id)
            .order_by(Seminar.day1)
        )
    )


def trainers() -> list[Trainer]:
    """Every trainer by name."""
    return list(db.session.scalars(sa.select(Trainer).order_by(Trainer.name)))


def trainers_with_assignments() -> list[Trainer]:
    return list(
        db.session.scalars(
            sa.select(Trainer)
            .options(
                selectinload(Trainer.assignments)
                .joinedload(SeminarTrainer.seminar)
                .joinedload(Seminar.vhs)
            )
            .order_by(Trainer.name)
        )
    )


def assignments_of(trainer: Trainer) -> list[SeminarTrainer]:
    """A trainer's seminars, by their first day."""
    return list(
        db.session.scalars(
            sa.select(SeminarTrainer)
            .join(SeminarTrainer.seminar)
            .where(SeminarTrainer.trainer_id == trainer.id)
            .options(joinedload(SeminarTrainer.seminar).joinedload(Seminar.vhs))
            .order_by(Seminar.day1)
        )
    )


def accounts() -> list[User]:
    """Every organiser account, by role and e-mail address."""
    return list(
        db.session.scalars(
            sa.select(User)
            .options(joinedload(User.vhs), joinedload(User.council))
            .order_by(User.role, User.email)
        )
    )


# -- seminars ----------------------------------------------------------------------------


def seminars_with_trainers(*where) -> list[Seminar]:
    """Seminars with VHS, programme and tandem loaded: a fixed number of queries."""
    return list(
        db.session.scalars(
            sa.select(Seminar)
            .where(*where)
            .options(
                joinedload(Seminar.vhs),
                joinedload(Seminar.programme),
                selectinload(Seminar.trainer_assignments).joinedload(SeminarTrainer.trainer),
            )
            .order_by(Seminar.day1, Seminar.id)
        )
    )


def seminar_or_404(seminar_id: int) -> Seminar:
    """One seminar with VHS, programme and tandem loaded, or 404."""
    items = seminars_with_trainers(Seminar.id == seminar_id)
    if not items:
        abort(404)
    return items[0]


def evaluated_seminars(programme_id: int | None, module: int | None) -> list[Seminar]:
    """The seminars that may have answers (not cancelled), by their first day."""
    query = (
        sa.select(Seminar)
        .join(Seminar.vhs)
        .where(Seminar.state != SeminarState.CANCELLED)
        .options(joinedload(Seminar.vhs))
        .order_by(Seminar.day1, Vhs.town, Seminar.id)
    )
    if programme_id is not None:
        query = query.where(Seminar.programme_id == programme_id)
    if module is not None:
        query = query.where(Seminar.module == module)
    return list(db.session.scalars(query))


# -- the audit log and the outbox --------------------------------------------------------


def _audit_filtered(seminar_id: int | None, person_id: int | None):
    query = sa.select(AuditEntry)
    if seminar_id is not None:
        query = query.where(
            sa.or_(
                AuditEntry.seminar_id == seminar_id,
                sa.and_(
                    AuditEntry.subject == Subject.SEMINAR.value,
                    AuditEntry.subject_id == seminar_id,
                ),
            )
        )
    if person_id is not None:
        query = query.where(AuditEntry.actor_id == person_id)
    return query


def audit_entries(
    seminar_id: int | None, person_id: int | None, page: int, page_size: int
) -> list[AuditEntry]:
    """One page of the log, newest first, and one entry more when there is a next page."""
    return list(
        db.session.scalars(
            _audit_filtered(seminar_id, person_id)
            .options(
                joinedload(AuditEntry.actor),
                joinedload(AuditEntry.registration),
                joinedload(AuditEntry.seminar).joinedload(Seminar.vhs),
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size + 1)
        )
    )


def audit_actors() -> list[User]:
    """The accounts that acted at least once, by e-mail address."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.id.in_(sa.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)))
            )
            .order_by(User.email)
        )
    )


def seminars_newest_first() -> list[Seminar]:
    return list(
        db.session.scalars(
            sa.select(Seminar).options(joinedload(Seminar.vhs)).order_by(Seminar.id.desc())
        )
    )


def failed_mails(limit: int) -> list[OutboxMail]:
    """Mails given up, the latest failure first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.failed_at.is_not(None))
            .order_by(OutboxMail.failed_at.desc(), OutboxMail.id.desc())
            .limit(limit)
        )
    )


def waiting_mails() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    )
