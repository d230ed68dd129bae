"""The personal links in the mails: each mail that carries one issues a new secret,
of which only the digest is stored (as for invitations), so that a database copy opens
no registration and an earlier mail's link keeps working."""

import hashlib
import secrets

import sqlalchemy as sa

from app.extensions import db
from app.models import Registration, RegistrationLink

TOKEN_MAX = 64


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(registration: Registration) -> str:
    """A new secret for the person's link (256 bits), inside the caller's transaction;
    only its digest is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(RegistrationLink(digest=digest(token), registration_id=registration.id))
    return token


def registration_by_token(token: str) -> Registration | None:
    if len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(
        sa.select(Registration)
        .join(RegistrationLink, RegistrationLink.registration_id == Registration.id)
        .where(RegistrationLink.digest == digest(token))
    ).first()
