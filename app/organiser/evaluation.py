"""A seminar's evaluation for its organisers (VHS, the council's contact person, the
state organisers): the results from the fifth answer on, before that only their number
(``rules.evaluation_results_shown``), the answers as CSV or Excel, and the anonymous
one-time codes for answering in the room."""

from flask import flash, make_response, render_template, request, url_for
from flask_login import current_user

from app import rules
from app.auth.scope import get_seminar_for
from app.organiser import bp
from app.organiser.forms import RoomCodesForm
from app.services import messages
from app.services.evaluation import (
    FREE_TEXTS,
    CodesRefused,
    as_csv,
    as_xlsx,
    attended_count,
    codes_at_most,
    codes_open,
    export_rows,
    issue_room_codes,
    last_day,
    room_code_cards,
)
from app.services.mail import absolute_url
from app.web.downloads import XLSX, download
from app.web.evaluation_charts import seminar_results_page
from app.web.htmx import see_other
from app.web.security import no_store


@bp.get("/seminare/<int:seminar_id>/bewertung")
def evaluation_results(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return seminar_results_page(
        "organiser/evaluation.html", seminar, dict(FREE_TEXTS), last_day=last_day(seminar)
    )


def _export(seminar_id: int, extension: str):
    seminar = get_seminar_for(seminar_id)
    rows = export_rows([seminar])
    if not rows:
        flash(messages.evaluation_too_few(rules.EVALUATION_MIN_ANSWERS), "info")
        return see_other(url_for("organiser.evaluation_results", seminar_id=seminar.id))
    body, mimetype = (as_csv(rows), "text/csv") if extension == "csv" else (as_xlsx(rows), XLSX)
    return download(body, mimetype, f"bewertung-seminar-{seminar.id}.{extension}")


@bp.get("/seminare/<int:seminar_id>/bewertung.csv")
def evaluation_csv(seminar_id: int):
    return _export(seminar_id, "csv")


@bp.get("/seminare/<int:seminar_id>/bewertung.xlsx")
def evaluation_xlsx(seminar_id: int):
    return _export(seminar_id, "xlsx")


@bp.route("/seminare/<int:seminar_id>/bewertung/codes", methods=["GET", "POST"])
def evaluation_codes(seminar_id: int):
    """Anonymous one-time codes for the room: a POST makes them and answers with the
    sheet to print (shown this once: only their digests are stored)."""
    seminar = get_seminar_for(seminar_id)
    attended = attended_count(seminar.id)
    most = codes_at_most(seminar.id, attended)
    form = RoomCodesForm(data={"how_many": most or None})
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                codes = issue_room_codes(seminar.id, form.how_many.data, current_user.id)
            except CodesRefused as refused:
                form.how_many.errors = [refused.message]
            else:
                sheet = render_template(
                    "organiser/evaluation_codes_sheet.html",
                    seminar=seminar,
                    cards=room_code_cards(codes),
                    start_url=absolute_url("public.evaluation_start"),
                    last_day=last_day(seminar),
                )
                return no_store(make_response(sheet))
        status = 422
    page = render_template(
        "organiser/evaluation_codes.html",
        seminar=seminar,
        form=form,
        attended=attended,
        most=most,
        open=codes_open(seminar),
        last_day=last_day(seminar),
    )
    return page, status
