import sqlalchemy as sa
from flask import abort, flash, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import CouncilForm, region_of
from app.extensions import db
from app.models import Council, CouncilKind, Role, Seminar, User, seminar_council
from app.services import messages
from app.services.directory import CouncilData, save_council
from app.web.htmx import see_other
from app.web.pages import form_page


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


def _hosted(council: Council | None) -> list[Seminar]:
    if council is None:
        return []
    return db.session.scalars(
        sa.select(Seminar)
        .join(seminar_council, seminar_council.c.seminar_id == Seminar.id)
        .where(seminar_council.c.council_id == council.id)
        .order_by(Seminar.day1)
    ).all()


def _page(council: Council | None):
    form = CouncilForm(obj=council)

    def save():
        values = {name: form[name].data or "" for name in CouncilData.__dataclass_fields__}
        values["kind"] = CouncilKind(form.kind.data)
        values["region"] = region_of(form.region)
        saved = save_council(
            council.id if council else None, CouncilData(**values), actor_id=current_user.id
        )
        flash(messages.saved(f"Das Gremium {saved.town}"), "success")
        return see_other(url_for("admin.council_edit", council_id=saved.id))

    return form_page(
        form,
        "admin/council_form.html",
        save,
        council=council,
        hosted=_hosted(council),
        contacts=_contacts([council.id])[council.id] if council else [],
    )


@bp.route("/gremien/neu", methods=["GET", "POST"])
def council_new():
    return _page(None)


@bp.route("/gremien/<int:council_id>", methods=["GET", "POST"])
def council_edit(council_id: int):
    return _page(db.session.get(Council, council_id) or abort(404))
