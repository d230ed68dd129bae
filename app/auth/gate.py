"""The login gate of the organiser and admin areas, and what anonymous visitors get.
Observers pass it for reading only (``app.auth.read_only``)."""

from flask import flash, make_response, redirect, url_for
from flask_login import current_user

from app.auth.read_only import refuse_observer_writes
from app.auth.session import idle_expired
from app.extensions import login_manager
from app.services import messages
from app.web.htmx import is_htmx


@login_manager.unauthorized_handler
def _unauthorized():
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    flash(messages.LOGIN_NEEDED, "info")
    return redirect(url_for("auth.login"))


def require_login():
    """A ``before_request`` of every area under /manage: the login page for anonymous
    visitors and for sessions idle too long, 403 for any write of an observer, nothing
    for everyone else."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if idle_expired():
        flash(messages.SESSION_IDLE, "info")
        return login_manager.unauthorized()
    return refuse_observer_writes()
