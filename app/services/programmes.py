"""A programme and its rules (docs/domain.md, rules 1-7, as data): created, and edited only
while no seminar of it would break the new rules."""

from dataclasses import dataclass

import sqlalchemy as sa

from app import rules
from app.database import locked, write_transaction
from app.extensions import db
from app.models import Programme, Seminar, SeminarState
from app.services import messages
from app.services.errors import ServiceError


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


class RulesConflict(ServiceError):
    """New rules that seminars of the programme would break; nothing is changed."""

    def __init__(self, conflicts: RuleConflicts):
        super().__init__(messages.RULES_BREAK_SEMINARS)
        self.conflicts = conflicts


def save_programme(
    programme_id: int | None, title: str, new_rules: rules.ProgrammeRules
) -> Programme:
    """Create (``programme_id`` None) or change a programme. Its row is locked while the
    seminars are checked against the new rules, so that no seminar edit slips between
    the check and the change (seminar edits lock the programme first, too)."""
    with write_transaction() as session:
        if programme_id is None:
            programme = Programme()
            session.add(programme)
        else:
            programme = locked(Programme, programme_id)
            conflicts = rule_conflicts(programme, new_rules)
            if conflicts:
                raise RulesConflict(conflicts)
        programme.title = title
        for name in rules.ProgrammeRules.__dataclass_fields__:
            setattr(programme, name, getattr(new_rules, name))
        session.flush()
    return programme
