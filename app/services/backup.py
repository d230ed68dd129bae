"""A consistent copy of the database while the site serves, and its way back.

SQLite: the online backup of the sqlite3 module copies the database page by page from
one read snapshot; writers go on meanwhile (WAL) and the copy holds exactly what had
committed when it began. PostgreSQL: ``pg_dump`` in its custom format, which reads
everything in one transaction snapshot; ``pg_restore`` brings it back. A restore only
goes into an empty database: it never mixes a copy with other data.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from app.services.errors import ServiceError


class BackupRefused(ServiceError):
    """A backup or restore that cannot be done as asked; nothing was changed."""


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupRefused("Eine Datenbank im Arbeitsspeicher lässt sich nicht sichern.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """(the connection arguments for pg_dump and pg_restore, their environment): the
    password goes into the environment, never onto a command line others can read."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--dbname", url.database or ""]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return args, env


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to ``target`` (not overwritten)."""
    url = make_url(database_url)
    target = Path(target)
    if target.exists():
        raise BackupRefused(f"{target} gibt es schon; bitte einen neuen Dateinamen angeben.")
    partial = target.with_name(target.name + ".partial")
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(url), partial)
    elif url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), *args], env)
    else:
        raise BackupRefused(f"Datenbanken der Art {url.get_backend_name()} sichert dies nicht.")
    partial.rename(target)
    return target


def restore(database_url: str, source: Path) -> None:
    """Bring the copy ``source`` back into the database, which must be empty."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupRefused(f"{source} gibt es nicht.")
    if _tables(database_url):
        raise BackupRefused(
            "Die Zieldatenbank ist nicht leer. Eine Sicherung wird nur in eine leere "
            "Datenbank zurückgespielt."
        )
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        _run(["pg_restore", "--no-owner", "--exit-on-error", *args, str(source)], env)
    else:
        raise BackupRefused(f"Datenbanken der Art {url.get_backend_name()} sichert dies nicht.")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: the source as of one read snapshot, page by page."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def _tables(database_url: str) -> list[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # fixed programs; the arguments come from the settings and the operator's command
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupRefused(
            f"{command[0]} fehlt: bitte die PostgreSQL-Client-Werkzeuge installieren "
            "(Debian: postgresql-client)."
        ) from error
    if done.returncode != 0:
        raise BackupRefused(f"{command[0]} ist gescheitert: {done.stderr.strip()[:500]}")
