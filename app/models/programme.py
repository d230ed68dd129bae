from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db
from app.rules import ProgrammeRules

_DEFAULTS = ProgrammeRules()


class Programme(db.Model):
    """A funded series with its rules as data; a later series gets a new row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # VHS and councils declare their interest until this day (inclusive)
    interest_deadline: Mapped[date | None]
    # the programme this one was started from as its next year: each programme has at
    # most one next year, so a second send of that form cannot make a second one
    previous_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme.id", ondelete="SET NULL"), unique=True
    )
    min_participants: Mapped[int] = mapped_column(default=_DEFAULTS.min_participants)
    max_participants: Mapped[int] = mapped_column(default=_DEFAULTS.max_participants)
    two_trainers_from: Mapped[int] = mapped_column(default=_DEFAULTS.two_trainers_from)
    max_trainers: Mapped[int] = mapped_column(default=_DEFAULTS.max_trainers)
    seminar_days: Mapped[int] = mapped_column(default=_DEFAULTS.seminar_days)
    trainer_fee_cents_per_day: Mapped[int] = mapped_column(
        default=_DEFAULTS.trainer_fee_cents_per_day
    )
    catering_cents_per_person: Mapped[int] = mapped_column(
        default=_DEFAULTS.catering_cents_per_person
    )
    # at most this share (per cent) of a seminar's places held for unproven addresses
    max_held_percent: Mapped[int] = mapped_column(
        default=_DEFAULTS.max_held_percent, server_default=str(_DEFAULTS.max_held_percent)
    )
    # when the row last changed: the version of the public pages that show it
    changed_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp(), index=True
    )

    @property
    def rules(self) -> ProgrammeRules:
        return ProgrammeRules(
            period_start=self.period_start,
            period_end=self.period_end,
            min_participants=self.min_participants,
            max_participants=self.max_participants,
            two_trainers_from=self.two_trainers_from,
            max_trainers=self.max_trainers,
            seminar_days=self.seminar_days,
            trainer_fee_cents_per_day=self.trainer_fee_cents_per_day,
            catering_cents_per_person=self.catering_cents_per_person,
            max_held_percent=self.max_held_percent,
        )

    @classmethod
    def taking_interest(cls, today: date) -> "Programme | None":
        """The programme the public interest forms are for: the one whose interest
        deadline is still ahead (the soonest, when several are), so that starting the
        next programme year does not move the forms while this year's are open; else
        the current programme, whose forms say why they take nothing."""
        return (
            db.session.scalars(
                sa.select(cls)
                .where(cls.interest_deadline >= today)
                .order_by(cls.interest_deadline, cls.period_end, cls.id)
                .limit(1)
            ).first()
            or cls.current()
        )

    @classmethod
    def current(cls) -> "Programme | None":
        """The programme whose period ends last: the one new seminars belong to."""
        return db.session.scalars(
            sa.select(cls).order_by(cls.period_end.desc(), cls.id.desc()).limit(1)
        ).first()
