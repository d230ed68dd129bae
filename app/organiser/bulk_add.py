"""Adding several people at once: rows pasted or a CSV/XLSX file uploaded, a preview of
what happens to each row, then all of them added through the booking service.

Whoever may add one person may add several (the seminar's scope, ``get_seminar_for``),
at most ``rules.PEOPLE_ADDED_PER_HOUR`` people per account and hour; a request the user
may not make is refused before its body (up to 2 MB) is read.
Each row is checked with the registration form's own fields (``PersonForm``). The
preview reaches the confirming POST as a signed token in a hidden field (the rows as
read, bound to the seminar and the user, valid for ``PREVIEW_MAX_AGE``), so nothing is
uploaded twice; every row is checked again when it is added. The rows left out go the
same way to their CSV download.
"""

from dataclasses import astuple, replace

from flask import abort, current_app, request
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.auth.gate import require_login
from app.auth.scope import get_seminar_for
from app.core import tables
from app.core.timeutil import today_berlin
from app.organiser import bp
from app.organiser.forms import BulkAddForm, TokenForm
from app.services import bulk_add as bulk
from app.services import messages
from app.services.availability import availability_for
from app.web.downloads import download
from app.web.errors import http_error
from app.web.forms import PersonForm
from app.web.htmx import render

ENDPOINTS = {"organiser.bulk_add", "organiser.bulk_add_confirm", "organiser.bulk_add_left_out"}
# a file and pasted text of 1 MB each, and the form around them (the site's limit: 64 KB)
BODY_MAX = 2 * tables.MAX_BYTES + 64 * 1024
PREVIEW_MAX_AGE = 2 * 60 * 60  # seconds


# -- the requests' size ------------------------------------------------------------------


@bp.url_value_preprocessor
def _room_for_a_list(endpoint, values):
    """These routes take a file of up to 1 MB, but only from someone who may use them:
    the login gate and the seminar's scope are checked here, before the body is read.
    URL value preprocessors run before every ``before_request`` hook, the CSRF check
    that reads the form included; a refusal here ends the request unread."""
    if endpoint not in ENDPOINTS:
        return
    refused = require_login()  # anonymous, idle, or an observer's write
    if refused is not None:
        abort(refused)
    get_seminar_for(values["seminar_id"])  # 404 outside the user's scope
    request.max_content_length = BODY_MAX
    request.max_form_memory_size = BODY_MAX


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A list past the limit: the form again with the German reason, not a bare 413."""
    if request.endpoint not in ENDPOINTS or not current_user.is_authenticated:
        return http_error(error)
    try:
        seminar = get_seminar_for(request.view_args["seminar_id"])
    except HTTPException as refused:
        return http_error(refused)
    form = BulkAddForm(formdata=None)  # the body is not read again
    form.file.errors = [messages.table_problem(tables.Problem.TOO_LARGE, bulk.MAX_PEOPLE)]
    return _page(seminar, form, status=413)


# -- the routes --------------------------------------------------------------------------


@bp.route("/seminare/<int:seminar_id>/mehrere-hinzufuegen", methods=["GET", "POST"])
def bulk_add(seminar_id: int):
    """GET: the form; POST: the preview of the rows pasted or uploaded."""
    seminar = get_seminar_for(seminar_id)
    form = BulkAddForm()
    if request.method == "GET":
        return _page(seminar, form)
    if bulk.closed_message(seminar):
        return _page(seminar, form, status=409)
    if not form.validate():
        return _page(seminar, form, status=422)
    upload = form.chosen_file()
    try:
        if upload is not None:
            sheet = bulk.read_upload(upload.read(tables.MAX_BYTES + 1))
        else:
            sheet = bulk.read_pasted(form.rows.data)
    except bulk.BulkAddError as problem:
        (form.file if upload is not None else form.rows).errors.append(problem.message)
        return _page(seminar, form, status=422)
    rows = [check_row(row) for row in sheet.rows]
    try:
        bulk.check_hourly_cap(current_user.id, rows)
    except bulk.BulkAddCapped as refused:
        return _page(seminar, form, status=429, error=refused.message)
    results = bulk.preview(seminar, rows)
    return _page(
        seminar,
        form,
        stage="preview",
        results=results,
        notes=sheet.notes,
        confirm=_sign(seminar, "rows", [astuple(row) for row in rows]),
    )


@bp.post("/seminare/<int:seminar_id>/mehrere-hinzufuegen/eintragen")
def bulk_add_confirm(seminar_id: int):
    """Add the rows of a preview; the page then shows what became of each row."""
    seminar = get_seminar_for(seminar_id)
    rows = _rows_of(seminar)
    if rows is None:
        return _page(
            seminar, BulkAddForm(formdata=None), status=422, error=messages.BULK_PREVIEW_EXPIRED
        )
    try:
        results = bulk.add_rows(
            seminar.id, [check_row(row) for row in rows], actor_id=current_user.id
        )
    except bulk.BulkAddCapped as refused:
        return _page(seminar, BulkAddForm(formdata=None), status=429, error=refused.message)
    except bulk.BulkAddClosed:
        return _page(seminar, BulkAddForm(formdata=None), status=409)
    return _page(seminar, None, stage="result", results=results)  # counts read afresh


@bp.post("/seminare/<int:seminar_id>/mehrere-hinzufuegen/nicht-hinzugefuegt.csv")
def bulk_add_left_out(seminar_id: int):
    """The rows a preview or an add left out, with the reason, as CSV."""
    seminar = get_seminar_for(seminar_id)
    form = TokenForm()
    data = _unsign(seminar, "left_out", form.token.data) if form.validate() else None
    if data is None:
        return _page(
            seminar, BulkAddForm(formdata=None), status=422, error=messages.BULK_PREVIEW_EXPIRED
        )
    results = [
        bulk.RowResult(bulk.Row(*cells[:5]), bulk.Outcome.INVALID, cells[5]) for cells in data
    ]
    filename = f"nicht-hinzugefuegt-seminar-{seminar.id}.csv"
    return download(bulk.left_out_csv(results), "text/csv", filename)


def check_row(row: bulk.Row) -> bulk.Row:
    """The row with its fields as the registration form cleans them, or with the
    form's messages as its problem (the fields then stay as typed)."""
    if row.problem:
        return row
    person = PersonForm(
        formdata=MultiDict({field: getattr(row, field) for field in bulk.FIELDS}),
        meta={"csrf": False},
    )
    if person.validate():
        return replace(row, **{field: person[field].data for field in bulk.FIELDS})
    problems = [error for field in bulk.FIELDS for error in person[field].errors]
    return replace(row, problem=" ".join(problems))


# -- the signed rows ----------------------------------------------------------------------


def _serializer(kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"organiser.bulk-add.{kind}")


def _sign(seminar, kind: str, rows: list) -> str:
    return _serializer(kind).dumps({"seminar": seminar.id, "user": current_user.id, "rows": rows})


def _unsign(seminar, kind: str, token: str | None) -> list | None:
    """The rows of a token this user made for this seminar, unless too old or altered."""
    try:
        data = _serializer(kind).loads(token or "", max_age=PREVIEW_MAX_AGE)
    except BadData:
        return None
    if data.get("seminar") != seminar.id or data.get("user") != current_user.id:
        return None
    return data["rows"]


def _rows_of(seminar) -> list[bulk.Row] | None:
    form = TokenForm()
    data = _unsign(seminar, "rows", form.token.data) if form.validate() else None
    return None if data is None else [bulk.Row(*cells) for cells in data]


# -- the page -----------------------------------------------------------------------------


def _page(seminar, form, *, status=200, stage="form", results=(), notes=(), confirm="", error=""):
    left_out = [r for r in results if r.left_out]
    return render(
        "organiser/bulk_add.html",
        "organiser/_bulk_add.html",
        status=status,
        seminar=seminar,
        seat=availability_for([seminar], today_berlin())[seminar.id],
        closed=bulk.closed_message(seminar),
        form=form,
        token_form=TokenForm(formdata=None),
        stage=stage,
        results=results,
        counts=bulk.count(list(results)),
        notes=notes,
        error=error,
        confirm=confirm,
        left_out=left_out,
        left_out_token=_sign(
            seminar, "left_out", [[*astuple(r.row)[:5], r.reason] for r in left_out]
        )
        if left_out
        else "",
        max_people=bulk.MAX_PEOPLE,
    )
