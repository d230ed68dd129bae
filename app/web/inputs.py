"""Input no database can take is refused before any route sees it.

PostgreSQL cannot store a NUL character and answers an out-of-range integer with an
error; both would end as a 500, and other scripts' digits would name a row ("١٢" is
12 to Python). Every ``<int:...>`` in a route is an id in the sense of
``app.core.ids`` (ASCII digits, 1 to 2**31 - 1; anything else: 404), every integer in
a query string is read with ``int_arg``, and a NUL in the path or the query gives 400.
Form fields are the validators' business: they refuse control characters with a
German message beside the field and keep what was typed (422).
"""

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter, ValidationError

from app.core.ids import ID_MAX, ID_PATTERN, parse_id

INT_MAX = ID_MAX  # the name this module gave it before app.core.ids


class IdConverter(BaseConverter):
    """``<int:...>``: an id, ASCII digits within the id columns' range."""

    regex = ID_PATTERN
    weight = 50  # as werkzeug's numbers: tried before a string in the same place

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()  # no route matches: 404
        return parsed

    def to_url(self, value) -> str:
        return str(int(value))


def int_arg(name: str, source: MultiDict | None = None) -> int | None:
    """The id (or page number, or other count from 1) in the query parameter ``name``,
    or in the form ``source``; None when it is missing or names no such number."""
    return parse_id((request.args if source is None else source).get(name))


def _holds_nul() -> bool:
    values = [request.path, *request.args.values(), *request.args.keys()]
    return any("\x00" in value for value in values)


def init_inputs(app: Flask) -> None:
    """Call before any blueprint is registered, so that every route uses the converter."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_nul():
        if _holds_nul():
            abort(400)
