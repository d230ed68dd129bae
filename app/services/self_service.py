"""What a person does through the personal link from their mail: prove the address,
and get the links again when the mail is lost."""

import sqlalchemy as sa

from app.database import write_transaction
from app.extensions import db
from app.models import Registration, RegistrationState
from app.rules import normalize_email
from app.services import mail

TOKEN_MAX = 64


def registration_by_token(token: str) -> Registration | None:
    if len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(sa.select(Registration).where(Registration.token == token)).first()


def send_links(address: str) -> None:
    """Mail the links to every active registration of ``address`` (and to a lapsed hold,
    whose link proves the address); nothing when it has none. The caller answers the
    same either way, so the answer reveals nothing."""
    with write_transaction() as session:
        registrations = session.scalars(
            sa.select(Registration)
            .where(
                Registration.email_normalized == normalize_email(address),
                sa.or_(
                    Registration.state != RegistrationState.CANCELLED,
                    # a hold that lapsed: opening its link proves the address, so that
                    # the person may hold a place again
                    sa.and_(
                        Registration.hold_until.is_not(None),
                        Registration.email_verified_at.is_(None),
                    ),
                ),
            )
            .order_by(Registration.id)
        ).all()
        if registrations:
            mail.queue_links(registrations[0].email, list(registrations))
