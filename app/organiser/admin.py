"""Admin-only pages of the organiser area: users and the audit log."""

import sqlalchemy as sa
from flask import render_template, request, url_for
from sqlalchemy.orm import joinedload

from app.auth.scope import require_admin
from app.extensions import db
from app.models import AuditEntry, Role, User
from app.organiser import bp
from app.organiser.forms import UserForm, with_scope_choices
from app.rules import normalize_email
from app.services.accounts import create_user

PAGE_SIZE = 200


@bp.get("/protokoll")
def audit_log():
    require_admin()
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .options(
            joinedload(AuditEntry.actor),
            joinedload(AuditEntry.registration),
            joinedload(AuditEntry.seminar),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("organiser/audit_log.html", entries=entries)


def _user_form() -> UserForm:
    return with_scope_choices(UserForm())


@bp.route("/nutzer", methods=["GET", "POST"])
def users():
    require_admin()
    form = _user_form()
    invitation_url = None
    status = 200
    if request.method == "POST":
        if form.validate():
            email = normalize_email(form.email.data)
            if db.session.scalar(sa.select(User.id).where(User.email == email)):
                form.email.errors.append("Für diese E-Mail-Adresse gibt es schon ein Konto.")
                status = 422
            else:
                _user, token = create_user(
                    email=email,
                    name=form.name.data or "",
                    role=Role(form.role.data),
                    vhs_id=form.vhs_id.data or None,
                    council_id=form.council_id.data or None,
                )
                invitation_url = url_for("auth.accept_invitation", token=token, _external=True)
                form = _user_form()
                form.process(formdata=None)
        else:
            status = 422
    accounts = db.session.scalars(
        sa.select(User)
        .options(joinedload(User.vhs), joinedload(User.council))
        .order_by(User.role, User.email)
    ).all()
    return (
        render_template(
            "organiser/users.html", form=form, accounts=accounts, invitation_url=invitation_url
        ),
        status,
    )
