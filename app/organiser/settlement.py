"""A seminar's settlement sheet (Abrechnung), its exports and its states.

Reading: the VHS, the council's contact person and admins; observers read the sheet page
(figures only, no person on it) but not the files, which only the seminar's organisers
download (the observers' pages are kept to HTML and CSV, where no name can hide). The
attendance list to sign names people. Writing: the VHS enters the catering spent and
submits; admins check, pay or give back (``rules.SETTLEMENT_MOVES``; the service checks it again).
"""

from flask import Response, abort, flash, render_template, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_seminar_for, is_observer, require_admin
from app.core.timeutil import today_berlin
from app.models import Role, SeminarState
from app.organiser import bp
from app.organiser.forms import CateringForm, ReturnForm
from app.services import messages
from app.services.errors import ServiceError
from app.services.settlement import (
    TRAINER_COLUMNS,
    SettlementRefused,
    check,
    give_back,
    mark_paid,
    set_catering,
    sheet_for,
    signers_of,
    submit,
)
from app.services.settlement_documents import (
    attendance_list_pdf,
    settlement_filename,
    settlement_pdf,
    settlement_xlsx,
)
from app.web.downloads import XLSX, download
from app.web.forms import ActionForm
from app.web.htmx import see_other
from app.web.pages import form_status, show_refusal
from app.web.security import no_store


def _page(seminar, catering_form=None, return_form=None):
    sheet = sheet_for(seminar)
    role = current_user.role
    today = today_berlin()
    open_ = seminar.state != SeminarState.CANCELLED  # a cancelled seminar is not settled
    if catering_form is None:
        catering_form = CateringForm(formdata=None, catering=sheet.line.catering_spent_cents)
    return render_template(
        "organiser/settlement.html",
        seminar=seminar,
        sheet=sheet,
        line=sheet.line,
        signers=signers_of(sheet.settlement),
        figures_only=is_observer(),
        can_edit=open_ and rules.settlement_editable(sheet.state, role),
        can_submit=open_ and rules.settlement_move_allowed(sheet.state, "submitted", role),
        submittable=sheet.submittable(today),
        is_admin=role == Role.ADMIN,
        catering_form=catering_form,
        return_form=return_form or ReturnForm(formdata=None),
        action_form=ActionForm(),
        trainer_columns=TRAINER_COLUMNS,
    ), form_status()


def _back(seminar_id: int):
    return see_other(url_for("organiser.settlement", seminar_id=seminar_id))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return no_store(download(body, mimetype, filename))


def _vhs_or_admin():
    """Entering the catering and submitting: the seminar's VHS or an admin (a contact
    person reads the sheet, an observer reads its figures)."""
    if current_user.role not in (Role.VHS, Role.ADMIN):
        abort(403)


# -- reading ------------------------------------------------------------------------


@bp.get("/seminare/<int:seminar_id>/abrechnung")
def settlement(seminar_id: int):
    """Figures only (no person): observers read it too."""
    return _page(get_seminar_for(seminar_id, figures_only=True))


@bp.get("/seminare/<int:seminar_id>/abrechnung.xlsx")
def settlement_xlsx_download(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return _download(
        settlement_xlsx(sheet_for(seminar)), XLSX, settlement_filename(seminar, "xlsx")
    )


@bp.get("/seminare/<int:seminar_id>/abrechnung.pdf")
def settlement_pdf_download(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return _download(
        settlement_pdf(sheet_for(seminar)), "application/pdf", settlement_filename(seminar, "pdf")
    )


@bp.get("/seminare/<int:seminar_id>/anwesenheitsliste.pdf")
def attendance_list_download(seminar_id: int):
    """The people with a box per day to sign: personal data, so not for observers."""
    seminar = get_seminar_for(seminar_id)
    return _download(
        attendance_list_pdf(seminar, today_berlin()),
        "application/pdf",
        f"anwesenheitsliste-seminar-{seminar.id}-{seminar.day1.isoformat()}.pdf",
    )


# -- writing ------------------------------------------------------------------------


@bp.post("/seminare/<int:seminar_id>/abrechnung/verpflegung")
def settlement_catering(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    _vhs_or_admin()
    form = CateringForm()
    if not form.validate():
        return _page(seminar, catering_form=form)
    try:
        set_catering(seminar.id, form.catering.data, current_user)
    except ServiceError as refused:
        show_refusal(form, refused)
        return _page(seminar, catering_form=form)
    flash(messages.catering_saved(form.catering.data), "success")
    return _back(seminar.id)


@bp.post("/seminare/<int:seminar_id>/abrechnung/einreichen")
def settlement_submit(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    _vhs_or_admin()
    return _change(seminar.id, lambda: submit(seminar.id, current_user, today_berlin()), "sub")


@bp.post("/seminare/<int:seminar_id>/abrechnung/pruefen")
def settlement_check(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    require_admin()
    return _change(seminar.id, lambda: check(seminar.id, current_user), "check")


@bp.post("/seminare/<int:seminar_id>/abrechnung/auszahlen")
def settlement_pay(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    require_admin()
    return _change(seminar.id, lambda: mark_paid(seminar.id, current_user), "pay")


@bp.post("/seminare/<int:seminar_id>/abrechnung/zurueckgeben")
def settlement_return(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    require_admin()
    form = ReturnForm()
    if not form.validate():
        return _page(seminar, return_form=form)
    try:
        give_back(seminar.id, current_user, form.reason.data)
    except SettlementRefused as refused:
        if refused.field == "reason":
            show_refusal(form, refused)
            return _page(seminar, return_form=form)
        flash(refused.message, "error")
        return _back(seminar.id)
    flash(messages.SETTLEMENT_RETURNED, "success")
    return _back(seminar.id)


DONE = {
    "sub": messages.SETTLEMENT_SUBMITTED,
    "check": messages.SETTLEMENT_CHECKED,
    "pay": messages.SETTLEMENT_PAID,
}


def _change(seminar_id: int, change, done: str):
    """A state change: done (a notice), or refused (the reason as a notice); either way
    back to the sheet, which shows the state as it is now."""
    try:
        change()
    except SettlementRefused as refused:
        flash(refused.message, "error")
    else:
        flash(DONE[done], "success")
    return _back(seminar_id)
