"""One line per event, with the request's id: as text, or as JSON with ``LOG_FORMAT=json``.

Every request gets an id: the one a proxy sent in ``X-Request-ID`` (letters, digits and
dashes, at most 64), else a new one. It is in every log line written while the request
runs and in the response's ``X-Request-ID`` header, so that a line in nginx's log, the
app's log and a person's report can be matched. No log line here carries a form's
content or a person's data.
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

HEADER = "X-Request-ID"
ENVIRON_KEY = "seminare.request_id"
ENVIRON_HEADER = "HTTP_X_REQUEST_ID"
_GIVEN = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def request_id() -> str:
    """This request's id ('-' outside a request)."""
    if not has_request_context():
        return "-"
    return id_of(request.environ)


def id_of(environ: dict) -> str:
    """The id of the request ``environ`` describes (made and kept there on first ask)."""
    found = environ.get(ENVIRON_KEY)
    if found is None:
        given = environ.get(ENVIRON_HEADER, "")
        found = given if _GIVEN.match(given) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = found
    return found


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, request id, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "[%(asctime)s] %(levelname)s %(request_id)s %(name)s: %(message)s"


def init_logging(app: Flask) -> None:
    """The root logger writes to stderr (gunicorn and systemd collect it), one line per
    event; every response carries its request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    if not any(getattr(h, "_seminare", False) for h in root.handlers):
        handler._seminare = True
        root.addHandler(handler)
        root.setLevel(app.config["LOG_LEVEL"])
    # Flask's own handler would write each line a second time
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)

    @app.after_request
    def _tell_request_id(response):
        response.headers[HEADER] = request_id()
        return response
