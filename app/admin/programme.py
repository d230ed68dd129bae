import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for

from app import rules
from app.admin import bp, messages
from app.admin.forms import ProgrammeForm
from app.extensions import db
from app.htmx import see_other
from app.models import Programme, Seminar
from app.services.seminars import rule_conflicts


@bp.get("/programme")
def programmes():
    items = db.session.scalars(
        sa.select(Programme).order_by(Programme.period_end.desc(), Programme.id.desc())
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(Seminar.programme_id, sa.func.count()).group_by(Seminar.programme_id)
        ).all()
    )
    return render_template(
        "admin/programmes.html", items=items, counts=counts, current=Programme.current()
    )


def _values(programme: Programme | None) -> dict:
    """The form's starting values: the programme's, or for a new one the current
    programme's figures without its dates."""
    source = programme or Programme.current()
    base = source.rules if source else rules.ProgrammeRules()
    values = {
        "min_participants": base.min_participants,
        "max_participants": base.max_participants,
        "two_trainers_from": base.two_trainers_from,
        "trainer_fee": base.trainer_fee_cents_per_day,
        "catering": base.catering_cents_per_person,
    }
    if programme is not None:
        values.update(
            title=programme.title,
            period_start=programme.period_start,
            period_end=programme.period_end,
        )
    return values


def _page(programme: Programme | None):
    form = ProgrammeForm(data=_values(programme))
    conflicts = None
    if request.method == "POST" and form.validate():
        base = programme.rules if programme else rules.ProgrammeRules()
        new_rules = form.rules(base)
        conflicts = rule_conflicts(programme, new_rules) if programme else None
        if not conflicts:
            if programme is None:
                programme = Programme()
                db.session.add(programme)
            programme.title = form.title.data
            for name in (
                "period_start",
                "period_end",
                "min_participants",
                "max_participants",
                "two_trainers_from",
                "max_trainers",
                "seminar_days",
                "trainer_fee_cents_per_day",
                "catering_cents_per_person",
            ):
                setattr(programme, name, getattr(new_rules, name))
            db.session.commit()
            flash(messages.saved(f"Das Programm „{programme.title}“"), "success")
            return see_other(url_for("admin.programme_edit", programme_id=programme.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "admin/programme_form.html",
            form=form,
            programme=programme,
            conflicts=conflicts,
        ),
        status,
    )


@bp.route("/programme/neu", methods=["GET", "POST"])
def programme_new():
    return _page(None)


@bp.route("/programme/<int:programme_id>", methods=["GET", "POST"])
def programme_edit(programme_id: int):
    programme = db.session.get(Programme, programme_id) or abort(404)
    return _page(programme)
