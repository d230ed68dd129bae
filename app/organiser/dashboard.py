import sqlalchemy as sa
from flask import make_response, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import rules
from app.auth.scope import figures_scope
from app.core.timeutil import today_berlin, utcnow
from app.extensions import db
from app.models import Registration, Seminar
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


def hold_bursts(seminar_ids: list[int]) -> dict[int, int]:
    """Seminar id -> public registrations within ``rules.HOLD_BURST_WINDOW``, for the
    seminars where they are a burst (``rules.hold_burst``): many unproven addresses in a
    short time are rarely people, and the organisers should look at them. One query,
    read from the newest registrations (their creation moment is indexed)."""
    if not seminar_ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.seminar_id, sa.func.count())
        .where(
            Registration.created_at >= utcnow() - rules.HOLD_BURST_WINDOW,
            Registration.vouched.is_(False),
            Registration.seminar_id.in_(seminar_ids),
        )
        .group_by(Registration.seminar_id)
    )
    return {seminar_id: number for seminar_id, number in rows if rules.hold_burst(number)}


@bp.get("/")
def dashboard():
    seminars = seminars_in_scope()
    seats = availability_for(seminars, today_berlin())
    bursts = hold_bursts([s.id for s in seminars])
    etag = etag_of(
        list(seats.values()),
        salt=f"dashboard:{current_user.get_id()}:{sorted(bursts.items())}",
    )
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
            bursts=bursts,
            burst_minutes=int(rules.HOLD_BURST_WINDOW.total_seconds() // 60),
        )
    response.set_etag(etag)
    return response
