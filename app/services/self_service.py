"""What a person does through the personal link from their mail: prove the address,
and get the links again when the mail is lost."""

import sqlalchemy as sa

from app.database import write_transaction
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState
from app.rules import normalize_email
from app.services import mail, outbox
from app.services.links import registration_by_token

__all__ = ["compose_links", "registration_by_token", "send_links"]


def send_links(address: str) -> None:
    """Ask for the links to every active registration of ``address``: one request row,
    whatever the address; the sender finds the registrations (``compose_links``)."""
    with write_transaction():
        mail.queue_request("links_request", address)


def compose_links(address: str) -> OutboxMail | None:
    """Inside the sender's write transaction: queue the links mail for ``address`` (and
    a lapsed hold, whose link proves the address); None when it has none."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.email_normalized == normalize_email(address),
            sa.or_(
                Registration.state != RegistrationState.CANCELLED,
                sa.and_(
                    Registration.hold_until.is_not(None),
                    Registration.email_verified_at.is_(None),
                ),
            ),
        )
        .order_by(Registration.id)
    ).all()
    if not registrations:
        return None
    return mail.queue_links(registrations[0].email, list(registrations))


outbox.register_kind("links_request", composer=compose_links)
