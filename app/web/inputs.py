"""Input no database can take is refused before any route sees it.

PostgreSQL cannot store a NUL character and answers an out-of-range integer with an
error; both would end as a 500. Integer path arguments are bounded to the columns'
range (a larger id names nothing: 404), and a NUL in the path or the query gives 400.
Form fields are the validators' business: they refuse control characters with a
German message beside the field and keep what was typed (422).
"""

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


class BoundedInt(IntegerConverter):
    """``<int:...>`` as everywhere, but never past the id columns' range."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def _holds_nul() -> bool:
    values = [request.path, *request.args.values(), *request.args.keys()]
    return any("\x00" in value for value in values)


def init_inputs(app: Flask) -> None:
    """Call before any blueprint is registered, so that every route uses the converter."""
    app.url_map.converters["int"] = BoundedInt

    @app.before_request
    def _refuse_nul():
        if _holds_nul():
            abort(400)
