"""The schema exists only through migrations, and they match the models."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_run_clean_on_an_empty_database(app_factory, tmp_path):
    fresh = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with fresh.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"programme", "vhs", "council", "seminar", "registration"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app_factory, tmp_path):
    fresh = app_factory(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'wal.sqlite'}", SQLITE_BUSY_TIMEOUT_MS=4321
    )
    with fresh.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with fresh.app_context():
        db.engine.dispose()
