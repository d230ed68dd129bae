"""Loading the user from the session: void after logout, after a password change
(the session version moved on) and after the idle timeout."""

from datetime import timedelta

from flask import current_app, request, session
from flask_login import logout_user

from app.core.timeutil import utcnow
from app.extensions import db, login_manager
from app.models import User

SEEN = "_seen"
POLL_HEADER = "X-Live-Poll"  # sent by polling elements (hx-headers)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def idle_expired() -> bool:
    """True (and the user logged out) when the session has been idle too long."""
    now = int(utcnow().timestamp())
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]).total_seconds()
    seen = session.get(SEEN)
    if seen is not None and now - seen > idle:
        logout_user()
        session.pop(SEEN, None)
        return True
    if request.headers.get(POLL_HEADER) != "1":
        session[SEEN] = now  # a person acted; a live poll does not keep a session alive
    return False
