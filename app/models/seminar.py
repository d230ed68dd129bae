from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app import rules
from app.core.enums import LabelledStrEnum, Module
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import ModuleType, enum_column


class SeminarState(LabelledStrEnum):
    DRAFT = "draft", "Entwurf"
    PUBLISHED = "published", "veröffentlicht"
    CANCELLED = "cancelled", "abgesagt"


seminar_council = sa.Table(
    "seminar_council",
    db.metadata,
    sa.Column("seminar_id", sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("council_id", sa.ForeignKey("council.id", ondelete="CASCADE"), primary_key=True),
)


class Seminar(db.Model):
    """One two-day event of a module at a VHS."""

    __table_args__ = (
        sa.CheckConstraint("module IN (1, 2)", name="module_known"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("day2 >= day1", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    vhs_id: Mapped[int] = mapped_column(sa.ForeignKey("vhs.id"), index=True)
    module: Mapped[Module] = mapped_column(ModuleType())
    state: Mapped[SeminarState] = mapped_column(
        enum_column(SeminarState), default=SeminarState.DRAFT, index=True
    )
    capacity: Mapped[int] = mapped_column(default=20)
    venue_name: Mapped[str] = mapped_column(sa.String(160))
    venue_street: Mapped[str] = mapped_column(sa.String(160))
    venue_postcode: Mapped[str] = mapped_column(sa.String(10))
    venue_town: Mapped[str] = mapped_column(sa.String(100))
    day1: Mapped[date]
    day1_starts: Mapped[time]
    day1_ends: Mapped[time]
    day2: Mapped[date]
    day2_starts: Mapped[time]
    day2_ends: Mapped[time]
    registration_deadline: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The registrations per state, kept by app.services.registrations under the seminar's
    # lock in the same transaction as every change (``flask check-counts`` verifies them).
    confirmed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_count: Mapped[int] = mapped_column(default=0, server_default="0")
    held_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The confirmed count when day 1 began (Berlin time), kept at the first change of a
    # registration after the start (``registrations.set_state``); None while nothing has
    # changed since the start, when the count kept above is still the count at start.
    confirmed_at_start: Mapped[int | None]
    # raised with every change of dates, times or place: the SEQUENCE of calendar updates
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # when the row last changed: the version of the public pages that show it
    changed_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp(), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme = relationship("Programme")
    vhs = relationship("Vhs", back_populates="seminars")
    councils = relationship("Council", secondary=seminar_council, order_by="Council.town")
    trainer_assignments = relationship(
        "SeminarTrainer",
        back_populates="seminar",
        cascade="all, delete-orphan",
        order_by="(SeminarTrainer.position, SeminarTrainer.trainer_id)",
    )

    def count_of(self, state) -> int:
        """The kept count of registrations in ``state`` (a RegistrationState)."""
        return getattr(self, f"{state.value}_count")

    @validates("module")
    def _as_module(self, _key, value) -> Module:
        return Module(value)

    @property
    def days(self) -> list[tuple[date, time, time]]:
        return [
            (self.day1, self.day1_starts, self.day1_ends),
            (self.day2, self.day2_starts, self.day2_ends),
        ]

    def closed_reason(self, today: date) -> rules.ClosedReason | None:
        return closed_reason(self, today)


def closed_reason(seminar, today: date) -> rules.ClosedReason | None:
    """Why ``seminar`` (a Seminar, or a row with its state, deadline and first day) takes
    no registrations ``today``; None when it does."""
    return rules.closed_reason(
        published=seminar.state == SeminarState.PUBLISHED,
        cancelled=seminar.state == SeminarState.CANCELLED,
        deadline=seminar.registration_deadline,
        first_day=seminar.day1,
        today=today,
    )
