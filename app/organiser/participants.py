import sqlalchemy as sa
from flask import flash, render_template, request, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_registration_for, get_seminar_for
from app.extensions import db
from app.htmx import render, see_other
from app.models import Registration, RegistrationState
from app.organiser import bp
from app.organiser.forms import ActionForm, ParticipantForm
from app.public.queries import fold
from app.services.availability import availability_for
from app.services.registrations import (
    AlreadyRegistered,
    BookingError,
    NoFreePlace,
    RegistrationClosed,
    book_seat,
    cancel_registration,
    move_up,
)
from app.timeutil import today_berlin


def search_people(registrations: list[Registration], needle: str) -> list[Registration]:
    words = fold(needle).split()
    if not words:
        return registrations
    return [
        r
        for r in registrations
        if all(w in fold(f"{r.last_name} {r.first_name} {r.town}") for w in words)
    ]


def participant_lists(seminar_id: int, needle: str = "") -> dict[str, list[Registration]]:
    """Confirmed, waitlisted (in queue order) and cancelled registrations, searched."""
    return split_by_state(search_people(registrations_of(seminar_id), needle))


def registrations_of(seminar_id: int) -> list[Registration]:
    """All registrations of a seminar in booking order (the waiting list's order)."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def split_by_state(found: list[Registration]) -> dict[str, list[Registration]]:
    return {
        state.value: [r for r in found if r.state == state]
        for state in (
            RegistrationState.CONFIRMED,
            RegistrationState.WAITLISTED,
            RegistrationState.CANCELLED,
        )
    }


def _page(seminar, form, status=200, error=None):
    needle = (request.args.get("q") or "").strip()[:100]
    seat = availability_for([seminar], today_berlin())[seminar.id]
    everyone = registrations_of(seminar.id)
    # queue positions: the waiting list in booking order, before any search
    queue = split_by_state(everyone)["waitlisted"]
    return render(
        "organiser/participants.html",
        "organiser/_participant_lists.html",
        status=status,
        seminar=seminar,
        seat=seat,
        lists=split_by_state(search_people(everyone, needle)),
        positions={r.id: n for n, r in enumerate(queue, start=1)},
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
        return _page(seminar, form, status=409, error="over")
    try:
        # Organisers may add people after the public deadline and on the seminar days
        # (walk-ins), never to a cancelled or unpublished seminar: same service, same rules.
        registration = book_seat(
            seminar.id,
            form.applicant(),
            today=min(today_berlin(), seminar.registration_deadline),
            actor_id=current_user.id,
        )
    except AlreadyRegistered:
        form.email.errors.append("Diese E-Mail-Adresse ist für dieses Seminar bereits angemeldet.")
        return _page(seminar, form, status=422)
    except RegistrationClosed as closed:
        return _page(seminar, form, status=409, error=str(closed.reason))
    if registration.state == RegistrationState.CONFIRMED:
        flash(f"{registration.full_name} ist angemeldet (Platz bestätigt).", "success")
    else:
        flash(f"{registration.full_name} steht auf der Warteliste.", "success")
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
    message = f"Die Anmeldung von {cancelled.full_name} ist storniert."
    if moved:
        names = ", ".join(r.full_name for r in moved)
        message += f" Von der Warteliste nachgerückt: {names}."
    flash(message, "success")
    return see_other(url_for("organiser.participants", seminar_id=cancelled.seminar_id))


@bp.post("/anmeldungen/<int:registration_id>/nachruecken")
def promote(registration_id: int):
    registration = get_registration_for(registration_id)
    seminar_id = registration.seminar_id
    try:
        moved = move_up(registration.id, actor_id=current_user.id)
        flash(f"{moved.full_name} ist nachgerückt (Platz bestätigt).", "success")
    except NoFreePlace:
        flash(
            "Es ist kein Platz frei: Nachrücken ist erst nach einer Stornierung möglich.", "error"
        )
    except BookingError:
        flash("Diese Person steht nicht (mehr) auf der Warteliste.", "error")
    return see_other(url_for("organiser.participants", seminar_id=seminar_id))
