"""What follows a seminar: its anonymous evaluation answers and its settlement."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import enum_column


class EvaluationAnswer(db.Model):
    """One anonymous questionnaire answer. It carries no registration, no time (not even
    the day) and a random key that is drawn anew, for every answer of the seminar,
    whenever an answer is added: the seminar's answers are rewritten together, in the
    order of those keys (``app/services/evaluation.py`` says why)."""

    __tablename__ = "evaluation_answer"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    # question key -> 1..5 (absent: not answered)
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # the two free texts
    liked: Mapped[str] = mapped_column(sa.Text, default="")
    improve: Mapped[str] = mapped_column(sa.Text, default="")


class EvaluationCode(db.Model):
    """An anonymous one-time code for answering a seminar's questionnaire in the room,
    tied to nobody: only its keyed digest is stored, the row goes when it is used, and it
    is valid until the questionnaire closes."""

    __tablename__ = "evaluation_code"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    valid_until: Mapped[date]


class SettlementState(LabelledStrEnum):
    DRAFT = "draft", "Entwurf"
    SUBMITTED = "submitted", "eingereicht"
    CHECKED = "checked", "geprüft"
    PAID = "paid", "ausgezahlt"


class Settlement(db.Model):
    """A seminar's settlement (Abrechnung): the VHS submits it, the Landesverband checks
    and pays it (DOMAIN.md, decisions: settlement)."""

    __tablename__ = "settlement"
    __table_args__ = (
        sa.CheckConstraint(
            "catering_spent_cents IS NULL OR catering_spent_cents >= 0",
            name="catering_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[SettlementState] = mapped_column(
        enum_column(SettlementState), default=SettlementState.DRAFT
    )
    # what the VHS spent on catering (the funding counts at most the programme's amount
    # per person who attended)
    catering_spent_cents: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organiser.id", ondelete="SET NULL")
    )
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organiser.id", ondelete="SET NULL")
    )
    paid_at: Mapped[datetime | None]
    paid_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organiser.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Every figure as submitted (``funding.record_of``): a submitted, checked or paid
    # settlement is a record that later changes of the data leave as it is.
    record: Mapped[dict | None] = mapped_column(sa.JSON)
    # The figures of the version last given back, to show what changed against it.
    returned_record: Mapped[dict | None] = mapped_column(sa.JSON)

    seminar = relationship("Seminar")
