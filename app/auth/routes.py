from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm, ResetRequestForm, SetPasswordForm
from app.auth.session import idle_expired
from app.extensions import db, limiter
from app.models import User
from app.rules import normalize_email
from app.services import messages
from app.services.accounts import accept_invitation as set_password
from app.services.accounts import end_sessions
from app.services.password_reset import request_password_reset
from app.web.pages import form_status


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host. Browsers drop tabs and read
    backslashes as slashes, so those go before the check, as does anything
    that names a scheme or a host."""
    if target:
        cleaned = "".join(ch for ch in target if ch.isprintable() and not ch.isspace())
        cleaned = cleaned.replace("\\", "/")
        parts = urlsplit(cleaned)
        if (
            cleaned.startswith("/")
            and not cleaned.startswith("//")
            and not (parts.scheme or parts.netloc)
        ):
            return cleaned
    return url_for("organiser.dashboard")


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.dashboard"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        user = db.session.scalars(sa.select(User).where(User.email == email)).first()
        if user is not None:
            db.session.expunge(user)  # keep what was read, then hold no lock
        db.session.rollback()  # during the deliberately slow password check
        ok = (
            user.check_password(form.password.data)
            if user
            else User.verify_unknown(form.password.data)
        )
        if ok and user.is_active:
            login_user(user)
            idle_expired()  # starts the idle clock
            return redirect(_safe_next(request.args.get("next")), 303)
        failed = True
    return render_template("auth/login.html", form=form, failed=failed), form_status()


@bp.post("/abmelden")
@login_required
def logout():
    end_sessions(current_user.id)  # every copy of this session is void from now on
    logout_user()
    flash(messages.LOGGED_OUT, "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    user = User.by_invitation(token)
    if user is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm()
    form.personal = (user.email, *user.email.split("@"), user.name or "")
    if form.validate_on_submit():
        set_password(user.id, form.password.data)
        flash(messages.PASSWORD_SAVED, "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/set_password.html", form=form, user=user), form_status()


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """The same answer whether or not the address has an account."""
    form = ResetRequestForm()
    sent = False
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        sent = True
    return render_template("auth/forgot_password.html", form=form, sent=sent), (
        200 if sent else form_status()
    )
