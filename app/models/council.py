from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.enums import LabelledStrEnum, Region
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import enum_column


class CouncilKind(LabelledStrEnum):
    INTEGRATIONSRAT = "integrationsrat", "Integrationsrat"
    INTEGRATIONSAUSSCHUSS = "integrationsausschuss", "Integrationsausschuss"


class Council(db.Model):
    """A municipal integration council (or committee) that hosts seminars."""

    id: Mapped[int] = mapped_column(primary_key=True)
    town: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[CouncilKind] = mapped_column(
        enum_column(CouncilKind, 30), default=CouncilKind.INTEGRATIONSRAT
    )
    office_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Free text besides the contact persons' accounts (users with the role "contact").
    contact_name: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    # the Regierungsbezirk: the organisers' overviews group by it
    region: Mapped[Region | None] = mapped_column(enum_column(Region))
    # when the row last changed: the version of the public pages that show it
    changed_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp(), index=True
    )
