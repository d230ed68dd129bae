from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class AuditEntry(db.Model):
    """Who changed what, when, on which registration. Written by the services only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organiser.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    seminar_id: Mapped[int] = mapped_column(sa.ForeignKey("seminar.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    actor = relationship("User")
    seminar = relationship("Seminar")
    registration = relationship("Registration")
