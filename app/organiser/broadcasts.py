"""An organiser's message to a seminar's people: write (from a German draft), preview
(the mail as it goes out, and how many get it), send. Everyone who sees the seminar's
participants may: its VHS staff, its host councils' contact persons, the admins."""

from flask import flash, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_seminar_for
from app.core.formatting import moment
from app.models import Seminar
from app.organiser import bp
from app.organiser.forms import MessageForm
from app.services import broadcasts, messages
from app.services.errors import ServiceError
from app.web.htmx import render, see_other
from app.web.pages import show_refusal


def _form(seminar: Seminar, **kwargs) -> MessageForm:
    return MessageForm(counts=broadcasts.audience_counts(seminar), **kwargs)


def _preview_or_none(seminar: Seminar, form: MessageForm):
    """The preview of what the form holds; None (the refusal beside its field) when
    the message cannot go out as written."""
    try:
        preview = broadcasts.preview(seminar, form.message(), current_user)
    except ServiceError as refused:
        show_refusal(form, refused)
        return None
    form.previewed.data = form.fingerprint()
    return preview


def _page(seminar: Seminar, form: MessageForm, status: int = 200, preview=None, error=None):
    waiting_until = broadcasts.next_possible(seminar.id)
    waiting = None
    if waiting_until is not None:
        waiting = messages.too_many_messages(rules.MESSAGES_PER_SEMINAR, moment(waiting_until))
    return render(
        "organiser/broadcast.html",
        "organiser/_broadcast_form.html",
        status=status,
        seminar=seminar,
        form=form,
        preview=preview,
        error=error,
        waiting=waiting,
        limit=rules.MESSAGES_PER_SEMINAR,
    )


@bp.get("/seminare/<int:seminar_id>/nachricht")
def message(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    form = _form(seminar, data={"body": broadcasts.draft(seminar, current_user)})
    return _page(seminar, form)


@bp.post("/seminare/<int:seminar_id>/nachricht")
def message_preview(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    form = _form(seminar)
    if not form.validate():
        return _page(seminar, form, 422)
    preview = _preview_or_none(seminar, form)
    return _page(seminar, form, 200 if preview else 422, preview=preview)


@bp.post("/seminare/<int:seminar_id>/nachricht/senden")
def message_send(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    form = _form(seminar)
    if not form.validate():
        return _page(seminar, form, 422)
    if not form.seen_in_preview():
        # only what was seen goes out: show the preview of what is there now
        preview = _preview_or_none(seminar, form)
        return _page(seminar, form, 422, preview, messages.MESSAGE_CHANGED_AFTER_PREVIEW)
    try:
        count = broadcasts.send_message(seminar.id, form.message(), actor_id=current_user.id)
    except broadcasts.TooManyMessages as refused:
        return _page(seminar, form, 429, _preview_or_none(seminar, form), refused.message)
    except ServiceError as refused:
        show_refusal(form, refused)
        return _page(seminar, form, 422)
    flash(messages.message_sent(count), "success")
    return see_other(url_for("organiser.participants", seminar_id=seminar.id))
