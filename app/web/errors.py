"""German error pages (and fragments for htmx), without any trace.

A database that cannot be reached answers 503 with ``Retry-After``. When an htmx form
submit fails with a server error, the message goes before the form and the form stays
as it was, with what the person typed; a failed background poll swaps nothing.
"""

from flask import Blueprint, current_app, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.web.htmx import is_htmx, render

bp = Blueprint("errors", __name__)
RETRY_AFTER = {429: "60", 503: "30"}


def _render(status: int, csrf_failed: bool = False):
    response = render(
        "errors/page.html",
        "errors/_message.html",
        status=status,
        status_code=status,
        csrf_failed=csrf_failed,
    )
    if status in RETRY_AFTER:
        response.headers["Retry-After"] = RETRY_AFTER[status]
    if is_htmx() and status >= 500:
        if request.method == "GET":
            response.headers["HX-Reswap"] = "none"  # a poll: keep what is shown
        else:
            response.headers["HX-Retarget"] = "this"  # the form that was sent
            response.headers["HX-Reswap"] = "beforebegin"
    return response


@bp.app_errorhandler(CSRFError)
def csrf_error(_error):
    return _render(400, csrf_failed=True)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    response = _render(error.code or 500)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _database_unreachable(error: Exception) -> bool:
    if isinstance(error, DisconnectionError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError)  # cannot connect, or locked past the timeout


@bp.app_errorhandler(Exception)
def server_error(error: Exception):
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("Rollback failed while answering an error")
    if _database_unreachable(error):
        current_app.logger.error("Database unreachable: %s", error)
        return _render(503)
    current_app.logger.exception("Unhandled error", exc_info=error)
    return _render(500)
