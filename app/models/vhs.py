from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import Region
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import enum_column


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
    # the Regierungsbezirk: the organisers' overviews group by it
    region: Mapped[Region | None] = mapped_column(enum_column(Region))
    # when the row last changed: the version of the public pages that show it
    changed_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp(), index=True
    )

    seminars = relationship("Seminar", back_populates="vhs", order_by="Seminar.day1")
