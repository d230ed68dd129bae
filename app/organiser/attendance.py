from flask import abort, make_response, render_template, request, url_for
from flask_login import current_user

from app.auth.scope import get_registration_for, get_seminar_for
from app.organiser import bp
from app.services.attendance import NotConfirmed, presence, set_presence
from app.services.participants import participant_lists, search_people
from app.web.forms import ActionForm
from app.web.htmx import is_htmx, render, see_other
from app.web.pages import search_text

DAYS = (1, 2)


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
    people = search_people(everyone, needle)
    return render(
        "organiser/attendance.html",
        "organiser/_attendance_list.html",
        seminar=seminar,
        day=day,
        people=people,
        states=states,
        present_count=sum(1 for r in everyone if states.get(r.id)),
        total=len(everyone),
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
    present = request.form.get("present") == "1"
    try:
        set_presence(registration.id, day, present, current_user.id)
    except NotConfirmed:
        abort(409)
    if not is_htmx():
        return see_other(back + f"#person-{registration.id}")
    everyone = participant_lists(registration.seminar_id)["confirmed"]
    states = presence(registration.seminar_id, day)
    html = render_template(
        "organiser/_attendance_toggle.html",
        person=registration,
        day=day,
        present=states.get(registration.id, False),
        action_form=form,
        present_count=sum(1 for r in everyone if states.get(r.id)),
        total=len(everyone),
        oob_count=True,
    )
    return make_response(html)
