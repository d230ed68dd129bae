from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class Attendance(db.Model):
    """Presence of one confirmed participant on one seminar day."""

    __table_args__ = (sa.CheckConstraint("day IN (1, 2)", name="day_known"),)

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    present: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organiser.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoomNeedsSeen(db.Model):
    """What a VHS user last saw of a seminar's room needs, to show what changed since."""

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True
    )
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[str] = mapped_column(sa.Text, default="{}")
