from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.core.timeutil import utcnow
from app.extensions import db


class Action(LabelledStrEnum):
    """What an audit entry records, with its German label for the log."""

    REGISTERED = "registered", "selbst angemeldet"
    ADDED_BY_ORGANISER = "added_by_organiser", "hinzugefügt"
    CANCELLED = "cancelled", "storniert"
    MOVED_UP = "moved_up", "nachgerückt"
    MOVED_UP_BY_HAND = "moved_up_by_hand", "von Hand nachgerückt"
    ATTENDANCE = "attendance", "Anwesenheit"
    CAPACITY_CHANGED = "capacity_changed", "Plätze geändert"
    SEMINAR_PUBLISHED = "seminar_published", "Seminar veröffentlicht"
    SEMINAR_UNPUBLISHED = "seminar_unpublished", "Seminar zurückgezogen"
    SEMINAR_CANCELLED = "seminar_cancelled", "Seminar abgesagt"
    CANCELLED_WITH_SEMINAR = "cancelled_with_seminar", "storniert (Seminar abgesagt)"


class AuditEntry(db.Model):
    """Who changed what, when, on which registration. Written by the services only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organiser.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    # the seminar concerned; None for changes to programmes, VHS, councils, trainers, users
    seminar_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    # what else was changed: "programme", "vhs", "council", "trainer", "user" and its id
    subject: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    subject_id: Mapped[int | None]
    # JSON list of [field, old value, new value] for edits
    changes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    actor = relationship("User")

    @property
    def action_label(self) -> str:
        try:
            return Action(self.action).label
        except ValueError:
            return self.action

    seminar = relationship("Seminar")
    registration = relationship("Registration")
