import re
import unicodedata

import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for
from sqlalchemy.orm import selectinload

from app.admin import bp, messages
from app.admin.forms import VhsForm
from app.extensions import db
from app.htmx import see_other
from app.models import Seminar, Vhs

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(text: str) -> str:
    """'Mülheim an der Ruhr' -> 'muelheim-an-der-ruhr'"""
    text = unicodedata.normalize("NFKD", text.casefold().translate(UMLAUTS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:70] or "vhs"


def _slug_taken(slug: str, vhs_id: int | None) -> bool:
    query = sa.select(Vhs.id).where(Vhs.slug == slug)
    if vhs_id is not None:
        query = query.where(Vhs.id != vhs_id)
    return db.session.scalar(query) is not None


def _free_slug(base: str) -> str:
    slug, n = base, 2
    while _slug_taken(slug, None):
        slug, n = f"{base}-{n}", n + 1
    return slug


@bp.get("/vhs")
def vhs_list():
    items = db.session.scalars(
        sa.select(Vhs)
        .options(selectinload(Vhs.seminars).joinedload(Seminar.programme))
        .order_by(Vhs.town, Vhs.name)
    ).all()
    return render_template("admin/vhs_list.html", items=items)


def _save(form: VhsForm, vhs: Vhs | None):
    if form.slug.data and _slug_taken(form.slug.data, vhs.id if vhs else None):
        form.slug.errors.append(messages.SLUG_TAKEN)
        return None
    if vhs is None:
        vhs = Vhs()
        db.session.add(vhs)
    form.populate_obj(vhs)
    vhs.slug = form.slug.data or _free_slug(slugify(form.town.data))
    db.session.commit()
    flash(messages.saved(f"Die {vhs.name}"), "success")
    return see_other(url_for("admin.vhs_edit", vhs_id=vhs.id))


@bp.route("/vhs/neu", methods=["GET", "POST"])
def vhs_new():
    form = VhsForm()
    if request.method == "POST" and form.validate():
        done = _save(form, None)
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/vhs_form.html", form=form, vhs=None), status


@bp.route("/vhs/<int:vhs_id>", methods=["GET", "POST"])
def vhs_edit(vhs_id: int):
    vhs = db.session.get(Vhs, vhs_id) or abort(404)
    form = VhsForm(obj=vhs)
    if request.method == "POST" and form.validate():
        done = _save(form, vhs)
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("admin/vhs_form.html", form=form, vhs=vhs), status
