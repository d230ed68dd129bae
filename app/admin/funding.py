"""The funding overview and its CSV: figures only, so observers read them too."""

import sqlalchemy as sa
from flask import request
from wtforms import SelectChoice

from app.admin import bp
from app.auth.read_only import observers_may_read
from app.core.formatting import date_short
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Programme, Vhs
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
    programmes = db.session.scalars(
        sa.select(Programme).order_by(Programme.period_end.desc(), Programme.id.desc())
    ).all()
    return render(
        "admin/funding.html",
        "admin/_funding_table.html",
        data=funding.overview(**filters),
        filters=filters,
        programmes=[
            SelectChoice(
                p.id, f"{p.title} ({date_short(p.period_start)}–{date_short(p.period_end)})"
            )
            for p in programmes
        ],
        vhs_choices=[
            SelectChoice(v.id, f"{v.name} ({v.town})")
            for v in db.session.scalars(sa.select(Vhs).order_by(Vhs.town, Vhs.name))
        ],
        query=request.query_string.decode(),
    )


@bp.get("/foerderung.csv")
@observers_may_read
def funding_csv():
    body = funding.as_csv(funding.overview(**_filters()))
    return download(body, "text/csv", f"foerderuebersicht-{today_berlin().isoformat()}.csv")
