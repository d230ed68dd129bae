"""Jinja set-up: German formatting filters and a few globals."""

import json

from flask import Flask

from app.core.enums import Module
from app.core.formatting import FILTERS

HTMX_VERSION = "2.0.11"


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


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(
        MODULES=Module,
        HTMX_FILE=f"vendor/htmx-{HTMX_VERSION}.min.js",
        HTMX_CONFIG=_htmx_config(),
    )
