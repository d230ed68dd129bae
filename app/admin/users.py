from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.admin import bp, messages
from app.admin.forms import UserEditForm
from app.extensions import db
from app.htmx import see_other
from app.models import Role, User
from app.organiser.forms import with_scope_choices
from app.services.accounts import update_user


def _form(account: User) -> UserEditForm:
    form = UserEditForm(
        data={
            "name": account.name,
            "role": account.role.value,
            "vhs_id": account.vhs_id or 0,
            "council_id": account.council_id or 0,
            "active": account.active,
        }
    )
    return with_scope_choices(form)


@bp.route("/nutzer/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    account = db.session.get(User, user_id) or abort(404)
    form = _form(account)
    if request.method == "POST" and form.validate():
        ok = True
        if account.id == current_user.id:
            if form.role.data != Role.ADMIN:
                form.role.errors.append(messages.OWN_ROLE)
                ok = False
            if not form.active.data:
                form.active.errors.append(messages.OWN_ACCOUNT_INACTIVE)
                ok = False
        if ok:
            update_user(
                account.id,
                name=form.name.data or "",
                role=Role(form.role.data),
                vhs_id=form.vhs_id.data or None,
                council_id=form.council_id.data or None,
                active=bool(form.active.data),
            )
            flash(messages.saved(f"Das Konto {account.email}"), "success")
            return see_other(url_for("organiser.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, account=account), status
