"""German error pages (and fragments for htmx), without any trace."""

from flask import Blueprint
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.web.htmx import render

bp = Blueprint("errors", __name__)


def _render(status: int, csrf_failed: bool = False):
    return render(
        "errors/page.html",
        "errors/_message.html",
        status=status,
        status_code=status,
        csrf_failed=csrf_failed,
    )


@bp.app_errorhandler(CSRFError)
def csrf_error(_error):
    return _render(400, csrf_failed=True)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    response = _render(error.code or 500)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429:
        response.headers["Retry-After"] = "60"
    return response


@bp.app_errorhandler(Exception)
def server_error(error: Exception):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=error)
    return _render(500)
