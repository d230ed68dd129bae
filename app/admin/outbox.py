"""Mails that could not be delivered, with the reason the mail server gave."""

import sqlalchemy as sa
from flask import render_template

from app.admin import bp
from app.extensions import db
from app.models import OutboxMail

PAGE_SIZE = 200


@bp.get("/postausgang")
def outbox():
    failed = db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.failed_at.is_not(None))
        .order_by(OutboxMail.failed_at.desc(), OutboxMail.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    )
    return render_template("admin/outbox.html", failed=failed, waiting=waiting)
