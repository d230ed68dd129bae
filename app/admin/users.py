"""Organiser accounts: the list, a new account with its invitation link, and edits."""

from flask import flash, render_template, url_for
from flask_login import current_user

from app.admin import bp, queries
from app.admin.forms import UserEditForm, UserForm
from app.models import Role, User
from app.services import messages
from app.services.accounts import create_user, update_user
from app.web.htmx import see_other
from app.web.pages import form_page


@bp.route("/nutzer", methods=["GET", "POST"])
def users():
    form = UserForm()

    def save():
        _user, token = create_user(
            email=form.email.data,
            name=form.name.data or "",
            role=Role(form.role.data),
            vhs_id=form.vhs_id.data or None,
            council_id=form.council_id.data or None,
            actor_id=current_user.id,
        )
        fresh = UserForm(formdata=None)
        return render_template(
            "admin/users.html",
            form=fresh,
            accounts=queries.accounts(),
            invitation_url=url_for("auth.accept_invitation", token=token, _external=True),
        )

    return form_page(
        form, "admin/users.html", save, accounts=queries.accounts(), invitation_url=None
    )


@bp.route("/nutzer/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    account = queries.found(User, user_id)
    form = UserEditForm(
        data={
            "name": account.name,
            "role": account.role.value,
            "vhs_id": account.vhs_id or 0,
            "council_id": account.council_id or 0,
            "active": account.active,
        }
    )

    def save():
        update_user(
            account.id,
            name=form.name.data or "",
            role=Role(form.role.data),
            vhs_id=form.vhs_id.data or None,
            council_id=form.council_id.data or None,
            active=bool(form.active.data),
            actor_id=current_user.id,
        )
        flash(messages.saved(f"Das Konto {account.email}"), "success")
        return see_other(url_for("admin.users"))

    return form_page(form, "admin/user_form.html", save, account=account)
