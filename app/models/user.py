import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.enums import LabelledStrEnum
from app.core.timeutil import utcnow
from app.extensions import db
from app.models.types import enum_column

INVITATION_DAYS = 7
RESET_HOURS = 2
# Compared against when an e-mail is unknown, so that a login takes as long either way.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class Role(LabelledStrEnum):
    ADMIN = "admin", "Landesebene (alle Seminare)"  # state organisers: every seminar
    VHS = "vhs", "Volkshochschule"  # the seminars of one VHS
    CONTACT = "contact", "Ansprechperson eines Integrationsrats"  # one council's seminars
    # the funder, the Landeszentrale, LIR staff: every seminar's figures, read only, and
    # no personal data of participants
    OBSERVER = "observer", "Beobachtung (nur Zahlen, nur lesen)"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    """An organiser account; council members never have one."""

    __tablename__ = "organiser"
    __table_args__ = (
        sa.CheckConstraint("role != 'vhs' OR vhs_id IS NOT NULL", name="vhs_has_vhs"),
        sa.CheckConstraint(
            "role != 'contact' OR council_id IS NOT NULL", name="contact_has_council"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    vhs_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vhs.id"))
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Raised on logout and password change: every session issued before is void.
    session_version: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    invitation_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    invitation_expires: Mapped[datetime | None]
    # A forgotten password: its own one-time link, short-lived, and it leaves a pending
    # invitation alone (an anonymous reset request can never void an invitation).
    reset_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    reset_expires: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    vhs = relationship("Vhs")
    council = relationship("Council")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash or _DUMMY_HASH, password) and bool(
            self.password_hash
        )

    def issue_invitation(self) -> str:
        """A one-time secret for setting the password; only its digest is stored."""
        token = secrets.token_urlsafe(32)
        self.invitation_digest = _digest(token)
        self.invitation_expires = utcnow() + timedelta(days=INVITATION_DAYS)
        return token

    def issue_reset(self) -> str:
        """A one-time secret for a forgotten password, valid ``RESET_HOURS``; only its
        digest is stored. A pending invitation stays valid."""
        token = secrets.token_urlsafe(32)
        self.reset_digest = _digest(token)
        self.reset_expires = utcnow() + timedelta(hours=RESET_HOURS)
        return token

    @classmethod
    def by_invitation(cls, token: str) -> "User | None":
        """The account an invitation or reset link belongs to, while the link is valid."""
        digest = _digest(token)
        user = db.session.scalars(
            sa.select(cls).where(
                sa.or_(cls.invitation_digest == digest, cls.reset_digest == digest)
            )
        ).first()
        if user is None:
            return None
        if user.invitation_digest == digest:
            expires = user.invitation_expires
        else:
            expires = user.reset_expires
        if expires is None or expires < utcnow():
            return None
        return user

    def accept_invitation(self, password: str) -> None:
        """The password is set: every link of this account is spent."""
        self.set_password(password)
        self.invitation_digest = None
        self.invitation_expires = None
        self.reset_digest = None
        self.reset_expires = None

    @staticmethod
    def verify_unknown(password: str) -> bool:
        """Spend the same time as a real check for an unknown e-mail; always False."""
        check_password_hash(_DUMMY_HASH, password)
        return False
