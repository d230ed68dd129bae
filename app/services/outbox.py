"""Delivering the outbox: after the response, and by ``flask send-mail`` for what is left.

A mail is claimed (an UPDATE that only one sender can win), sent, then marked
sent, so two senders never send the same mail. A failed attempt is retried
with exponential backoff. Without ``MAIL_SERVER`` mails are written as .eml
files into ``MAIL_FOLDER`` so that a trial run can read them.
"""

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g

from app.core.timeutil import utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import OutboxMail

CLAIM = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox{mail.id}")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    if mail.ics:
        message.add_attachment(
            mail.ics,  # as text, so that the part says charset=utf-8
            subtype="calendar",
            filename="seminar.ics",
            params={"method": "PUBLISH"},
        )
    return message


def _send_smtp(message: EmailMessage, config) -> None:
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    security = config["MAIL_SECURITY"].lower()
    if security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        client.send_message(message)


def _write_file(message: EmailMessage, mail: OutboxMail, folder: str) -> Path:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{mail.id:06d}-{mail.kind}.eml"
    path.write_bytes(bytes(message))
    return path


def _claim(mail_id: int) -> bool:
    """Take the mail for this sender; False when it is sent or another sender has it.

    One conditional UPDATE: of two senders, only one changes the row (PostgreSQL
    re-checks the condition after waiting for the other's row lock).
    """
    now = utcnow()
    with write_transaction() as session:
        claimed = session.execute(
            sa.update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.sent_at.is_(None),
                sa.or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
            )
            .values(claimed_until=now + CLAIM)
        )
    return claimed.rowcount == 1


def smtp_seems_down() -> bool:
    """A mail failed recently and waits for its retry: leave new mail to the retries
    (``flask send-mail``) instead of holding a web worker for the SMTP timeout."""
    return (
        db.session.scalar(
            sa.select(OutboxMail.id)
            .where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.attempts > 0,
                OutboxMail.next_attempt_at > utcnow(),
            )
            .limit(1)
        )
        is not None
    )


def _record(mail_id: int, error: str | None) -> None:
    with write_transaction() as session:
        mail = session.get(OutboxMail, mail_id, populate_existing=True)
        mail.claimed_until = None
        if error is None:
            mail.sent_at = utcnow()
        else:
            mail.attempts += 1
            mail.next_attempt_at = utcnow() + backoff(mail.attempts)
            mail.last_error = error[:500]


def deliver_pending(limit: int = BATCH, only: list[int] | None = None) -> dict[str, int]:
    """Send what is due (or only the mails ``only``); returns counts of sent and failed."""
    config = current_app.config
    now = utcnow()
    query = (
        sa.select(OutboxMail.id)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.next_attempt_at <= now,
            sa.or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(OutboxMail.id.in_(only))
    due = db.session.scalars(query).all()
    counts = {"sent": 0, "failed": 0}
    for mail_id in due:
        if not _claim(mail_id):
            continue
        mail = db.session.get(OutboxMail, mail_id)
        message = build_message(mail, config["MAIL_SENDER"])
        error = None
        try:
            if config["MAIL_SERVER"]:
                _send_smtp(message, config)
            else:
                path = _write_file(message, mail, config["MAIL_FOLDER"])
                current_app.logger.info("Mail %s written to %s", mail_id, path)
        except (OSError, smtplib.SMTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
            current_app.logger.warning("Mail %s not delivered: %s", mail_id, error)
        db.session.rollback()  # end the read, so that the next write starts locked
        _record(mail_id, error)
        counts["failed" if error else "sent"] += 1
    return counts


def init_delivery(app: Flask) -> None:
    """After a response whose request queued mail, deliver it (the person has their answer)."""

    @app.after_request
    def _deliver_after_response(response):
        queued = g.pop("queued_mails", [])
        # Only mails that were committed have an identity; a rolled-back one has none.
        ids = [key[1][0] for mail in queued if (key := sa.inspect(mail).identity_key)]
        if ids:

            def deliver():
                with app.app_context():
                    try:
                        if not smtp_seems_down():
                            deliver_pending(only=ids)
                    finally:
                        db.session.remove()

            response.call_on_close(deliver)
        return response
