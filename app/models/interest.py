"""Interest declared before a programme's seminars exist: VHS offer to host modules,
council offices ask for them; the state organisers then select or decline each
offered module (DOMAIN.md rule 9)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum, Module
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.council import CouncilKind
from app.models.types import ModuleType, enum_column


class DeclarationState(LabelledStrEnum):
    NEW = "new", "neu (Adresse nicht bestätigt)"
    CONFIRMED = "confirmed", "bestätigt"
    WITHDRAWN = "withdrawn", "zurückgezogen"


class OfferState(LabelledStrEnum):
    OPEN = "open", "offen"
    SELECTED = "selected", "ausgewählt"
    DECLINED = "declined", "abgelehnt"


vhs_declaration_council = sa.Table(
    "vhs_declaration_council",
    db.metadata,
    sa.Column(
        "declaration_id",
        sa.ForeignKey("vhs_declaration.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("council_id", sa.ForeignKey("council.id", ondelete="CASCADE"), primary_key=True),
)


class _Declaration:
    """What both kinds of declaration share: the contact, the state, the personal link."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_name: Mapped[str] = mapped_column(sa.String(160))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    email_normalized: Mapped[str] = mapped_column(sa.String(254), index=True)
    contact_phone: Mapped[str] = mapped_column(sa.String(60), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[DeclarationState] = mapped_column(
        enum_column(DeclarationState), default=DeclarationState.NEW
    )
    # the personal link (confirm, change, withdraw) is stored as its digest only
    link_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VhsDeclaration(_Declaration, db.Model):
    """A VHS offers to host one or both modules: a known VHS or a new one."""

    __tablename__ = "vhs_declaration"
    __table_args__ = (
        sa.CheckConstraint("vhs_id IS NOT NULL OR new_vhs_name != ''", name="names_a_vhs"),
    )

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    vhs_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vhs.id"), index=True)
    # a VHS not in the directory yet: created when one of its modules is selected
    new_vhs_name: Mapped[str] = mapped_column(sa.String(160), default="")
    new_vhs_town: Mapped[str] = mapped_column(sa.String(100), default="")
    new_vhs_street: Mapped[str] = mapped_column(sa.String(160), default="")
    new_vhs_postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    room: Mapped[str] = mapped_column(sa.String(300), default="")
    room_capacity: Mapped[int | None]
    step_free: Mapped[bool] = mapped_column(default=False)
    accessibility_note: Mapped[str] = mapped_column(sa.String(500), default="")

    programme = relationship("Programme")
    vhs = relationship("Vhs")
    offers: Mapped[list["VhsOffer"]] = relationship(
        back_populates="declaration",
        cascade="all, delete-orphan",
        order_by="VhsOffer.module",
    )
    councils = relationship("Council", secondary=vhs_declaration_council, order_by="Council.town")

    @property
    def vhs_name(self) -> str:
        return self.vhs.name if self.vhs is not None else self.new_vhs_name

    @property
    def declared_for(self) -> str:
        """Whom the declaration is about, as the mails name it (plain text)."""
        return self.vhs_name

    @property
    def town(self) -> str:
        return self.vhs.town if self.vhs is not None else self.new_vhs_town


class VhsOffer(db.Model):
    """One module a VHS declaration offers, with its dates; selected or declined by
    the state organisers, one at a time."""

    __tablename__ = "vhs_offer"
    __table_args__ = (
        sa.UniqueConstraint("declaration_id", "module"),
        sa.CheckConstraint("module IN (1, 2)", name="module_known"),
        sa.CheckConstraint("day2 IS NULL OR day1 IS NULL OR day2 >= day1", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("vhs_declaration.id", ondelete="CASCADE"), index=True
    )
    module: Mapped[Module] = mapped_column(ModuleType())
    # concrete days, or a period in words ("2. Märzhälfte, gern samstags")
    day1: Mapped[date | None]
    day2: Mapped[date | None]
    preferred_period: Mapped[str] = mapped_column(sa.String(300), default="")
    state: Mapped[OfferState] = mapped_column(enum_column(OfferState), default=OfferState.OPEN)
    decision_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organiser.id", ondelete="SET NULL")
    )
    seminar_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seminar.id", ondelete="SET NULL"))

    declaration: Mapped[VhsDeclaration] = relationship(back_populates="offers")
    seminar = relationship("Seminar")


class CouncilDeclaration(_Declaration, db.Model):
    """A council office tells the LIR it is interested: a known council or a new one."""

    __tablename__ = "council_declaration"
    __table_args__ = (
        sa.CheckConstraint(
            "council_id IS NOT NULL OR new_council_town != ''", name="names_a_council"
        ),
        sa.CheckConstraint("wants_basic OR wants_advanced", name="wants_a_module"),
    )

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id"), index=True)
    new_council_town: Mapped[str] = mapped_column(sa.String(100), default="")
    wants_basic: Mapped[bool] = mapped_column(default=False)
    wants_advanced: Mapped[bool] = mapped_column(default=False)
    estimated_participants: Mapped[int | None]
    preferred_vhs_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vhs.id"))

    programme = relationship("Programme")
    council = relationship("Council")
    preferred_vhs = relationship("Vhs")

    @property
    def town(self) -> str:
        return self.council.town if self.council is not None else self.new_council_town

    @property
    def declared_for(self) -> str:
        """Whom the declaration is about, as the mails name it (plain text): "Integrationsrat
        Münster"; a council not in the directory yet is named an Integrationsrat."""
        kind = self.council.kind if self.council is not None else CouncilKind.INTEGRATIONSRAT
        return f"{kind.label} {self.town}"

    @property
    def modules(self) -> list[Module]:
        wanted = [(Module.BASIC, self.wants_basic), (Module.ADVANCED, self.wants_advanced)]
        return [module for module, wants in wanted if wants]
