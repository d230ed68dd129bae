import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for

from app.admin import bp, messages
from app.admin.forms import CouncilForm
from app.extensions import db
from app.htmx import see_other
from app.models import Council, Role, Seminar, User, seminar_council


def _contacts(council_ids: list[int]) -> dict[int, list[User]]:
    """The contact persons' accounts per council, in one query."""
    found: dict[int, list[User]] = {cid: [] for cid in council_ids}
    if council_ids:
        for user in db.session.scalars(
            sa.select(User)
            .where(User.role == Role.CONTACT, User.council_id.in_(council_ids))
            .order_by(User.name, User.email)
        ):
            found[user.council_id].append(user)
    return found


@bp.get("/gremien")
def councils():
    items = db.session.scalars(sa.select(Council).order_by(Council.town)).all()
    return render_template(
        "admin/councils.html", items=items, contacts=_contacts([c.id for c in items])
    )


def _town_taken(town: str, council_id: int | None) -> bool:
    query = sa.select(Council.id).where(sa.func.lower(Council.town) == town.lower())
    if council_id is not None:
        query = query.where(Council.id != council_id)
    return db.session.scalar(query) is not None


def _page(form: CouncilForm, council: Council | None):
    if request.method == "POST" and form.validate():
        if _town_taken(form.town.data, council.id if council else None):
            form.town.errors.append(messages.TOWN_TAKEN)
        else:
            if council is None:
                council = Council()
                db.session.add(council)
            form.populate_obj(council)
            db.session.commit()
            flash(messages.saved(f"Das Gremium {council.town}"), "success")
            return see_other(url_for("admin.council_edit", council_id=council.id))
    hosted = []
    if council is not None:
        hosted = db.session.scalars(
            sa.select(Seminar)
            .join(seminar_council, seminar_council.c.seminar_id == Seminar.id)
            .where(seminar_council.c.council_id == council.id)
            .order_by(Seminar.day1)
        ).all()
    contacts = _contacts([council.id])[council.id] if council else []
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "admin/council_form.html", form=form, council=council, hosted=hosted, contacts=contacts
        ),
        status,
    )


@bp.route("/gremien/neu", methods=["GET", "POST"])
def council_new():
    return _page(CouncilForm(), None)


@bp.route("/gremien/<int:council_id>", methods=["GET", "POST"])
def council_edit(council_id: int):
    council = db.session.get(Council, council_id) or abort(404)
    return _page(CouncilForm(obj=council), council)
