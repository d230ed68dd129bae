"""Programme administration under /manage/admin: VHS, councils, seminars, trainers,
accounts, the audit log, the funding overview and the programme's rules. State
organisers (role admin) only; observers read the views marked ``observers_may_read``
(the funding figures) and nothing else."""

from flask import Blueprint, redirect, url_for

from app.auth.gate import require_login
from app.auth.read_only import observer_may_read_here
from app.auth.scope import require_admin
from app.web.security import no_store

bp = Blueprint("admin", __name__, url_prefix="/manage/admin")
# Addresses the admin pages had before they moved here; bookmarks keep working.
aliases = Blueprint("admin_aliases", __name__, url_prefix="/manage")


@bp.before_request
def _admins_only():
    # The organisers' login rule (login page for anonymous, idle timeout, no writes
    # for observers), then 403 for everyone who is not a state organiser, except an
    # observer reading a figures page.
    denied = require_login()
    if denied is not None:
        return denied
    if observer_may_read_here():
        return None
    require_admin()
    return None


bp.after_request(no_store)


def new_and_edit(path: str, name: str, model, page) -> None:
    """The two routes of a thing the admins create and edit on one form page:
    ``<path>/neu`` (endpoint ``<name>_new``) renders ``page(None)``, ``<path>/<id>``
    (``<name>_edit``) renders ``page`` of that row, or 404."""
    from app.admin import queries

    def new():
        return page(None)

    def edit(**ids):
        return page(queries.found(model, ids[f"{name}_id"]))

    methods = ["GET", "POST"]
    bp.add_url_rule(f"{path}/neu", f"{name}_new", new, methods=methods)
    bp.add_url_rule(f"{path}/<int:{name}_id>", f"{name}_edit", edit, methods=methods)


@aliases.get("/nutzer")
def users_alias():
    return redirect(url_for("admin.users"), 301)


@aliases.get("/protokoll")
def audit_log_alias():
    return redirect(url_for("admin.audit_log"), 301)


from app.admin import (  # noqa: E402,F401
    audit,
    councils,
    evaluation,
    funding,
    home,
    interest,
    operations,
    outbox,
    people,
    programme,
    seminars,
    trainers,
    users,
    vhs,
)
