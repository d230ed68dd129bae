"""Programme administration under /manage/admin: VHS, councils, seminars, trainers,
the funding overview and the programme's rules. State organisers (role admin) only."""

from flask import Blueprint

from app.auth.scope import require_admin
from app.organiser import require_login
from app.security import no_store

bp = Blueprint("admin", __name__, url_prefix="/manage/admin")


@bp.before_request
def _admins_only():
    # The organiser area's login rule (login page for anonymous, idle timeout), then 403
    # for everyone who is not a state organiser.
    denied = require_login()
    if denied is not None:
        return denied
    require_admin()
    return None


bp.after_request(no_store)


from app.admin import (  # noqa: E402,F401
    councils,
    funding,
    home,
    programme,
    seminars,
    trainers,
    users,
    vhs,
)
