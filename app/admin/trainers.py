import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from app.admin import bp, messages
from app.admin.forms import TRAINER_KIND_LABELS, TrainerForm
from app.extensions import db
from app.htmx import see_other
from app.models import Seminar, SeminarTrainer, Trainer, TrainerKind
from app.rules import normalize_email
from app.services.trainers import TrainerKindLocked, overlaps, save_trainer


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
        "admin/trainers.html",
        items=_trainers(),
        overlaps=_overlaps_by_trainer(),
        labels=TRAINER_KIND_LABELS,
    )


def _email_taken(email: str, trainer_id: int | None) -> bool:
    query = sa.select(Trainer.id).where(Trainer.email == normalize_email(email))
    if trainer_id is not None:
        query = query.where(Trainer.id != trainer_id)
    return db.session.scalar(query) is not None


def _page(form: TrainerForm, trainer: Trainer | None):
    if request.method == "POST" and form.validate():
        trainer_id = trainer.id if trainer else None
        if _email_taken(form.email.data, trainer_id):
            form.email.errors.append(messages.TRAINER_EMAIL_TAKEN)
        else:
            try:
                saved = save_trainer(
                    trainer_id,
                    name=form.name.data,
                    email=form.email.data,
                    kind=TrainerKind(form.kind.data),
                )
            except TrainerKindLocked as locked:
                form.kind.errors.append(messages.trainer_kind_locked(locked.seminars))
            else:
                flash(messages.saved(saved.name), "success")
                return see_other(url_for("admin.trainers_page"))
    assignments = []
    if trainer is not None:
        assignments = db.session.scalars(
            sa.select(SeminarTrainer)
            .join(SeminarTrainer.seminar)
            .where(SeminarTrainer.trainer_id == trainer.id)
            .options(joinedload(SeminarTrainer.seminar).joinedload(Seminar.vhs))
            .order_by(Seminar.day1)
        ).all()
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "admin/trainer_form.html",
            form=form,
            trainer=trainer,
            assignments=assignments,
            overlaps=_overlaps_by_trainer().get(trainer.id, []) if trainer else [],
        ),
        status,
    )


@bp.route("/trainer/neu", methods=["GET", "POST"])
def trainer_new():
    return _page(TrainerForm(), None)


@bp.route("/trainer/<int:trainer_id>", methods=["GET", "POST"])
def trainer_edit(trainer_id: int):
    trainer = db.session.get(Trainer, trainer_id) or abort(404)
    return _page(TrainerForm(obj=trainer), trainer)
