"""Each person across the series, identified by the normalised e-mail address and
nothing more (docs/domain.md): what organisers see of a participant's other seminars,
how many people completed one module or both, and which Aufbaumodul seminars the mail
after a completed Basismodul suggests.

A module is completed by attending both of its days: whoever earns its certificate
(``rules.earns_certificate``).
Erased registrations (GDPR Art. 17) carry no address any more and count for nobody.

The completion counts outlive the purge of registrations (docs/domain.md: evidence
outlives personal data). Before ``app.services.retention`` deletes a seminar's
registrations, each completion in it is kept as a ``FrozenCompletion``: the seminar and
a keyed hash of the person's normalised address (``person_key``: HMAC-SHA256 under a key
derived from ``SECRET_KEY`` for this purpose alone), never the address. The counts key
live completions the same way and count both together, so a person who completed the
Basismodul in a purged seminar and the Aufbaumodul in a live one is "both", once. Module,
VHS and hosting councils are read from the seminar's row, which the purge keeps, for
frozen and live completions alike. Without ``SECRET_KEY`` nobody can tell whose a kept
completion is; with it, only an address one already knows can be recognised, which the
erasure of that address does (``forget_person``: its kept completions go as its live
registrations stop counting). A new ``SECRET_KEY`` keys people anew: completions kept
before then still count, but no longer meet the same person's later ones.
"""

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, joinedload

from app import rules
from app.core.enums import Module
from app.core.formatting import month_year
from app.core.places import nearest_first, nrw_places
from app.core.text import fold
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    ACTIVE_STATES,
    Attendance,
    Council,
    FrozenCompletion,
    Registration,
    RegistrationState,
    Seminar,
    SeminarState,
    Vhs,
    seminar_council,
)

ACTIVE = ACTIVE_STATES


def presence_by_day(registration_ids: list[int]) -> dict[int, dict[int, bool]]:
    """registration id -> day -> present (recorded days only), in one query."""
    found: dict[int, dict[int, bool]] = defaultdict(dict)
    if registration_ids:
        rows = db.session.execute(
            sa.select(Attendance.registration_id, Attendance.day, Attendance.present).where(
                Attendance.registration_id.in_(registration_ids)
            )
        )
        for registration_id, day, present in rows:
            found[registration_id][day] = present
    return found


def completed(registration: Registration, presence: dict[int, dict[int, bool]]) -> bool:
    days = presence.get(registration.id, {})
    return registration.state == RegistrationState.CONFIRMED and rules.earns_certificate(
        days.get(1), days.get(2)
    )


# -- what organisers see on a participant ------------------------------------------------


class Standing(StrEnum):
    COMPLETED = "completed"
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class SeriesNote:
    """Another seminar of the same person: a module completed, or a place (or the
    waiting list) in a seminar not yet over."""

    module: Module
    standing: str
    vhs_name: str
    day1: date

    @property
    def month(self) -> str:
        """'März 2027'"""
        return month_year(self.day1)


def notes_for(registrations: list[Registration], today: date | None = None) -> dict[int, list]:
    """For each of these registrations (of one seminar), the same person's other
    seminars worth knowing, modules completed first; two queries in all."""
    today = today or today_berlin()
    own = {r.id: r for r in registrations if r.erased_at is None}
    addresses = {r.email_normalized for r in own.values()}
    if not addresses:
        return {}
    others = list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.seminar)
            .where(
                Registration.email_normalized.in_(addresses),
                Registration.id.not_in(list(own)),
                Registration.state.in_(ACTIVE),
                Registration.erased_at.is_(None),
            )
            .options(joinedload(Registration.seminar).joinedload(Seminar.vhs))
            .order_by(Seminar.day1, Registration.id)
        )
    )
    presence = presence_by_day([r.id for r in others])
    by_address: dict[str, list[SeriesNote]] = defaultdict(list)
    for other in others:
        seminar = other.seminar
        if completed(other, presence):
            standing = Standing.COMPLETED
        elif seminar.day2 < today:
            continue  # a seminar over without both days attended says nothing here
        elif other.state == RegistrationState.WAITLISTED:
            standing = Standing.WAITLISTED
        else:
            standing = Standing.REGISTERED
        by_address[other.email_normalized].append(
            SeriesNote(seminar.module, standing, seminar.vhs.name, seminar.day1)
        )
    notes = {}
    for registration in own.values():
        found = by_address.get(registration.email_normalized, [])
        if found:
            notes[registration.id] = sorted(
                found, key=lambda n: (n.standing != Standing.COMPLETED, n.module, n.day1)
            )
    return notes


# -- completion counts for the state organisers --------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    """People who completed a module at this VHS (or in a seminar this council hosted),
    split by how much of the series each of them has completed anywhere."""

    name: str
    one: int
    both: int

    @property
    def total(self) -> int:
        return self.one + self.both


@dataclass(frozen=True)
class Completions:
    one: int
    both: int
    by_vhs: list[CompletionRow]
    by_council: list[CompletionRow]
    without_council: CompletionRow | None


def _present(attendance, day: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        attendance.registration_id == Registration.id,
        attendance.day == day,
        attendance.present.is_(True),
    )


def _completed(query: sa.Select) -> sa.Select:
    """``query`` (of registrations) narrowed to the completed modules: confirmed, not
    erased, present on both days (``rules.earns_certificate``, as a join)."""
    first, second = aliased(Attendance), aliased(Attendance)
    return (
        query.join(first, _present(first, 1))
        .join(second, _present(second, 2))
        .where(
            Registration.state == RegistrationState.CONFIRMED,
            Registration.erased_at.is_(None),
        )
    )


_PERSON_KEY_PURPOSE = b"series: a person across purged seminars"


def _person_keyer():
    """person_key for many addresses: the purpose's key derived once."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    key = hmac.new(secret, _PERSON_KEY_PURPOSE, hashlib.sha256).digest()
    return lambda address: hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def person_key(normalized_address: str) -> str:
    """The keyed hash that stands for a person in kept completions."""
    return _person_keyer()(normalized_address)


def freeze_completions(seminar_ids: sa.Select) -> int:
    """Keep the completions in these seminars (a select of their ids) before their
    registrations are deleted, in the caller's transaction; those already kept are
    left as they are. Returns how many were added."""
    key = _person_keyer()
    found = {
        (key(address), seminar_id)
        for address, seminar_id in db.session.execute(
            _completed(
                sa.select(Registration.email_normalized, Registration.seminar_id).where(
                    Registration.seminar_id.in_(seminar_ids)
                )
            )
        )
    }
    kept = set(
        db.session.execute(
            sa.select(FrozenCompletion.person_key, FrozenCompletion.seminar_id).where(
                FrozenCompletion.seminar_id.in_(seminar_ids)
            )
        ).tuples()
    )
    added = sorted(found - kept, key=lambda pair: (pair[1], pair[0]))
    db.session.add_all(FrozenCompletion(person_key=p, seminar_id=s) for p, s in added)
    return len(added)


def forget_person(normalized_address: str) -> int:
    """Delete the kept completions of this address (an erasure, GDPR Art. 17), in the
    caller's transaction. Returns how many there were."""
    return db.session.execute(
        sa.delete(FrozenCompletion).where(
            FrozenCompletion.person_key == person_key(normalized_address)
        )
    ).rowcount


def completion_counts() -> Completions:
    """How many people completed one module or both: overall, per VHS and per council,
    the completions kept from purged seminars included.

    A person is attributed to every VHS where they completed a module, and to every
    council that hosted such a seminar (a seminar may have several); a person who
    completed both modules counts as "both" wherever they completed either. People have
    a town, not a council, so the seminars they attended decide."""
    key = _person_keyer()
    live = db.session.execute(
        _completed(
            sa.select(Registration.email_normalized, Seminar.module, Seminar.id, Vhs.name)
            .join(Registration.seminar)
            .join(Seminar.vhs)
        )
    )
    kept = db.session.execute(
        sa.select(FrozenCompletion.person_key, Seminar.module, Seminar.id, Vhs.name)
        .join(Seminar, Seminar.id == FrozenCompletion.seminar_id)
        .join(Seminar.vhs)
    )
    # each person is their key; a completion live and kept at once counts once
    rows = {(key(address), module, seminar_id, vhs) for address, module, seminar_id, vhs in live}
    rows |= set(kept.tuples())
    modules: dict[str, set[int]] = defaultdict(set)
    for person, module, _seminar_id, _vhs in rows:
        modules[person].add(int(module))
    hosts: dict[int, list[str]] = defaultdict(list)
    seminar_ids = {seminar_id for _a, _m, seminar_id, _v in rows}
    if seminar_ids:
        for seminar_id, town in db.session.execute(
            sa.select(seminar_council.c.seminar_id, Council.town)
            .join(Council, Council.id == seminar_council.c.council_id)
            .where(seminar_council.c.seminar_id.in_(seminar_ids))
        ):
            hosts[seminar_id].append(town)
    vhs_people: dict[str, set[str]] = defaultdict(set)
    council_people: dict[str, set[str]] = defaultdict(set)
    unhosted: set[str] = set()
    for person, _module, seminar_id, vhs_name in rows:
        vhs_people[vhs_name].add(person)
        for town in hosts.get(seminar_id, []):
            council_people[town].add(person)
        if not hosts.get(seminar_id):
            unhosted.add(person)

    def row(name: str, people: set[str]) -> CompletionRow:
        both = sum(1 for person in people if len(modules[person]) == 2)
        return CompletionRow(name, len(people) - both, both)

    def table(groups: dict[str, set[str]]) -> list[CompletionRow]:
        return [row(name, groups[name]) for name in sorted(groups, key=fold)]

    overall = row("", set(modules))
    return Completions(
        one=overall.one,
        both=overall.both,
        by_vhs=table(vhs_people),
        by_council=table(council_people),
        without_council=row("", unhosted) if unhosted else None,
    )


# -- the next module ------------------------------------------------------------------------


def _place_of_seminar(seminar: Seminar):
    places = nrw_places()
    return places.find(seminar.venue_town) or places.find(seminar.vhs.town)


def next_module_suggestions(registration: Registration, limit: int | None = 3) -> list[Seminar]:
    """Open Aufbaumodul seminars for someone who completed the Basismodul with this
    registration: the same VHS first, then the nearest others (by the person's town, or
    the Basismodul's place when the town is not known), then those whose place is not
    known, by date; the first ``limit`` of them (None: all). Empty when the person did
    not complete it, is erased, or already holds an Aufbaumodul place or waits for one."""
    seminar = registration.seminar
    if (
        registration.erased_at is not None
        or seminar.module != Module.BASIC
        or not completed(registration, presence_by_day([registration.id]))
    ):
        return []
    address = registration.email_normalized
    taken = (
        sa.select(Registration.seminar_id)
        .join(Registration.seminar)
        .where(
            Registration.email_normalized == address,
            Registration.state.in_(ACTIVE),
            Seminar.module == Module.ADVANCED,
        )
    )
    if db.session.scalar(sa.select(sa.exists(taken))):
        return []
    today = today_berlin()
    candidates = [
        s
        for s in db.session.scalars(
            sa.select(Seminar)
            .where(
                Seminar.module == Module.ADVANCED,
                Seminar.state == SeminarState.PUBLISHED,
                Seminar.day1 > today,
            )
            .options(joinedload(Seminar.vhs), joinedload(Seminar.programme))
            .order_by(Seminar.day1, Seminar.id)
        )
        if s.closed_reason(today) is None
    ]
    origin = nrw_places().find(registration.town) or _place_of_seminar(seminar)
    if origin is None:
        # no place known: the same VHS, then the same town, then by date
        ranked = sorted(
            candidates,
            key=lambda s: (
                s.vhs_id != seminar.vhs_id,
                fold(s.venue_town) != fold(seminar.venue_town),
            ),
        )
        return ranked[:limit]
    near = nearest_first(
        candidates, origin, _place_of_seminar, own=lambda s: s.vhs_id == seminar.vhs_id
    )
    return [item.item for item in near[:limit]]
