from flask import flash, render_template, url_for
from flask_login import current_user

from app import rules
from app.admin import bp, new_and_edit, queries
from app.admin.forms import ProgrammeForm
from app.models import Programme
from app.services import messages
from app.services.programmes import (
    RulesConflict,
    next_interest_deadline,
    next_programme_rules,
    next_year_of,
    save_programme,
    start_next_programme,
)
from app.web.htmx import see_other
from app.web.pages import form_page


@bp.get("/programme")
def programmes():
    return render_template(
        "admin/programmes.html",
        items=queries.programmes(),
        counts=queries.seminar_counts_per_programme(),
        current=Programme.current(),
    )


def _figures(base: rules.ProgrammeRules) -> dict:
    return {
        "min_participants": base.min_participants,
        "max_participants": base.max_participants,
        "two_trainers_from": base.two_trainers_from,
        "trainer_fee": base.trainer_fee_cents_per_day,
        "catering": base.catering_cents_per_person,
        "max_held_percent": base.max_held_percent,
    }


def _values(programme: Programme | None) -> dict:
    """The form's starting values: the programme's, or for a new one the current
    programme's figures without its dates."""
    source = programme or Programme.current()
    values = _figures(source.rules if source else rules.ProgrammeRules())
    if programme is not None:
        values.update(
            title=programme.title,
            period_start=programme.period_start,
            period_end=programme.period_end,
            interest_deadline=programme.interest_deadline,
        )
    return values


def _page(programme: Programme | None):
    form = ProgrammeForm(data=_values(programme))
    context = {"programme": programme, "conflicts": None, "current": Programme.current()}

    def save():
        base = programme.rules if programme else rules.ProgrammeRules()
        try:
            saved = save_programme(
                programme.id if programme else None,
                form.title.data,
                form.rules(base),
                interest_deadline=form.interest_deadline.data,
                actor_id=current_user.id,
            )
        except RulesConflict as refused:
            context["conflicts"] = refused.conflicts
            raise
        flash(messages.saved(f"Das Programm „{saved.title}“"), "success")
        return see_other(url_for("admin.programme_edit", programme_id=saved.id))

    return form_page(form, "admin/programme_form.html", save, context)


new_and_edit("/programme", "programme", Programme, _page)


@bp.route("/programme/<int:programme_id>/naechstes-jahr", methods=["GET", "POST"])
def programme_next(programme_id: int):
    """The next programme year, prefilled from this programme: a title with the years
    moved on, the period a year later, the same figures."""
    source = queries.found(Programme, programme_id)
    title, suggested = next_programme_rules(source)
    form = ProgrammeForm(
        data=dict(
            _figures(suggested),
            title=title,
            period_start=suggested.period_start,
            period_end=suggested.period_end,
            interest_deadline=next_interest_deadline(source),
        )
    )
    context = {"source": source, "source_rules": source.rules, "next_year": next_year_of(source.id)}

    def save():
        started = start_next_programme(
            source.id,
            form.title.data,
            form.rules(source.rules),
            interest_deadline=form.interest_deadline.data,
            actor_id=current_user.id,
        )
        if started.created:
            flash(messages.next_programme_started(started.programme.title), "success")
        else:
            flash(messages.next_programme_exists(source.title, started.programme.title), "info")
        return see_other(url_for("admin.programme_edit", programme_id=started.programme.id))

    return form_page(form, "admin/programme_next.html", save, context)
