"""Reading a seminar's people for the organisers: lists by state, search, sorting."""

import sqlalchemy as sa

from app.core.text import fold
from app.extensions import db
from app.models import Registration, RegistrationState

STATES = tuple(RegistrationState)  # held, confirmed, waitlisted, cancelled


def registrations_of(seminar_id: int) -> list[Registration]:
    """All registrations of a seminar in booking order (the waiting list's order)."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def search_people(registrations: list[Registration], needle: str) -> list[Registration]:
    """Those whose name or town holds every word of ``needle`` (folded, see ``fold``)."""
    words = fold(needle).split()
    if not words:
        return registrations
    return [
        r
        for r in registrations
        if all(w in fold(f"{r.last_name} {r.first_name} {r.town}") for w in words)
    ]


def split_by_state(found: list[Registration]) -> dict[str, list[Registration]]:
    return {state.value: [r for r in found if r.state == state] for state in STATES}


def participant_lists(seminar_id: int, needle: str = "") -> dict[str, list[Registration]]:
    """Confirmed, waitlisted (in queue order) and cancelled registrations, searched."""
    return split_by_state(search_people(registrations_of(seminar_id), needle))


def by_name(registrations: list[Registration]) -> list[Registration]:
    """In German alphabetical order (Ärmel with the A names)."""
    return sorted(registrations, key=lambda r: (fold(r.last_name), fold(r.first_name)))
