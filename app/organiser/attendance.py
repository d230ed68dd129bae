from flask import abort, flash, make_response, render_template, request, url_for
from flask_login import current_user

from app.auth.scope import get_registration_for, get_seminar_for
from app.core.timeutil import today_berlin
from app.organiser import bp
from app.services.attendance import (
    NotConfirmed,
    NotYet,
    Settled,
    day_count,
    day_date,
    presence,
    recordable,
    set_presence,
)
from app.services.participants import participant_lists, search_people
from app.web.forms import ActionForm
from app.web.htmx import is_htmx, render, see_other
from app.web.pages import search_text

DAYS = (1, 2)
# what the buttons post: explicitly present or explicitly absent
CHOICES = {"1": True, "0": False}


def _day_or_404(day: int) -> int:
    if day not in DAYS:
        abort(404)
    return day


@bp.get("/seminare/<int:seminar_id>/anwesenheit/<int:day>")
def attendance(seminar_id: int, day: int):
    seminar = get_seminar_for(seminar_id)
    _day_or_404(day)
    needle = search_text()
    everyone = participant_lists(seminar.id)["confirmed"]
    states = presence(seminar.id, day)
    return render(
        "organiser/attendance.html",
        "organiser/_attendance_list.html",
        seminar=seminar,
        day=day,
        day_date=day_date(seminar, day),
        recordable=recordable(seminar, day, today_berlin()),
        people=search_people(everyone, needle),
        states=states,
        count=day_count(everyone, states),
        needle=needle,
        action_form=ActionForm(),
    )


@bp.post("/anmeldungen/<int:registration_id>/anwesenheit/<int:day>")
def toggle_attendance(registration_id: int, day: int):
    registration = get_registration_for(registration_id)
    _day_or_404(day)
    form = ActionForm()
    back = url_for("organiser.attendance", seminar_id=registration.seminar_id, day=day)
    if not form.validate():
        abort(400)
    present = CHOICES.get(request.form.get("present", ""))
    if present is None:
        abort(422)  # neither present nor absent: nothing to record
    try:
        set_presence(registration.id, day, present, current_user.id, today=today_berlin())
    except NotConfirmed:
        abort(409)
    except (NotYet, Settled) as refused:
        flash(refused.message, "error")
        return see_other(back)
    if not is_htmx():
        return see_other(back + f"#person-{registration.id}")
    everyone = participant_lists(registration.seminar_id)["confirmed"]
    states = presence(registration.seminar_id, day)
    html = render_template(
        "organiser/_attendance_toggle.html",
        person=registration,
        day=day,
        state=states.get(registration.id),
        action_form=form,
        count=day_count(everyone, states),
        oob_count=True,
    )
    return make_response(html)
