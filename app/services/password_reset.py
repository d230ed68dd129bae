"""A forgotten password: a one-time link by mail, through the same outbox as everything."""

import sqlalchemy as sa

from app.database import write_transaction
from app.models import User
from app.rules import normalize_email
from app.services import mail


def request_password_reset(email: str) -> None:
    """Mail a link to set a new password, if an active account has this address.

    Says nothing either way: the caller answers the same whether it exists or not.
    """
    with write_transaction() as session:
        user = session.scalars(
            sa.select(User).where(User.email == normalize_email(email), User.active.is_(True))
        ).first()
        if user is None:
            return
        token = user.issue_reset()
        mail.queue("password_reset", user.email, user=user, link=_link(token))


def _link(token: str) -> str:
    return mail.absolute_url("auth.accept_invitation", token=token)
