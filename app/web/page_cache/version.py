"""The data version of the public pages: what the page cache is keyed by.

The version is the newest change stamp (``changed_at``) of each table whose rows the
public pages show, read on every request from the database (one cheap query, plain SQL
on a kept connection: ``read_fresh``), so a change made through any worker or host is
seen by every worker on its next request. ``track_page_versions`` keeps every change the
pages show in a stamp. The SQL that differs between SQLite and PostgreSQL lives here and
nowhere else. Used through the page cache's face (``app.web.page_cache``) only.
"""

import hashlib
import sqlite3
import threading
import weakref
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core.timeutil import today_berlin, utcnow
from app.database import sqlite_file
from app.extensions import db
from app.models import Council, Programme, Seminar, Vhs


@dataclass(frozen=True)
class DataVersion:
    """What a page's data looks like now: ``key`` changes whenever the data does."""

    key: tuple

    def etag(self, salt: str = "") -> str:
        """A validator for what was rendered from this version (and ``salt``)."""
        return "v" + hashlib.sha256(f"{salt}|{self.key!r}".encode()).hexdigest()[:31]


NO_DATA = DataVersion(key=())


def state_of(version: DataVersion, today=None) -> tuple:
    """What a kept page or ready answer is tagged with: the Berlin date (``today``, else
    read now) and the data version."""
    return (today or today_berlin(), version.key)


# The version of everything the public pages show: the newest change stamp of each of the
# four tables whose rows they show (a booking moves its seminar's; a row removed moves the
# programmes', see ``track_page_versions``). Four index ends, one statement:
# its work does not grow with the data. Plain SQL, sent as it is on a kept connection
# (``read_fresh``): building a statement, checking out a pooled connection and ending a
# transaction would each cost more than running it.
VERSIONED_TABLES = ("seminar", "vhs", "programme", "council")
NEWEST_SQL = (
    "SELECT (SELECT max(changed_at) FROM seminar), (SELECT max(changed_at) FROM vhs), "
    "(SELECT max(changed_at) FROM programme), (SELECT max(changed_at) FROM council)"
)

# For PAGE_SETTLE_SECONDS after the newest change the version also holds a fingerprint of
# the changes stamped within that window: how many, and the sum of their stamps in
# microseconds. On PostgreSQL transactions run side by side, so one may commit a change
# stamped a moment *before* the newest stamp, which alone would not move. A change takes
# less than PAGE_SETTLE_SECONDS from its stamp to its commit, so it lands in the window,
# where it adds to the count or to the sum (a row's stamps only grow). The version is thus
# exact the moment a change commits, and pages are kept at once, also while people book;
# when the window has passed, the fingerprint is left out (one more rendering of each page).
# Read from the changed_at indexes: the rows changed in those seconds, never all of them.
_DIALECT = {
    "postgresql": {
        "micro": "(extract(epoch FROM changed_at) * 1000000)::bigint",
        "window": "(SELECT max(changed_at) FROM {table}) - interval '{seconds} seconds'",
    },
    "sqlite": {
        # stamps are stored as text, 'YYYY-MM-DD HH:MM:SS.ffffff'
        "micro": "(strftime('%s', changed_at) * 1000000 + substr(changed_at, 21, 6))",
        "window": "strftime('%Y-%m-%d %H:%M:%f', (SELECT max(changed_at) FROM {table}), "
        "'-{seconds} seconds')",
    },
}


@cache
def recent_changes_sql(dialect: str, seconds: int) -> str:
    """The fingerprint of each table's changes within ``seconds`` of its newest."""
    spell = _DIALECT[dialect]
    parts = [
        # only our own table names and a whole number go into the text
        f"(SELECT count(*) || ':' || coalesce(sum({spell['micro']}), 0) FROM {table} "  # noqa: S608
        f"WHERE changed_at >= {spell['window'].format(table=table, seconds=int(seconds))})"
        for table in VERSIONED_TABLES
    ]
    return "SELECT " + ", ".join(parts)


def _stamp(value) -> datetime | None:
    """SQLite and the kept PostgreSQL connection hand the stamps over as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def public_data_version() -> DataVersion:
    """The data version of the public pages and their live seat indicators: one query, and
    a second one for a few seconds after a change."""
    return data_version(
        read_fresh, db.engine.dialect.name, current_app.config["PAGE_SETTLE_SECONDS"]
    )


def data_version(read, dialect: str, settle_seconds: int) -> DataVersion:
    """The version as ``read(sql)`` reads it: ``read_fresh`` in a request, or
    ``read_kept`` bound to an engine before Flask has a request (``ready.py``)."""
    newest = read(NEWEST_SQL)
    window_opened = utcnow() - timedelta(seconds=settle_seconds)
    if any(value is not None and _stamp(value) > window_opened for value in newest):
        recent = read(recent_changes_sql(dialect, settle_seconds))
        return DataVersion(key=newest + recent)
    return DataVersion(key=newest)


# -- the kept connection the version is read on ----------------------------------------------


class _Kept:
    """A connection kept for ``read_fresh``: closed when dropped, and with its thread."""

    def __init__(self, engine: Engine, connection):
        self.engine, self.connection = engine, connection
        self.close = weakref.finalize(self, _close_quietly, connection)


def _close_quietly(connection) -> None:
    with suppress(Exception):  # a connection that is gone is gone
        connection.close()


_fresh = threading.local()  # .kept: this thread's _Kept, if any


def read_fresh(sql: str) -> tuple:
    """The one row of ``sql`` (a fixed, cheap read) as the database holds it now.

    Sent on this thread's own connection, kept open and in autocommit: no pool checkout,
    no transaction to begin and end, so it costs one statement (and on PostgreSQL one
    round trip). Every call sees what any worker or host has committed. An in-memory
    SQLite database has no second connection to the same data: it is read through the
    session instead.
    """
    engine = db.engine
    if not has_kept_connections(engine):
        return tuple(db.session.connection().exec_driver_sql(sql).one())
    try:
        return read_kept(engine, sql)
    except engine.dialect.loaded_dbapi.Error:
        # The server went away or restarted: this once through the pool, which reports
        # an outage as SQLAlchemy's errors (answered 503); the next call connects anew.
        return tuple(db.session.connection().exec_driver_sql(sql).one())


def has_kept_connections(engine: Engine) -> bool:
    """Whether a second connection sees the same data (not so an in-memory SQLite)."""
    return not (engine.dialect.name == "sqlite" and sqlite_file(engine) is None)


def read_kept(engine: Engine, sql: str) -> tuple:
    """``sql``'s row on this thread's kept connection to ``engine``, without an app
    context. A failed read drops the connection (the next one connects anew) and raises
    the driver's error."""
    try:
        return _fresh_row(_fresh_connection(engine), sql)
    except engine.dialect.loaded_dbapi.Error:
        _drop_fresh_connection()
        raise


def _fresh_row(connection, sql: str) -> tuple:
    """The row, as text on PostgreSQL (see ``_prepared_row``), as SQLite types it."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()  # to the end: SQLite then ends the statement's read
        finally:
            cursor.close()
        return tuple(rows[0])
    return _prepared_row(connection, sql)


def _prepared_row(connection, sql: str) -> tuple:
    """PostgreSQL: the statement prepared once per connection and run through libpq
    itself (psycopg's ``pq`` layer). A cursor's bookkeeping and type conversion would
    cost more than the round trip; the caller gets the values as text."""
    from psycopg import OperationalError, pq

    pgconn = connection.pgconn
    prepared = _prepared.setdefault(connection, {})
    name = prepared.get(sql)
    if name is None:
        name = b"fresh_%d" % len(prepared)
        _check(pgconn.prepare(name, sql.encode()), pq.ExecStatus.COMMAND_OK, OperationalError)
        prepared[sql] = name
    result = _check(pgconn.exec_prepared(name, None), pq.ExecStatus.TUPLES_OK, OperationalError)
    return tuple(
        None if (value := result.get_value(0, column)) is None else value.decode()
        for column in range(result.nfields)
    )


_prepared: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # connection: {sql: name}


def _check(result, expected, error):
    if result.status != expected:
        raise error(result.get_error_message("utf-8") or "the read failed")
    return result


def _fresh_connection(engine: Engine):
    kept = getattr(_fresh, "kept", None)
    if kept is None or kept.engine is not engine:
        _drop_fresh_connection()
        pooled = engine.raw_connection()
        pooled.detach()  # ours alone from now on, never handed back to the pool
        connection = pooled.dbapi_connection
        if engine.dialect.name == "sqlite":
            connection.isolation_level = None  # autocommit (also set on connect)
        else:
            connection.autocommit = True
        kept = _fresh.kept = _Kept(engine, connection)
    return kept.connection


def _drop_fresh_connection() -> None:
    kept, _fresh.kept = getattr(_fresh, "kept", None), None
    if kept is not None:
        kept.close()


# -- the stamps: every change the public pages show moves a changed_at ------------------------


def _stamp_seminars_whose_councils_changed(session, _context, _instances) -> None:
    """A seminar's councils live in an association table: changing only them issues no
    UPDATE of the seminar row, so its ``changed_at`` (the public pages' data version)
    would stay. Stamp it here, as any other change of the seminar does."""
    for instance in session.dirty:
        if (
            isinstance(instance, Seminar)
            and sa.inspect(instance).attrs.councils.history.has_changes()
        ):
            instance.changed_at = utcnow()


def _stamp_programmes_on_removal(_mapper, connection, _target) -> None:
    """A row removed leaves no stamp behind, so the newest stamp of its table may stay
    as it was. Every public page belongs to the programme: its stamp moves instead.
    (The site removes no VHS or council and only draft seminars, which no public page
    shows; this keeps the version right for whatever removes one through the ORM.)"""
    connection.execute(sa.update(Programme.__table__).values(changed_at=utcnow()))


def track_page_versions() -> None:
    """Keep every change the public pages show in a ``changed_at`` (once per process)."""
    if not event.contains(Session, "before_flush", _stamp_seminars_whose_councils_changed):
        event.listen(Session, "before_flush", _stamp_seminars_whose_councils_changed)
    for model in (Seminar, Vhs, Council):
        if not event.contains(model, "after_delete", _stamp_programmes_on_removal):
            event.listen(model, "after_delete", _stamp_programmes_on_removal)
