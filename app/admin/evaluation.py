"""The evaluation for the state organisers: per seminar, per module and for a programme.

Each seminar's results count from ``rules.EVALUATION_MIN_ANSWERS`` answers on, here as
for the organisers, and sums take only seminars that reach it (no difference of two
sums reveals a small seminar's answers). Observers read the figures (they are no
personal data) but not the free texts, which people write in their own words and may
name someone: their export of the answers holds the figures alone.
"""

from flask import Response, request
from flask_login import current_user

from app import rules
from app.admin import bp, queries
from app.auth.read_only import observers_may_read
from app.auth.scope import is_observer
from app.core.timeutil import today_berlin
from app.models import Seminar
from app.services.evaluation import (
    EXPORT_HEADER,
    FIGURES_HEADER,
    FREE_TEXTS,
    answer_counts,
    as_csv,
    as_xlsx,
    export_rows,
    results_for,
)
from app.web.downloads import XLSX, download
from app.web.evaluation_charts import answer_charts, seminar_results_page
from app.web.htmx import render
from app.web.inputs import int_arg


def _filters() -> dict[str, int | None]:
    module = int_arg("modul")
    return {"programme_id": int_arg("programm"), "module": module if module in (1, 2) else None}


def _labels():
    """The free texts' questions, or None for observers (who see figures only)."""
    return None if is_observer(current_user) else dict(FREE_TEXTS)


@bp.get("/bewertung")
@observers_may_read
def evaluation_page():
    filters = _filters()
    seminars = queries.evaluated_seminars(**filters)
    results = results_for([s.id for s in seminars])
    return render(
        "admin/evaluation.html",
        "admin/_evaluation_results.html",
        filters=filters,
        programmes=queries.programme_choices(),
        seminars=seminars,
        counts=answer_counts([s.id for s in seminars]),
        results=results,
        charts=answer_charts(results),
        labels=_labels(),
        minimum=rules.EVALUATION_MIN_ANSWERS,
        query=request.query_string.decode(),
        today=today_berlin(),
    )


@bp.get("/bewertung/seminare/<int:seminar_id>")
@observers_may_read
def evaluation_seminar(seminar_id: int):
    seminar = queries.found(Seminar, seminar_id)
    return seminar_results_page("admin/evaluation_seminar.html", seminar, _labels())


def _export_seminars() -> list[Seminar]:
    seminar_id = int_arg("seminar")
    if seminar_id is not None:
        return [queries.found(Seminar, seminar_id)]
    return queries.evaluated_seminars(**_filters())


def _export(extension: str) -> Response:
    """The answers of the chosen seminars; for observers the figures alone."""
    free_texts = not is_observer(current_user)
    rows = export_rows(_export_seminars(), free_texts=free_texts)
    header = EXPORT_HEADER if free_texts else FIGURES_HEADER
    if extension == "csv":
        body, mimetype = as_csv(rows, header), "text/csv"
    else:
        body, mimetype = as_xlsx(rows, header), XLSX
    return download(body, mimetype, f"bewertung-{today_berlin().isoformat()}.{extension}")


@bp.get("/bewertung.csv")
@observers_may_read
def evaluation_csv():
    return _export("csv")


@bp.get("/bewertung.xlsx")
@observers_may_read
def evaluation_xlsx():
    return _export("xlsx")
