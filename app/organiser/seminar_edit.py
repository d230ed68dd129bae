"""VHS staff change their own seminar's dates, times, place and note until its
registration deadline, through the same service, rules, mails and log as an admin's
edit (``seminars.update_seminar_by_vhs``). Admins keep their own, fuller form."""

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_seminar_for
from app.core.timeutil import today_berlin
from app.models import Role, Seminar, SeminarState
from app.organiser import bp
from app.organiser.forms import SeminarChangeForm
from app.services import messages, seminars
from app.web.htmx import see_other
from app.web.pages import form_page

FIELDS = tuple(seminars.VenueAndDates.__dataclass_fields__)
TEMPLATE = "organiser/seminar_edit.html"


def _closed_because(seminar: Seminar) -> str | None:
    """Why VHS staff can no longer change the seminar, or None while they can."""
    if seminar.state == SeminarState.CANCELLED:
        return messages.SEMINAR_CANCELLED
    if not rules.vhs_may_change_seminar(seminar.registration_deadline, today_berlin()):
        return messages.vhs_changes_closed(seminar.registration_deadline)
    return None


@bp.route("/seminare/<int:seminar_id>/bearbeiten", methods=["GET", "POST"])
def seminar_edit(seminar_id: int):
    # out of scope: 404; in scope but not VHS staff: the admins' own form, or 403
    seminar = get_seminar_for(seminar_id)
    if current_user.role == Role.ADMIN:
        return see_other(url_for("admin.seminar_edit", seminar_id=seminar.id))
    if current_user.role != Role.VHS:
        abort(403)
    closed = _closed_because(seminar)
    if closed:
        status = 409 if request.method == "POST" else 200
        return render_template(TEMPLATE, seminar=seminar, form=None, closed=closed), status
    form = SeminarChangeForm(
        seminar=seminar, data={name: getattr(seminar, name) for name in FIELDS}
    )

    def save():
        update = seminars.update_seminar_by_vhs(
            seminar.id,
            form.change(),
            vhs_id=current_user.vhs_id,
            today=today_berlin(),
            actor_id=current_user.id,
        )
        flash(messages.saved("Das Seminar"), "success")
        if update.calendar_changed:
            flash(messages.seminar_changed(len(update.told)), "success")
        for warning in form.warnings().values():
            flash(warning, "closed")
        return see_other(url_for("organiser.participants", seminar_id=seminar.id))

    return form_page(form, TEMPLATE, save, seminar=seminar, closed=None)
