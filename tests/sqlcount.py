"""Count the SQL statements a block of code sends."""

from contextlib import contextmanager
from unittest import mock

from sqlalchemy import event

from app.extensions import db
from app.web.page_cache import version


@contextmanager
def count_queries():
    statements: list[str] = []

    def _record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    def _fresh_row(connection, statement):
        # the kept connection of the page cache's read_fresh sends no engine events
        statements.append(statement)
        return real_fresh_row(connection, statement)

    real_fresh_row = version._fresh_row
    engine = db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        with mock.patch.object(version, "_fresh_row", _fresh_row):
            yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)
