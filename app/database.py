"""Engine set-up and the write transaction the booking service relies on.

SQLite: WAL mode, a busy timeout, foreign keys on, and transactions begun by
us rather than by the driver. A transaction that reads first and writes later
cannot be upgraded once another connection has committed (SQLite answers
"database is locked" at once, whatever the busy timeout), so every transaction
that may write begins with ``BEGIN IMMEDIATE`` and waits its turn: those of
state-changing requests (POST and the like), and ``write_transaction`` wherever
else something is written (a GET that records a visit, commands, the outbox).
Everything else reads in a deferred transaction and blocks no writer.
PostgreSQL: the booking locks the seminar's row with ``SELECT ... FOR UPDATE``.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.extensions import db

IMMEDIATE = "sqlite_begin_immediate"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Autocommit at the driver level: the "begin" hook below starts transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(IMMEDIATE, False) or _may_write()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _may_write() -> bool:
    """A state-changing request may write in any of its transactions."""
    return has_request_context() and request.method not in READ_ONLY_METHODS


@contextmanager
def write_transaction():
    """One transaction that holds the write lock from its first statement.

    Commits on success, rolls back on any exception. Must be entered with no
    pending changes in the session: work done before it is not part of it.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_transaction() entered with unsaved changes")
    session.rollback()  # end any read transaction, so the next one starts locked
    session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def serialize(name: str) -> None:
    """Inside a write transaction: let one transaction at a time pass for ``name`` (a
    uniqueness check that no constraint backs). SQLite's write lock already does it;
    PostgreSQL takes a transaction-scoped advisory lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))


def locked(model, row_id: int):
    """The row read afresh and locked until the transaction ends (``FOR UPDATE`` on
    PostgreSQL; SQLite's write lock covers it); None when there is no such row."""
    return db.session.execute(
        sa.select(model)
        .where(model.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _stamp_seminars_whose_councils_changed(session, _context, _instances) -> None:
    """A seminar's councils live in an association table: changing only them issues no
    UPDATE of the seminar row, so its ``changed_at`` (the public pages' data version)
    would stay. Stamp it here, as any other change of the seminar does."""
    from app.core.timeutil import utcnow
    from app.models import Seminar

    for instance in session.dirty:
        if (
            isinstance(instance, Seminar)
            and sa.inspect(instance).attrs.councils.history.has_changes()
        ):
            instance.changed_at = utcnow()


def track_page_versions() -> None:
    """Keep every change the public pages show in a ``changed_at`` (once per process)."""
    if not event.contains(Session, "before_flush", _stamp_seminars_whose_councils_changed):
        event.listen(Session, "before_flush", _stamp_seminars_whose_councils_changed)
