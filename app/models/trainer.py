import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.extensions import db
from app.models.types import enum_column


class TrainerKind(LabelledStrEnum):
    ADULT_EDUCATOR = "adult_educator", "Erwachsenenbildner*in"
    COUNCIL_FIELD = "council_field", "aus dem Feld der Integrationsräte"


class Trainer(db.Model):
    """A trainer the Landesverband contracts; a seminar is run by a tandem of two."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    kind: Mapped[TrainerKind] = mapped_column(enum_column(TrainerKind))

    assignments = relationship("SeminarTrainer", back_populates="trainer")


class SeminarTrainer(db.Model):
    """A trainer assigned to a seminar, with the travel costs recorded for that trip."""

    __tablename__ = "seminar_trainer"
    __table_args__ = (sa.CheckConstraint("travel_cost_cents >= 0", name="travel_not_negative"),)

    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    trainer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("trainer.id"), primary_key=True, index=True
    )
    travel_cost_cents: Mapped[int] = mapped_column(default=0)
    # the trainer's place in the seminar's ordered list: the first ones are funded
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    seminar = relationship("Seminar", back_populates="trainer_assignments")
    trainer = relationship("Trainer", back_populates="assignments")
