from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class SeminarEvidence(db.Model):
    """The figures funding and settlement need, frozen for a finished seminar before its
    personal data are deleted (docs/domain.md: evidence outlives personal data)."""

    __tablename__ = "seminar_evidence"

    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_at_start: Mapped[int]
    attended_day1: Mapped[int]
    attended_day2: Mapped[int]
    # people present on at least one day, each once (None: frozen before it was kept)
    attended_persons: Mapped[int | None]
    # the count at start reached the minimum (None: frozen before it was kept)
    fundable: Mapped[bool | None]
    trainers_assigned: Mapped[int]
    trainers_funded: Mapped[int]
    trainer_fees_cents: Mapped[int]
    travel_cents: Mapped[int]
    catering_cents: Mapped[int]
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
