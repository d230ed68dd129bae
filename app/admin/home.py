from flask import render_template

from app.admin import bp, queries
from app.core.timeutil import today_berlin
from app.models import Council, Programme, Seminar, SeminarState, Trainer, Vhs
from app.services.seminars import seminars_breaking_rules
from app.services.trainers import checks_for
from app.web.rate_limits import counting


@bp.get("/")
def index():
    """The programme at a glance: what there is, and what needs attention."""
    coming = queries.seminars_with_trainers(
        Seminar.state != SeminarState.CANCELLED, Seminar.day2 >= today_berlin()
    )
    checks = checks_for(coming)
    return render_template(
        "admin/index.html",
        programme=Programme.current(),
        counts={
            "vhs": queries.count(Vhs),
            "councils": queries.count(Council),
            "seminars": queries.count(Seminar),
            "trainers": queries.count(Trainer),
        },
        problems=[(s, checks[s.id]) for s in coming if not checks[s.id].ok],
        rule_breaches=seminars_breaking_rules(),
        rate_limits=counting().value,
    )
