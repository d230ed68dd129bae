from flask import abort, render_template
from flask_login import current_user

from app.auth.scope import get_seminar_for
from app.core.timeutil import today_berlin
from app.organiser import bp
from app.services.attendance import presence
from app.services.availability import availability_for
from app.services.participants import by_name, participant_lists
from app.services.room_needs import changes_since_last_look, room_needs


@bp.get("/seminare/<int:seminar_id>/raumbedarf")
def room_needs_page(seminar_id: int):
    """Figures only (no person): observers read it too."""
    seminar = get_seminar_for(seminar_id, figures_only=True)
    seat = availability_for([seminar], today_berlin())[seminar.id]
    needs = room_needs(seminar, seat)
    changes, seen_at = changes_since_last_look(current_user.id, seminar, needs)
    return render_template(
        "organiser/room_needs.html",
        seminar=seminar,
        needs=needs,
        changes=changes,
        seen_at=seen_at,
    )


@bp.get("/seminare/<int:seminar_id>/unterschriften/<int:day>")
def sign_in_sheet(seminar_id: int, day: int):
    seminar = get_seminar_for(seminar_id)
    if day not in (1, 2):
        abort(404)
    people = by_name(participant_lists(seminar.id)["confirmed"])
    day_date, starts, ends = seminar.days[day - 1]
    return render_template(
        "organiser/sign_in_sheet.html",
        seminar=seminar,
        day=day,
        day_date=day_date,
        starts=starts,
        ends=ends,
        people=people,
        states=presence(seminar.id, day),
    )
