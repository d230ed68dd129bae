from flask import flash, render_template, url_for
from flask_login import current_user

from app.admin import bp, new_and_edit, queries
from app.admin.forms import TrainerForm
from app.models import Trainer, TrainerKind
from app.services import messages
from app.services.trainers import overlaps, save_trainer
from app.web.htmx import see_other
from app.web.pages import form_page


def _overlaps_by_trainer() -> dict[int, list]:
    found: dict[int, list] = {}
    for overlap in overlaps():
        found.setdefault(overlap.trainer.id, []).append(overlap)
    return found


@bp.get("/trainer")
def trainers_page():
    return render_template(
        "admin/trainers.html",
        items=queries.trainers_with_assignments(),
        overlaps=_overlaps_by_trainer(),
    )


def _page(trainer: Trainer | None):
    form = TrainerForm(obj=trainer)

    def save():
        saved = save_trainer(
            trainer.id if trainer else None,
            name=form.name.data,
            email=form.email.data,
            kind=TrainerKind(form.kind.data),
            actor_id=current_user.id,
        )
        flash(messages.saved(saved.name), "success")
        return see_other(url_for("admin.trainers_page"))

    return form_page(
        form,
        "admin/trainer_form.html",
        save,
        trainer=trainer,
        assignments=queries.assignments_of(trainer) if trainer else [],
        overlaps=_overlaps_by_trainer().get(trainer.id, []) if trainer else [],
    )


new_and_edit("/trainer", "trainer", Trainer, _page)
