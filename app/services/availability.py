"""What the public and the organisers see of a seminar's seats, from the counts its row keeps."""

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import rules
from app.extensions import db
from app.models import Registration, RegistrationState, Seminar


@dataclass(frozen=True)
class Availability:
    seminar_id: int
    capacity: int
    confirmed: int
    waitlisted: int
    cancelled: int
    min_participants: int
    closed: rules.ClosedReason | None
    held: int = 0  # places held for people who have not yet proven their address

    @property
    def free(self) -> int:
        return rules.free_places(self.capacity, self.confirmed + self.held)

    @property
    def full(self) -> bool:
        return self.free == 0

    @property
    def takes_place(self) -> bool:
        return self.confirmed >= self.min_participants

    @property
    def missing(self) -> int:
        return max(self.min_participants - self.confirmed, 0)

    @property
    def is_open(self) -> bool:
        return self.closed is None

    @property
    def fingerprint(self) -> str:
        return (
            f"{self.seminar_id}:{self.capacity}:{self.confirmed}:{self.held}:{self.waitlisted}:"
            f"{self.cancelled}:{self.closed}"
        )


def seat_counts(seminar_ids: list[int]) -> dict[int, dict[RegistrationState, int]]:
    """Registrations per seminar and state, in one grouped query."""
    counts: dict[int, dict[RegistrationState, int]] = {sid: {} for sid in seminar_ids}
    if not seminar_ids:
        return counts
    rows = db.session.execute(
        sa.select(Registration.seminar_id, Registration.state, sa.func.count())
        .where(Registration.seminar_id.in_(seminar_ids))
        .group_by(Registration.seminar_id, Registration.state)
    )
    for seminar_id, state, count in rows:
        counts[seminar_id][state] = count
    return counts


def availability_for(seminars: list[Seminar], today: date) -> dict[int, Availability]:
    """From the counts the seminar rows keep (no counting of registrations). Takes
    Seminars, or records with their fields (``app.public.queries.Listed``)."""
    return {
        seminar.id: Availability(
            seminar_id=seminar.id,
            capacity=seminar.capacity,
            confirmed=seminar.confirmed_count,
            waitlisted=seminar.waitlisted_count,
            cancelled=seminar.cancelled_count,
            held=seminar.held_count,
            min_participants=seminar.programme.min_participants,
            closed=seminar.closed_reason(today),
        )
        for seminar in seminars
    }


def etag_of(availabilities: list[Availability], salt: str = "") -> str:
    """A strong validator for a set of indicators: changes whenever one of them does."""
    digest = hashlib.sha256(salt.encode())
    for item in availabilities:
        digest.update(item.fingerprint.encode())
        digest.update(b"|")
    return digest.hexdigest()[:32]
