"""A forgotten password: a one-time link by mail, through the same outbox as everything."""

import sqlalchemy as sa

from app.database import write_transaction
from app.extensions import db
from app.models import OutboxMail, User
from app.rules import normalize_email
from app.services import mail, outbox


def request_password_reset(email: str) -> None:
    """Ask for a link to set a new password: one request row whatever the address, so the
    caller answers the same, with the same work, whether an account exists or not. The
    sender looks the account up (``compose_reset``)."""
    with write_transaction():
        mail.queue_request("password_reset_request", email)


def compose_reset(email: str) -> OutboxMail | None:
    """Inside the sender's write transaction: issue a reset link for the active account
    with this address and queue its mail; None when there is none."""
    user = db.session.scalars(
        sa.select(User).where(User.email == normalize_email(email), User.active.is_(True))
    ).first()
    if user is None:
        return None
    token = user.issue_reset()
    return mail.queue("password_reset", user.email, user=user, link=_link(token))


def _link(token: str) -> str:
    return mail.absolute_url("auth.accept_invitation", token=token)


outbox.register_kind("password_reset_request", composer=compose_reset)
