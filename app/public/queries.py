"""Read-only queries of the public pages: a fixed number of SQL statements per page."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from app.core.enums import Module
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    Council,
    Programme,
    Registration,
    RegistrationState,
    Seminar,
    SeminarState,
    Vhs,
)
from app.models.seminar import closed_reason, seminar_council
from app.rules import ClosedReason, normalize_email
from app.services import messages

PUBLIC_STATES = (SeminarState.PUBLISHED, SeminarState.CANCELLED)


def upcoming_seminars(vhs_id: int | None = None) -> list[Seminar]:
    """Public seminars that have not ended, by date, with their VHS and programme loaded."""
    query = (
        sa.select(Seminar)
        .join(Seminar.vhs)
        .where(Seminar.state.in_(PUBLIC_STATES), Seminar.day2 >= today_berlin())
        .options(joinedload(Seminar.vhs), joinedload(Seminar.programme))
        .order_by(Seminar.day1, Vhs.name, Seminar.id)
    )
    if vhs_id is not None:
        query = query.where(Seminar.vhs_id == vhs_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class ListedVhs:
    slug: str
    name: str
    town: str


@dataclass(frozen=True, slots=True)
class ListedProgramme:
    min_participants: int


@dataclass(frozen=True, slots=True)
class Listed:
    """An upcoming public seminar as the home page lists it: what its card, the filters
    and the seat indicator read, under the names the Seminar model gives them. The list
    reads every upcoming seminar to filter, count and page them; plain records cost a
    fraction of the time and memory of ORM objects."""

    id: int
    module: Module
    state: SeminarState
    day1: date
    day2: date
    registration_deadline: date
    venue_town: str
    capacity: int
    confirmed_count: int
    waitlisted_count: int
    cancelled_count: int
    held_count: int
    vhs: ListedVhs
    programme: ListedProgramme

    def closed_reason(self, today: date) -> ClosedReason | None:
        return closed_reason(self, today)


LISTED_COLUMNS = (
    Seminar.id,
    Seminar.module,
    Seminar.state,
    Seminar.day1,
    Seminar.day2,
    Seminar.registration_deadline,
    Seminar.venue_town,
    Seminar.capacity,
    Seminar.confirmed_count,
    Seminar.waitlisted_count,
    Seminar.cancelled_count,
    Seminar.held_count,
)


def listed_seminars(ids: list[int] | None = None) -> list[Listed]:
    """Every upcoming public seminar (or those of ``ids``), by date, as the home page
    lists it (one query)."""
    query = (
        sa.select(*LISTED_COLUMNS, Vhs.slug, Vhs.name, Vhs.town, Programme.min_participants)
        .join(Seminar.vhs)
        .join(Seminar.programme)
        .where(Seminar.state.in_(PUBLIC_STATES), Seminar.day2 >= today_berlin())
        .order_by(Seminar.day1, Vhs.name, Seminar.id)
    )
    if ids is not None:
        query = query.where(Seminar.id.in_(ids))
    rows = db.session.execute(query)
    places: dict[tuple, ListedVhs] = {}  # one record per VHS, shared by its seminars
    programmes: dict[int, ListedProgramme] = {}
    listed = []
    for *seminar, slug, name, town, min_participants in rows:
        vhs = places.setdefault((slug, name, town), ListedVhs(slug, name, town))
        programme = programmes.setdefault(min_participants, ListedProgramme(min_participants))
        listed.append(Listed(*seminar, vhs=vhs, programme=programme))
    return listed


def hosting_councils() -> dict[int, list[Council]]:
    """The councils that host each upcoming public seminar (one query, however many
    seminars)."""
    rows = db.session.execute(
        sa.select(seminar_council.c.seminar_id, Council)
        .join(Council, Council.id == seminar_council.c.council_id)
        .join(Seminar, Seminar.id == seminar_council.c.seminar_id)
        .where(Seminar.state.in_(PUBLIC_STATES), Seminar.day2 >= today_berlin())
    )
    councils: dict[int, list[Council]] = {}
    for seminar_id, council in rows:
        councils.setdefault(seminar_id, []).append(council)
    return councils


def current_programme() -> Programme | None:
    return Programme.current()


def public_seminar_or_404(seminar_id: int) -> Seminar:
    seminar = db.session.scalars(
        sa.select(Seminar)
        .where(Seminar.id == seminar_id, Seminar.state.in_(PUBLIC_STATES))
        .options(
            joinedload(Seminar.vhs),
            joinedload(Seminar.programme),
            selectinload(Seminar.councils),
        )
    ).first()
    if seminar is None:
        abort(404)
    return seminar


def vhs_without_seminars(slug: str | None) -> str:
    """Why the home page shows every VHS although the URL named one: the VHS has no
    seminar listed now, or nobody knows it (one query, on pages never kept)."""
    name = None
    if slug is not None:
        name = db.session.scalar(sa.select(Vhs.name).where(Vhs.slug == slug))
    return messages.VHS_UNKNOWN if name is None else messages.vhs_without_seminars(name)


def vhs_by_slug(slug: str) -> Vhs | None:
    return db.session.scalars(sa.select(Vhs).where(Vhs.slug == slug)).first()


def already_registered(seminar_id: int, email: str) -> bool:
    """Whether the address (normalised) holds an active registration of the seminar:
    what the booking would refuse as a duplicate."""
    return (
        db.session.scalar(
            sa.select(Registration.id)
            .where(
                Registration.seminar_id == seminar_id,
                Registration.email_normalized == normalize_email(email),
                Registration.state != RegistrationState.CANCELLED,
            )
            .limit(1)
        )
        is not None
    )
