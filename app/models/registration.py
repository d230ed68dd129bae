from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import enum_column


class RegistrationState(LabelledStrEnum):
    # a place held for a public registration until the address is proven (hold_until)
    HELD = "held", "vorgemerkt"
    CONFIRMED = "confirmed", "bestätigt"
    WAITLISTED = "waitlisted", "Warteliste"
    CANCELLED = "cancelled", "storniert"


# Registrations that hold a place (held or confirmed) or wait for one: the people told
# of a seminar's changes and reached by its organisers' messages.
ACTIVE_STATES = (RegistrationState.HELD, RegistrationState.CONFIRMED, RegistrationState.WAITLISTED)


class Registration(db.Model):
    """A council member's registration for one seminar.

    Rows are created and moved between states only by
    ``app.services.registrations``.
    """

    __table_args__ = (
        sa.UniqueConstraint("seminar_id", "email_normalized", name="uq_registration_email"),
        sa.Index("ix_registration_seminar_state", "seminar_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(sa.ForeignKey("seminar.id", ondelete="CASCADE"))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    town: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_normalized: Mapped[str] = mapped_column(sa.String(254))
    state: Mapped[RegistrationState] = mapped_column(enum_column(RegistrationState))
    # When the person took their place in the queue: orders the waiting list.
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # indexed: the organisers' dashboard reads the newest ones (a burst of holds)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None]
    # A held place is released at this moment (UTC) unless the address is proven first.
    hold_until: Mapped[datetime | None]
    # Booked by someone who vouches for the address (an organiser, an import): never held.
    vouched: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set when the person first opens their personal link from the confirmation mail.
    email_verified_at: Mapped[datetime | None]
    # The anonymous evaluation was answered (the answer itself names nobody).
    evaluation_given: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Erased on the person's request (GDPR Art. 17): names and address replaced, the row
    # kept so that seat counts, waiting lists and funding figures stay right.
    erased_at: Mapped[datetime | None]

    seminar = relationship("Seminar")
    links = relationship("RegistrationLink", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RegistrationLink(db.Model):
    """One personal link mailed to the person: only the digest of its secret is stored,
    as for invitations. Every mail that carries a link issues its own, so a link from
    an earlier mail keeps working (``app.services.self_service``)."""

    __tablename__ = "registration_link"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
