from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import enum_column


class CouncilKind(StrEnum):
    INTEGRATIONSRAT = "integrationsrat"
    INTEGRATIONSAUSSCHUSS = "integrationsausschuss"


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
