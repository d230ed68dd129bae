"""Programme administration under /manage/admin: VHS, councils, seminars, trainers,
accounts, the audit log, the funding overview and the programme's rules. State
organisers (role admin) only."""

from flask import Blueprint, redirect, url_for

from app.auth.gate import require_login
from app.auth.scope import require_admin
from app.web.security import no_store

bp = Blueprint("admin", __name__, url_prefix="/manage/admin")
# Addresses the admin pages had before they moved here; bookmarks keep working.
aliases = Blueprint("admin_aliases", __name__, url_prefix="/manage")


@bp.before_request
def _admins_only():
    # The organisers' login rule (login page for anonymous, idle timeout), then 403
    # for everyone who is not a state organiser.
    denied = require_login()
    if denied is not None:
        return denied
    require_admin()
    return None


bp.after_request(no_store)


@aliases.get("/nutzer")
def users_alias():
    return redirect(url_for("admin.users"), 301)


@aliases.get("/protokoll")
def audit_log_alias():
    return redirect(url_for("admin.audit_log"), 301)


from app.admin import (  # noqa: E402,F401
    audit,
    councils,
    funding,
    home,
    outbox,
    programme,
    seminars,
    trainers,
    users,
    vhs,
)
