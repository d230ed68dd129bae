import sqlalchemy as sa
from flask import abort, flash, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.admin import bp
from app.admin.forms import TrainerForm
from app.extensions import db
from app.models import Seminar, SeminarTrainer, Trainer, TrainerKind
from app.services import messages
from app.services.trainers import overlaps, save_trainer
from app.web.htmx import see_other
from app.web.pages import form_page


def _trainers() -> list[Trainer]:
    return list(
        db.session.scalars(
            sa.select(Trainer)
            .options(
                selectinload(Trainer.assignments)
                .joinedload(SeminarTrainer.seminar)
                .joinedload(Seminar.vhs)
            )
            .order_by(Trainer.name)
        )
    )


def _overlaps_by_trainer() -> dict[int, list]:
    found: dict[int, list] = {}
    for overlap in overlaps():
        found.setdefault(overlap.trainer.id, []).append(overlap)
    return found


@bp.get("/trainer")
def trainers_page():
    return render_template(
        "admin/trainers.html", items=_trainers(), overlaps=_overlaps_by_trainer()
    )


def _assignments(trainer: Trainer | None) -> list[SeminarTrainer]:
    if trainer is None:
        return []
    return db.session.scalars(
        sa.select(SeminarTrainer)
        .join(SeminarTrainer.seminar)
        .where(SeminarTrainer.trainer_id == trainer.id)
        .options(joinedload(SeminarTrainer.seminar).joinedload(Seminar.vhs))
        .order_by(Seminar.day1)
    ).all()


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
        assignments=_assignments(trainer),
        overlaps=_overlaps_by_trainer().get(trainer.id, []) if trainer else [],
    )


@bp.route("/trainer/neu", methods=["GET", "POST"])
def trainer_new():
    return _page(None)


@bp.route("/trainer/<int:trainer_id>", methods=["GET", "POST"])
def trainer_edit(trainer_id: int):
    return _page(db.session.get(Trainer, trainer_id) or abort(404))
