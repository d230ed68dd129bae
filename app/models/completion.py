from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class FrozenCompletion(db.Model):
    """A module completed in a seminar whose registrations were deleted after the
    retention period, kept for the series figures (docs/domain.md: evidence outlives
    personal data). The person is a keyed hash of the normalised address, never the
    address (``app.services.series.person_key``); module, VHS and hosting councils are
    the seminar's, read from its row as for a live completion."""

    __tablename__ = "frozen_completion"

    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    person_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
