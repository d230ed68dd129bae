import sqlalchemy as sa
from flask import make_response, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import rules
from app.auth.scope import figures_scope
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Seminar
from app.organiser import bp
from app.services.availability import availability_for, etag_of
from app.web.htmx import render


def seminars_in_scope() -> list[Seminar]:
    """The seminars whose figures the user may see (every seminar for observers); the
    dashboard shows counts and states only, no person."""
    return list(
        db.session.scalars(
            sa.select(Seminar)
            .where(figures_scope(current_user))
            .options(joinedload(Seminar.vhs), joinedload(Seminar.programme))
            .order_by(Seminar.day1, Seminar.id)
        )
    )


@bp.get("/")
def dashboard():
    seminars = seminars_in_scope()
    seats = availability_for(seminars, today_berlin())
    etag = etag_of(list(seats.values()), salt=f"dashboard:{current_user.get_id()}")
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        funding = {
            s.id: rules.funding_state(s.programme.rules, seats[s.id].confirmed, s.capacity)
            for s in seminars
        }
        response = render(
            "organiser/dashboard.html",
            "organiser/_dashboard_rows.html",
            seminars=seminars,
            seats=seats,
            funding=funding,
        )
    response.set_etag(etag)
    return response
