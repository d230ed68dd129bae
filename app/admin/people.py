"""People across the series, for the state organisers: how many completed one module or
both (figures: observers read them too), and everything stored about one e-mail address,
told (GDPR Art. 15) and erased (Art. 17), for admins only.

The address travels in POST bodies only, never in a URL, so that it stays out of access
logs and the browser's history. An erasure takes two steps: its preview lists what it
will change, and the confirmation erases exactly that list (or refuses, showing the list
anew, when something changed meanwhile).
"""

from flask import flash, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import AddressForm, ConfirmErasureForm, ErasureForm
from app.auth.read_only import observers_may_read
from app.core.timeutil import today_berlin
from app.services import messages
from app.services.errors import ServiceError
from app.services.outbox import mail_files
from app.services.personal_data import (
    PlanChanged,
    erase,
    erased_text,
    find,
    kept_until,
    plan_of,
    report_json,
    report_text,
)
from app.services.series import completion_counts
from app.web.downloads import download
from app.web.htmx import see_other
from app.web.pages import form_status, show_refusal


@bp.get("/personen")
@observers_may_read
def people():
    return render_template("admin/people.html", completions=completion_counts())


def _data_page(search: AddressForm, erasure: ErasureForm | None = None, status: int = 200):
    findings = None
    if search.email.data and not search.email.errors:
        findings = find(search.email.data)
    if findings is not None and erasure is None:
        erasure = ErasureForm(formdata=None, email=search.email.data)
    return (
        render_template(
            "admin/people_data.html",
            search=search,
            erasure=erasure,
            findings=findings,
            upcoming=findings.upcoming() if findings is not None else [],
            today=today_berlin(),
        ),
        status,
    )


@bp.route("/personen/auskunft", methods=["GET", "POST"])
def personal_data():
    """GET: the search form; POST: what is stored about the address, with the export
    and the erasure (a confirm step of its own: the reason and a checkbox)."""
    search = AddressForm()
    if request.method == "POST" and search.validate():
        return _data_page(search)
    return _data_page(search, status=form_status())


@bp.post("/personen/auskunft/datei")
def personal_data_export():
    search = AddressForm()
    if not search.validate():
        return _data_page(search, status=422)
    findings = find(search.email.data)
    if findings.empty:
        search.email.errors = [messages.ERASURE_NOTHING_FOUND]
        return _data_page(search, status=422)
    as_json = request.form.get("format") == "json"
    body = report_json(findings) if as_json else report_text(findings).encode("utf-8")
    filename = f"auskunft-{today_berlin().isoformat()}.{'json' if as_json else 'txt'}"
    return download(body, "application/json" if as_json else "text/plain", filename)


def _preview_page(form: ErasureForm, status: int = 200):
    """What an erasure of the address will change, with the button that confirms it."""
    findings = find(form.email.data)
    upcoming = findings.upcoming()
    confirm = ConfirmErasureForm(
        formdata=None,
        email=form.email.data,
        reason=form.reason.data,
        plan=plan_of(findings, upcoming),
    )
    return (
        render_template(
            "admin/people_erase.html",
            form=confirm,
            findings=findings,
            upcoming=upcoming,
            files=len(mail_files([m.id for m in findings.mails])),
            erased_text=erased_text,
            kept_until=kept_until,
        ),
        status,
    )


@bp.post("/personen/auskunft/loeschen")
def personal_data_erase():
    """The erasure's first step: the reason, then the list of what it will change."""
    erasure = ErasureForm()
    if erasure.validate():
        if not find(erasure.email.data).empty:
            return _preview_page(erasure)
        erasure.email.errors = [messages.ERASURE_NOTHING_FOUND]
    search = AddressForm(formdata=None, email=erasure.email.data)
    search.email.errors = list(erasure.email.errors)
    return _data_page(search, erasure, status=422)


@bp.post("/personen/auskunft/loeschen/bestaetigen")
def personal_data_erase_confirm():
    """The second step: erase exactly the list shown, or show it anew."""
    form = ConfirmErasureForm()
    if form.validate():
        try:
            done = erase(
                form.email.data,
                form.reason.data,
                actor_id=current_user.id,
                plan=form.plan.data or "",
            )
        except PlanChanged as changed:
            flash(changed.message, "error")
            return _preview_page(form, status=422)
        except ServiceError as refused:
            show_refusal(form, refused)
        else:
            flash(
                messages.erased(done.registrations, done.cancelled, done.declarations, done.mails),
                "success",
            )
            return see_other(url_for("admin.personal_data"))
    search = AddressForm(formdata=None, email=form.email.data)
    search.email.errors = list(form.email.errors)
    erasure = ErasureForm(formdata=None, email=form.email.data, reason=form.reason.data)
    erasure.reason.errors = list(form.reason.errors)
    return _data_page(search, erasure, status=422)
