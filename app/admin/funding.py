"""The funding overview and its CSV: figures only, so observers read them too."""

from flask import request

from app.admin import bp, queries
from app.auth.read_only import observers_may_read
from app.core.timeutil import today_berlin
from app.services import funding
from app.web.downloads import download
from app.web.htmx import render
from app.web.inputs import int_arg


def _filters() -> dict[str, int | None]:
    module = int_arg("modul")
    return {
        "programme_id": int_arg("programm"),
        "module": module if module in (1, 2) else None,
        "vhs_id": int_arg("vhs"),
    }


@bp.get("/foerderung")
@observers_may_read
def funding_page():
    filters = _filters()
    return render(
        "admin/funding.html",
        "admin/_funding_table.html",
        data=funding.overview(**filters),
        filters=filters,
        programmes=queries.programme_choices(),
        vhs_choices=queries.vhs_choices(),
        query=request.query_string.decode(),
    )


@bp.get("/foerderung.csv")
@observers_may_read
def funding_csv():
    body = funding.as_csv(funding.overview(**_filters()))
    return download(body, "text/csv", f"foerderuebersicht-{today_berlin().isoformat()}.csv")
