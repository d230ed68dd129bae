"""What a VHS has to prepare for each seminar day: people, catering, venue."""

import json
from dataclasses import asdict, dataclass

from app import rules
from app.core.timeutil import utcnow
from app.database import write_transaction
from app.models import RoomNeedsSeen, Seminar
from app.services.availability import Availability


@dataclass(frozen=True)
class RoomNeeds:
    participants: int
    trainers: int
    headcount: int
    catering_people: int
    catering_budget_cents: int
    waitlisted: int
    held: int = 0  # places held until the address is proven: not yet counted in the room

    def snapshot(self, seminar: Seminar) -> dict:
        data = asdict(self)
        data["venue"] = f"{seminar.venue_name}, {seminar.venue_street}, {seminar.venue_town}"
        data["days"] = [f"{d:%d.%m.%Y} {s:%H:%M}–{e:%H:%M}" for d, s, e in seminar.days]
        return data


def room_needs(seminar: Seminar, seats: Availability) -> RoomNeeds:
    programme_rules = seminar.programme.rules
    participants = seats.confirmed
    # the people in the room: the trainers assigned, funded or not (rule 5)
    trainers = rules.trainers_in_room(len(seminar.trainer_assignments))
    return RoomNeeds(
        participants=participants,
        trainers=trainers,
        headcount=participants + trainers,
        catering_people=participants + trainers,
        catering_budget_cents=rules.catering_budget_cents(programme_rules, participants),
        waitlisted=seats.waitlisted,
        held=seats.held,
    )


def changes_since_last_look(user_id: int, seminar: Seminar, needs: RoomNeeds):
    """Compare with what this user saw last time, then remember the current state.

    Returns (changes, seen_at): changes as (field, before, now) triples, seen_at
    None on the first look.
    """
    current = needs.snapshot(seminar)
    changes, seen_at = [], None
    with write_transaction() as session:  # a GET that writes: take the lock first
        seen = session.get(RoomNeedsSeen, (user_id, seminar.id))
        if seen is not None:
            before = json.loads(seen.snapshot)
            seen_at = seen.seen_at
            changes = [
                (key, before.get(key), value)
                for key, value in current.items()
                if before.get(key) != value
            ]
        else:
            seen = RoomNeedsSeen(user_id=user_id, seminar_id=seminar.id)
            session.add(seen)
        seen.snapshot = json.dumps(current)
        seen.seen_at = utcnow()
    return changes, seen_at
