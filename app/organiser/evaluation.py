"""A seminar's evaluation for its organisers (VHS, the council's contact person, the
state organisers): the results from the fifth answer on, before that only their number
(``rules.evaluation_results_shown``), and the answers as CSV or Excel."""

from flask import flash, render_template, url_for

from app import rules
from app.auth.scope import get_seminar_for
from app.organiser import bp
from app.services import messages
from app.services.evaluation import (
    FREE_TEXTS,
    as_csv,
    as_xlsx,
    export_rows,
    last_day,
    seminar_results,
)
from app.web.downloads import XLSX, download
from app.web.evaluation_charts import answer_charts
from app.web.htmx import see_other


@bp.get("/seminare/<int:seminar_id>/bewertung")
def evaluation_results(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    results = seminar_results(seminar)
    return render_template(
        "organiser/evaluation.html",
        seminar=seminar,
        results=results,
        charts=answer_charts(results),
        labels=dict(FREE_TEXTS),
        minimum=rules.EVALUATION_MIN_ANSWERS,
        last_day=last_day(seminar),
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
