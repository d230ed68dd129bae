"""A programme and its rules (docs/domain.md, rules 1-7 and 10, as data): created, and
edited only while no seminar of it would break the new rules. Every save is in the
audit log with the old and new value of each rule and fee changed."""

from dataclasses import dataclass

import sqlalchemy as sa

from app import rules
from app.core.formatting import euro
from app.database import locked, write_transaction
from app.extensions import db
from app.models import Programme, Seminar, SeminarState
from app.services import audit, messages
from app.services.audit import Subject
from app.services.errors import ServiceError


@dataclass(frozen=True)
class RuleConflicts:
    """Seminars that new programme rules would break."""

    outside_period: list[Seminar]
    places_outside: list[Seminar]

    def __bool__(self) -> bool:
        return bool(self.outside_period or self.places_outside)


def rule_conflicts(programme: Programme, new_rules: rules.ProgrammeRules) -> RuleConflicts:
    """The programme's seminars (not cancelled) whose days or places the new rules refuse."""
    seminars = list(
        db.session.scalars(
            sa.select(Seminar)
            .where(Seminar.programme_id == programme.id, Seminar.state != SeminarState.CANCELLED)
            .order_by(Seminar.day1, Seminar.id)
        )
    )
    old_rules = programme.rules
    return RuleConflicts(
        outside_period=[
            s
            for s in seminars
            if not (rules.in_period(new_rules, s.day1) and rules.in_period(new_rules, s.day2))
        ],
        # a seminar that was outside before is listed on the admin home, not blocking here
        places_outside=[
            s
            for s in seminars
            if not rules.capacity_allowed(new_rules, s.capacity)
            and rules.capacity_allowed(old_rules, s.capacity)
        ],
    )


class RulesConflict(ServiceError):
    """New rules that seminars of the programme would break; nothing is changed."""

    def __init__(self, conflicts: RuleConflicts):
        super().__init__(messages.RULES_BREAK_SEMINARS)
        self.conflicts = conflicts


MONEY_FIELDS = ("trainer_fee_cents_per_day", "catering_cents_per_person")
LOGGED_FIELDS = ("title", *rules.ProgrammeRules.__dataclass_fields__)


def _snapshot(title: str, programme_rules: rules.ProgrammeRules) -> dict[str, object]:
    values: dict[str, object] = {"title": title}
    for name in rules.ProgrammeRules.__dataclass_fields__:
        value = getattr(programme_rules, name)
        values[name] = euro(value) if name in MONEY_FIELDS else value
    return values


def save_programme(
    programme_id: int | None,
    title: str,
    new_rules: rules.ProgrammeRules,
    *,
    actor_id: int | None = None,
) -> Programme:
    """Create (``programme_id`` None) or change a programme. Its row is locked while the
    seminars are checked against the new rules, so that no seminar edit slips between
    the check and the change (seminar edits lock the programme first, too)."""
    with write_transaction() as session:
        if programme_id is None:
            programme = Programme()
            session.add(programme)
            before = {}
        else:
            programme = locked(Programme, programme_id)
            conflicts = rule_conflicts(programme, new_rules)
            if conflicts:
                raise RulesConflict(conflicts)
            before = _snapshot(programme.title, programme.rules)
        programme.title = title
        for name in rules.ProgrammeRules.__dataclass_fields__:
            setattr(programme, name, getattr(new_rules, name))
        session.flush()
        audit.record_edit(
            Subject.PROGRAMME,
            programme.id,
            created=programme_id is None,
            before=before,
            after=_snapshot(title, new_rules),
            fields=LOGGED_FIELDS,
            actor_id=actor_id,
            detail=title,
        )
    return programme
