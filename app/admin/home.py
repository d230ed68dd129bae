import sqlalchemy as sa
from flask import render_template

from app.admin import bp
from app.admin.seminars import seminars_with_trainers
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Council, Programme, Seminar, SeminarState, Trainer, Vhs
from app.services.seminars import seminars_breaking_rules
from app.services.trainers import checks_for
from app.web.rate_limits import counting


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@bp.get("/")
def index():
    """The programme at a glance: what there is, and what needs attention."""
    coming = seminars_with_trainers(
        Seminar.state != SeminarState.CANCELLED, Seminar.day2 >= today_berlin()
    )
    checks = checks_for(coming)
    return render_template(
        "admin/index.html",
        programme=Programme.current(),
        counts={
            "vhs": _count(Vhs),
            "councils": _count(Council),
            "seminars": _count(Seminar),
            "trainers": _count(Trainer),
        },
        problems=[(s, checks[s.id]) for s in coming if not checks[s.id].ok],
        rule_breaches=seminars_breaking_rules(),
        rate_limits=counting().value,
    )
