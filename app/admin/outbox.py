"""Mails that could not be delivered, with the reason the mail server gave."""

from flask import render_template

from app.admin import bp, queries

PAGE_SIZE = 200


@bp.get("/postausgang")
def outbox():
    return render_template(
        "admin/outbox.html",
        failed=queries.failed_mails(PAGE_SIZE),
        waiting=queries.waiting_mails(),
    )
