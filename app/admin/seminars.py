from datetime import time

from flask import flash, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin import bp, queries
from app.admin.forms import SeminarForm, TandemForm
from app.core.timeutil import today_berlin
from app.models import (
    Programme,
    Seminar,
    SeminarState,
    TrainerKind,
)
from app.services import funding, messages, seminars, trainers
from app.services.availability import availability_for
from app.services.errors import ServiceError
from app.web.forms import ActionForm
from app.web.htmx import see_other
from app.web.pages import form_page

FIELDS = [name for name in seminars.SeminarData.__dataclass_fields__ if name != "council_ids"]


# -- list ----------------------------------------------------------------------------


@bp.get("/seminare")
def seminars_page():
    items = queries.seminars_with_trainers()
    checks = trainers.checks_for([s for s in items if s.state != SeminarState.CANCELLED])
    return render_template(
        "admin/seminars.html",
        items=items,
        seats=availability_for(items, today_berlin()),
        checks=checks,
    )


# -- create and edit -------------------------------------------------------------------


def _seminar_form(**values) -> SeminarForm:
    programmes = queries.programmes()
    form = SeminarForm(programme_rules={p.id: p.rules for p in programmes}, data=values)
    form.programme_id.choices = queries.programme_choices(programmes)
    form.vhs_id.choices = queries.vhs_choices()
    form.councils.choices = [
        SelectChoice(c.id, f"{c.kind.label} {c.town}") for c in queries.councils()
    ]
    return form


@bp.route("/seminare/neu", methods=["GET", "POST"])
def seminar_new():
    current = Programme.current()
    form = _seminar_form(
        programme_id=current.id if current else None,
        capacity=current.max_participants if current else None,
        day1_starts=time(9, 0),
        day1_ends=time(17, 0),
        day2_starts=time(9, 0),
        day2_ends=time(17, 0),
    )

    def save():
        seminar = seminars.create_seminar(
            form.data_of(), form.capacity.data, actor_id=current_user.id
        )
        flash(messages.saved("Das Seminar (Entwurf)"), "success")
        _flash_day_warnings(form)
        return see_other(url_for("admin.seminar_detail", seminar_id=seminar.id))

    return form_page(form, "admin/seminar_form.html", save, seminar=None)


@bp.route("/seminare/<int:seminar_id>/bearbeiten", methods=["GET", "POST"])
def seminar_edit(seminar_id: int):
    seminar = queries.seminar_or_404(seminar_id)
    if seminar.state == SeminarState.CANCELLED:
        flash(messages.SEMINAR_CANCELLED, "error")
        return see_other(url_for("admin.seminar_detail", seminar_id=seminar.id))
    values = {name: getattr(seminar, name) for name in FIELDS}
    form = _seminar_form(
        capacity=seminar.capacity, councils=[c.id for c in seminar.councils], **values
    )

    def save():
        update = seminars.update_seminar(
            seminar.id, form.data_of(), form.capacity.data, actor_id=current_user.id
        )
        flash(messages.saved("Das Seminar"), "success")
        if update.calendar_changed:
            flash(messages.seminar_changed(len(update.told)), "success")
        if update.moved:
            flash(messages.moved_up(update.moved), "success")
        _flash_day_warnings(form)
        return see_other(url_for("admin.seminar_detail", seminar_id=seminar.id))

    return form_page(form, "admin/seminar_form.html", save, seminar=seminar)


def _flash_day_warnings(form: SeminarForm) -> None:
    """A short day is saved, and said so right after saving (rule 10)."""
    for warning in form.warnings().values():
        flash(warning, "closed")


# -- one seminar: state, tandem, travel costs ------------------------------------------


def _tandem_form(seminar: Seminar) -> TandemForm:
    """The tandem form: what was posted, or else the seminar's current tandem."""
    places = trainers.tandem_places(seminar)
    values = {}
    for kind, name in TandemForm.PLACES:
        assignment = places[kind]
        values[name] = assignment.trainer_id if assignment else 0
        values[f"{name}_travel"] = assignment.travel_cost_cents if assignment else None
    if seminar.trainer_assignments:
        values["first"] = seminar.trainer_assignments[0].trainer.kind.value
    form = TandemForm(data=values)
    people = queries.trainers()
    for kind, name in TandemForm.PLACES:
        form[name].choices = [SelectChoice(0, "– noch niemand –")] + [
            SelectChoice(t.id, t.name) for t in people if t.kind == kind
        ]
    return form


def _detail(seminar: Seminar, tandem_form: TandemForm, status: int = 200):
    seat = availability_for([seminar], today_berlin())[seminar.id]
    check = None
    if seminar.state != SeminarState.CANCELLED:
        check = trainers.checks_for([seminar])[seminar.id]
    line = funding.line_for(seminar)
    return (
        render_template(
            "admin/seminar.html",
            seminar=seminar,
            seat=seat,
            check=check,
            funding=line.funding,
            funding_line=line,
            tandem_form=tandem_form,
            places=trainers.tandem_places(seminar),
            action_form=ActionForm(),
            kinds=TrainerKind,
            rule_notes=seminars.rule_notes(seminar),
        ),
        status,
    )


@bp.get("/seminare/<int:seminar_id>")
def seminar_detail(seminar_id: int):
    seminar = queries.seminar_or_404(seminar_id)
    return _detail(seminar, _tandem_form(seminar))


@bp.post("/seminare/<int:seminar_id>/tandem")
def seminar_tandem(seminar_id: int):
    seminar = queries.seminar_or_404(seminar_id)
    form = _tandem_form(seminar)
    if not form.validate():
        return _detail(seminar, form, 422)
    try:
        trainers.set_tandem(seminar.id, form.places(), first=form.first_kind())
    except trainers.WrongTrainerKind as refused:
        form.adult_educator.errors.append(refused.message)
        return _detail(seminar, form, 422)
    total = sum(cents for _trainer, cents in form.places().values())
    flash(messages.travel_total(total), "success")
    return see_other(url_for("admin.seminar_detail", seminar_id=seminar.id))


def _back(seminar_id: int):
    return see_other(url_for("admin.seminar_detail", seminar_id=seminar_id))


def _publication(seminar_id: int, change, done: str, already: str):
    """Publish or withdraw: ``change`` says whether the state changed."""
    seminar = queries.seminar_or_404(seminar_id)
    if not ActionForm().validate():
        return _back(seminar.id)
    try:
        changed = change(seminar.id, actor_id=current_user.id)
        flash(done if changed else already, "success")
    except ServiceError as refused:
        flash(refused.message, "error")
    return _back(seminar.id)


@bp.post("/seminare/<int:seminar_id>/veroeffentlichen")
def seminar_publish(seminar_id: int):
    return _publication(
        seminar_id, seminars.publish_seminar, messages.PUBLISHED, messages.ALREADY_PUBLISHED
    )


@bp.post("/seminare/<int:seminar_id>/zurueckziehen")
def seminar_unpublish(seminar_id: int):
    return _publication(
        seminar_id, seminars.unpublish_seminar, messages.UNPUBLISHED, messages.ALREADY_DRAFT
    )


@bp.post("/seminare/<int:seminar_id>/loeschen")
def seminar_delete(seminar_id: int):
    seminar = queries.seminar_or_404(seminar_id)
    if not ActionForm().validate():
        return _back(seminar.id)
    try:
        seminars.delete_draft(seminar.id, actor_id=current_user.id)
    except ServiceError as refused:
        flash(refused.message, "error")
        return _back(seminar.id)
    flash(messages.DRAFT_DELETED, "success")
    return see_other(url_for("admin.seminars_page"))


@bp.route("/seminare/<int:seminar_id>/absagen", methods=["GET", "POST"])
def seminar_cancel(seminar_id: int):
    """Cancelling asks first: the page names what will happen, the button does it."""
    seminar = queries.seminar_or_404(seminar_id)
    if seminar.state == SeminarState.CANCELLED:
        return _back(seminar.id)
    if seminar.state == SeminarState.DRAFT:
        flash(messages.DRAFT_NOT_CANCELLED, "error")
        return _back(seminar.id)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        cancelled = seminars.cancel_seminar(seminar.id, actor_id=current_user.id)
        flash(messages.seminar_cancelled(len(cancelled)), "success")
        return _back(seminar.id)
    seat = availability_for([seminar], today_berlin())[seminar.id]
    return render_template("admin/seminar_cancel.html", seminar=seminar, seat=seat, form=form)
