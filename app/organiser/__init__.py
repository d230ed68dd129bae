"""The organisers' area under /manage: dashboards, participants, attendance, exports,
room needs. Every route needs a login; every object goes through ``app.auth.scope``."""

from flask import Blueprint, flash, make_response, redirect, url_for
from flask_login import current_user

from app.auth.session import idle_expired
from app.extensions import login_manager
from app.htmx import is_htmx
from app.security import no_store

bp = Blueprint("organiser", __name__, url_prefix="/manage")


@login_manager.unauthorized_handler
def _unauthorized():
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login"))


@bp.before_request
def require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if idle_expired():
        flash(
            "Ihre Sitzung ist wegen Inaktivität abgelaufen. Bitte melden Sie sich neu an.", "info"
        )
        return login_manager.unauthorized()
    return None


bp.after_request(no_store)


from app.organiser import (  # noqa: E402,F401
    admin,
    attendance,
    dashboard,
    exports,
    participants,
    room_needs,
)
