import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Vhs(db.Model):
    """A Volkshochschule: hosts seminars and is their location."""

    __tablename__ = "vhs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    town: Mapped[str] = mapped_column(sa.String(100))
    street: Mapped[str] = mapped_column(sa.String(160), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(160), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(60), default="")

    seminars = relationship("Seminar", back_populates="vhs", order_by="Seminar.day1")
