"""Fixtures in the flaskr style: ``app``, ``client``, ``runner``, plus data factories.

The suite runs on a real SQLite file by default. With ``TEST_DATABASE_URL``
set (``.ci/run`` sets it) the same suite runs on that PostgreSQL database, and
an unreachable server fails the run instead of skipping it. ``make test`` runs the
suite in parallel (pytest-xdist): every worker has its own SQLite file or PostgreSQL
database.
"""

import os
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade

from app import create_app
from app.config import with_driver
from app.extensions import db

TEST_DATABASE_URL = with_driver(os.environ.get("TEST_DATABASE_URL", "").strip())


@contextmanager
def _postgres(url: str, **engine_options):
    """A connection to the PostgreSQL database ``url`` in one transaction (or none, with
    ``isolation_level="AUTOCOMMIT"``); a server that cannot be reached ends the run."""
    engine = sa.create_engine(url, **engine_options)
    try:
        with engine.begin() as conn:
            yield conn
    except sa.exc.OperationalError as error:
        raise pytest.UsageError(
            f"TEST_DATABASE_URL is set but the database cannot be reached: {error}"
        ) from error
    finally:
        engine.dispose()


def _reset_postgres(url: str) -> None:
    with _postgres(url) as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


def _database_of_this_worker(url: str) -> str:
    """Run in parallel (pytest-xdist), each worker has a PostgreSQL database of its own
    beside the one named, made on first use: ``test`` becomes ``test_gw0``, ``test_gw1``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = sa.engine.make_url(url)
    name = f"{given.database}_{worker}"
    with _postgres(url, isolation_level="AUTOCOMMIT") as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if found is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        url = _database_of_this_worker(TEST_DATABASE_URL)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def make_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "EMAIL_CHECK_DELIVERABILITY": False,
    }
    config.update(overrides)
    app = create_app(config)

    @app.before_request
    def _forget_cached_user():
        # Tests hold an app context around requests, so Flask reuses it and its ``g``;
        # in production every request has a fresh one. Forget the user cached there.
        g.pop("_login_user", None)

    @app.teardown_request
    def _end_transaction(_error):
        # In production the app context ends with the request and takes the session's
        # transaction along; the shared test context must end it here, or it would hold
        # SQLite's write lock while the outbox is delivered after the response.
        db.session.rollback()

    return app


@pytest.fixture(scope="session")
def migrated_database(database_url) -> str:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # A live server's worker may still be writing a mail after its last response: a
        # deadlock with that is PostgreSQL's to detect and ours to try again.
        for attempt in range(5):
            try:
                db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                break
            except sa.exc.OperationalError:
                db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.2)
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def mail_folder(tmp_path_factory):
    """Where mails go when no SMTP server is configured: never the real instance folder."""
    return str(tmp_path_factory.mktemp("mail"))


@pytest.fixture
def app_factory(migrated_database, mail_folder):
    """Build an app on the test database with extra settings; cleaned up after the test."""
    made = []

    def factory(**overrides):
        overrides.setdefault("MAIL_FOLDER", mail_folder)
        app = make_app(migrated_database, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
    on_test_database = [a for a in made if a.config["SQLALCHEMY_DATABASE_URI"] == migrated_database]
    if on_test_database:
        with on_test_database[0].app_context():
            _empty_tables()
            db.session.remove()
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def htmx():
    """Headers htmx sends with its requests."""
    return {"HX-Request": "true"}
