"""Reminders a few days before the first seminar day; safe to run every hour."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.database import write_transaction
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState, Seminar, SeminarState
from app.services import mail


def queue_due_reminders(today: date, days_before: int) -> int:
    """Queue a reminder for every confirmed person whose seminar starts within
    ``days_before`` days; nobody is reminded twice (the outbox's dedupe key)."""
    with write_transaction():
        return _queue_due(today, days_before)


def _queue_due(today: date, days_before: int) -> int:
    due = db.session.scalars(
        sa.select(Registration)
        .join(Registration.seminar)
        .where(
            Registration.state == RegistrationState.CONFIRMED,
            Seminar.state == SeminarState.PUBLISHED,
            Seminar.day1 > today,
            Seminar.day1 <= today + timedelta(days=days_before),
        )
        .options(joinedload(Registration.seminar).joinedload(Seminar.vhs))
    ).all()
    already = set(
        db.session.scalars(sa.select(OutboxMail.dedupe_key).where(OutboxMail.kind == "reminder"))
    )
    queued = 0
    for registration in due:
        if mail.reminder_key(registration) in already:
            continue
        mail.queue_reminder(registration)
        queued += 1
    return queued
