"""Jinja set-up: German formatting filters and a few globals."""

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms.widgets import Select

from app.core import german
from app.core.enums import Module
from app.core.formatting import FILTERS
from app.models import Role
from app.services.mail import absolute_url

HTMX_VERSION = "2.0.11"
# WTForms turns only ``data_`` and ``aria_`` keywords into hyphenated attributes.
HYPHENATED = ("hx_", "aria_", "data_")


def _htmx_config() -> str:
    # Configured through the meta tag, so no inline script is needed (CSP).
    return json.dumps(
        {
            "historyCacheSize": 0,
            "includeIndicatorStyles": False,
            "allowEval": False,
            "allowScriptTags": False,
            "selfRequestsOnly": True,
            "responseHandling": [
                {"code": "204", "swap": False},
                {"code": "[23]..", "swap": True},
                # our error answers are German fragments: show them where the
                # action happened (a lapsed form, a full seminar, too many tries)
                {"code": "[45]..", "swap": True, "error": False},
            ],
        },
        separators=(",", ":"),
    )


def field_attributes(attributes: dict) -> dict:
    """Keywords for a WTForms field call, spelled as the browser needs them.

    ``hx_post="/x"`` becomes ``hx-post`` (htmx ignores ``hx_post``); True stays a bare
    switch (``autofocus``), while False and None leave the attribute out. Any other
    value that is not text or a number is refused: ``autofocus=field.errors`` would
    otherwise render ``autofocus="()"``.
    """
    result = {}
    for name, value in attributes.items():
        if name.startswith(HYPHENATED):
            name = name.replace("_", "-")
        if value is None or value is False:
            continue
        if not isinstance(value, str | int | float):
            raise TypeError(f"attribute {name}: {value!r} is not text, a number or a bool")
        result[name] = value
    return result


def csrf_field() -> Markup:
    """A form's hidden CSRF token, the one way every template writes it: without an id,
    so that a page with many forms (a row of buttons each) repeats none; nothing while
    CSRF protection is off."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def may_be_required(field) -> bool:
    """Whether the field's control may carry ``required``. HTML allows it on a drop-down
    list only when its first option is the empty placeholder ("Bitte wählen"); a list
    that starts with a real choice always has a value, so ``required`` would say nothing."""
    if not isinstance(field.widget, Select) or field.widget.multiple:
        return True
    first = next(iter(field.iter_choices()), None)
    return first is not None and str(first[0]) == ""


@cache
def _static_version(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_version(app: Flask, filename: str) -> str | None:
    """A short hash of a static file's content: its URLs change when the file does, so
    a proxy may keep static files for a year (deploy/nginx-seminare.conf)."""
    path = Path(app.static_folder) / filename
    try:
        return _static_version(path, path.stat().st_mtime_ns)
    except OSError:
        return None


def init_templating(app: Flask) -> None:
    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.filters.update(
        plural=german.plural,
        noun=german.noun,
        agree=german.agree,
        number=german.number,
        field_attributes=field_attributes,
    )
    app.jinja_env.globals.update(
        MODULES=Module,
        Role=Role,  # roles are compared as members: current_user.role == Role.OBSERVER
        HTMX_FILE=f"vendor/htmx-{HTMX_VERSION}.min.js",
        HTMX_CONFIG=_htmx_config(),
        absolute_url=absolute_url,  # for mails: BASE_URL plus the route's path
        csrf_field=csrf_field,
        may_be_required=may_be_required,
    )
