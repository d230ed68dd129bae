from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class OutboxMail(db.Model):
    """A mail stored in the same transaction as the change that causes it.

    The sender claims a row, delivers it, and marks it sent: each mail goes out
    once. ``dedupe_key`` (unique) keeps a mail such as a reminder from ever being
    queued twice.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (sa.Index("ix_outbox_mail_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    ics: Mapped[str | None] = mapped_column(sa.Text)
    # Answers go to this address (an organiser's message to a seminar's people).
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # A mail about a registration is composed when it is delivered (its subject and
    # bodies empty until then): what it needs besides the registration as it is then.
    # None once composed, and for mails composed when queued.
    params: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Given up: a permanent refusal (5xx, an address the server cannot take) or too many
    # temporary failures. Shown to the admins with ``last_error``; never retried.
    failed_at: Mapped[datetime | None]
    # The last attempt could not reach the server: only this pauses immediate delivery.
    connection_failed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
