from flask import flash, render_template, request, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_registration_for, get_seminar_for
from app.core.timeutil import today_berlin
from app.organiser import bp
from app.organiser.forms import ParticipantForm
from app.services import messages
from app.services.availability import availability_for
from app.services.errors import ServiceError
from app.services.participants import registrations_of, search_people, split_by_state
from app.services.registrations import (
    RegistrationClosed,
    book_seat,
    cancel_registration,
    move_up,
)
from app.services.series import notes_for
from app.web.forms import ActionForm
from app.web.htmx import render, see_other
from app.web.pages import search_text, show_refusal


def _page(seminar, form, status=200, error=None):
    seat = availability_for([seminar], today_berlin())[seminar.id]
    everyone = registrations_of(seminar.id)
    # queue positions: the waiting list in booking order, before any search
    queue = split_by_state(everyone)["waitlisted"]
    needle = search_text()
    return render(
        "organiser/participants.html",
        "organiser/_participant_lists.html",
        status=status,
        seminar=seminar,
        seat=seat,
        lists=split_by_state(search_people(everyone, needle)),
        positions={r.id: n for n, r in enumerate(queue, start=1)},
        series=notes_for(everyone),  # the same person's other seminars (by e-mail address)
        needle=needle,
        form=form,
        action_form=ActionForm(),
        error=error,
        funding=rules.funding_state(seminar.programme.rules, seat.confirmed, seminar.capacity),
    )


@bp.get("/seminare/<int:seminar_id>")
def participants(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return _page(seminar, ParticipantForm())


@bp.post("/seminare/<int:seminar_id>/teilnehmende")
def add_participant(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    form = ParticipantForm()
    if not form.validate():
        return _page(seminar, form, status=422)
    if today_berlin() > seminar.day2:
        return _page(seminar, form, status=409, error=messages.SEMINAR_OVER)
    try:
        # Organisers may add people after the public deadline and on the seminar days
        # (walk-ins), never to a cancelled or unpublished seminar: same service, same rules.
        registration = book_seat(
            seminar.id,
            form.applicant(),
            today=min(today_berlin(), seminar.registration_deadline),
            actor_id=current_user.id,
        )
    except RegistrationClosed as closed:
        return _page(seminar, form, status=409, error=closed.message)
    except ServiceError as refused:
        show_refusal(form, refused)
        return _page(seminar, form, status=422)
    flash(messages.participant_added(registration), "success")
    return see_other(url_for("organiser.participants", seminar_id=seminar.id))


@bp.route("/anmeldungen/<int:registration_id>/stornieren", methods=["GET", "POST"])
def cancel(registration_id: int):
    """GET asks for confirmation (works without JavaScript); POST cancels."""
    registration = get_registration_for(registration_id)
    if request.method == "GET":
        return render_template(
            "organiser/cancel_confirm.html",
            registration=registration,
            seminar=registration.seminar,
            action_form=ActionForm(),
        )
    if not ActionForm().validate():
        return see_other(url_for("organiser.participants", seminar_id=registration.seminar_id))
    cancelled, moved = cancel_registration(registration.id, actor_id=current_user.id)
    flash(messages.registration_cancelled(cancelled, moved), "success")
    return see_other(url_for("organiser.participants", seminar_id=cancelled.seminar_id))


@bp.post("/anmeldungen/<int:registration_id>/nachruecken")
def promote(registration_id: int):
    registration = get_registration_for(registration_id)
    seminar_id = registration.seminar_id
    try:
        moved = move_up(registration.id, actor_id=current_user.id)
        flash(messages.moved_up_by_hand(moved), "success")
    except ServiceError as refused:
        flash(refused.message, "error")
    return see_other(url_for("organiser.participants", seminar_id=seminar_id))
