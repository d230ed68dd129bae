"""Deleting personal data once it is no longer needed, as the privacy notice promises."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.database import write_transaction
from app.models import OutboxMail, Registration, Seminar

MAIL_KEPT_DAYS = 30


def purge(today: date, retention_months: int) -> dict[str, int]:
    """Delete the registrations (with their attendance and audit entries) of seminars
    whose last day lies more than ``retention_months`` back, and mails older than
    ``MAIL_KEPT_DAYS`` days."""
    cutoff = today - timedelta(days=round(retention_months * 30.44))
    with write_transaction() as session:
        ended = sa.select(Seminar.id).where(Seminar.day2 < cutoff)
        registrations = session.execute(
            sa.delete(Registration).where(Registration.seminar_id.in_(ended))
        ).rowcount
        mails = session.execute(
            sa.delete(OutboxMail).where(
                OutboxMail.created_at < utcnow() - timedelta(days=MAIL_KEPT_DAYS)
            )
        ).rowcount
    return {"registrations": registrations, "mails": mails}
