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

import fcntl
from contextlib import contextmanager

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

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
        immediate = connection.get_execution_options().get(IMMEDIATE)
        if immediate is None:
            immediate = _may_write()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _may_write() -> bool:
    """A state-changing request may write in any of its transactions."""
    return has_request_context() and request.method not in READ_ONLY_METHODS


@contextmanager
def write_transaction(keep_loaded: bool = False):
    """One transaction that holds the write lock from its first statement.

    Commits on success, rolls back on any exception. Must be entered with no
    pending changes in the session: work done before it is not part of it.
    ``keep_loaded``: what it loaded stays readable after the commit, as committed,
    instead of being read again (a POST's next read would take the write lock anew).
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_transaction() entered with unsaved changes")
    session.rollback()  # end any read transaction, so the next one starts locked
    queue = _writers_queue(db.engine)
    try:
        session.connection(execution_options={IMMEDIATE: True})
        yield session
        if keep_loaded:
            session().expire_on_commit = False  # the Session itself, not its registry
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session().expire_on_commit = True
        if queue is not None:
            queue.close()  # the next writer in line goes on at once


@contextmanager
def read_transaction():
    """Reads that need no write lock, inside a state-changing request whose writes are
    done (their own ``write_transaction`` committed them): on SQLite a plain ``BEGIN``
    whatever the request's method, so that rendering its answer keeps no writer waiting.
    Ended at exit."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_transaction() entered with unsaved changes")
    if session().in_transaction():
        session.commit()  # ends what is open (a read, or the booking's own object added)
    session.connection(execution_options={IMMEDIATE: False})
    try:
        yield session
    finally:
        session.rollback()


def sqlite_file(engine: Engine) -> str | None:
    """The SQLite database's file; None for PostgreSQL and for a database in memory."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return engine.url.database


def _writers_queue(engine: Engine):
    """SQLite: wait in line for the write lock, woken the moment it is free.

    SQLite itself lets a writer that finds the database locked sleep and try again, for
    ever longer naps (up to 100 ms): under a rush most of the time passes asleep while the
    lock is free. An exclusive ``flock`` on a file beside the database queues the writers
    of every process and thread in the kernel instead; ``BEGIN IMMEDIATE`` still takes
    the lock that counts. Returns the open lock file (closing it lets the next one in),
    or None where there is nothing to queue for (PostgreSQL, a database in memory).
    """
    database_file = sqlite_file(engine)
    if database_file is None:
        return None
    try:
        queue = open(f"{database_file}.writers", "a+b")  # noqa: SIM115 (closed by caller)
    except OSError:
        return None  # no line to wait in: SQLite's own lock still decides (and reports)
    try:
        fcntl.flock(queue, fcntl.LOCK_EX)
    except BaseException:
        queue.close()
        raise
    return queue


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
