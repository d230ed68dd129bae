"""How long `flask backup` and `flask restore` take, for the demo data and for 1,000 seminars
with 20,000 registrations, on SQLite and PostgreSQL (make bench-backup).

Runs the real commands as an operator would, each in its own process, and prints a table
for the README. PostgreSQL: BENCH_POSTGRES_URL (default: the local server's `test` database;
two scratch databases are made beside it and dropped again).
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).with_name("flask")
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def flask(database_url: str, *args: str) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "FLASK_DEBUG": "1",
        "FLASK_APP": "wsgi",
        "DEMO_LOGINS_FILE": os.devnull,
    }
    started = time.perf_counter()
    subprocess.run([str(FLASK), *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def postgres_database(admin, name: str) -> str:
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return sa.engine.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def measure(kind: str, folder: Path, admin) -> list[tuple[str, str, float, float, float]]:
    rows = []
    for label, scale in (("demo data", None), ("1,000 seminars, 20,000 registrations", True)):
        tag = uuid.uuid4().hex[:8]
        if kind == "SQLite":
            source = f"sqlite:///{folder / f'source-{tag}.sqlite'}"
            target = f"sqlite:///{folder / f'target-{tag}.sqlite'}"
        else:
            source = postgres_database(admin, f"bench_source_{tag}")
            target = postgres_database(admin, f"bench_target_{tag}")
        try:
            flask(source, "db", "upgrade")
            flask(source, "seed-demo")
            if scale:
                flask(source, "seed-scale", "--seminars", "1000", "--registrations", "20000")
            copy = folder / f"copy-{tag}.dump"
            took_backup = flask(source, "backup", str(copy))
            took_restore = flask(target, "restore", str(copy))
            rows.append((kind, label, copy.stat().st_size / 1e6, took_backup, took_restore))
        finally:
            if kind == "PostgreSQL":
                with admin.connect() as connection:
                    for url in (source, target):
                        name = sa.engine.make_url(url).database
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return rows


def main() -> None:
    admin = sa.create_engine(
        POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("SQLite", "PostgreSQL"):
            rows += measure(kind, Path(folder), admin)
    admin.dispose()
    print("| database | data | copy | `flask backup` | `flask restore` |")
    print("|---|---|---:|---:|---:|")
    for kind, label, size, backup, restore in rows:
        print(f"| {kind} | {label} | {size:.1f} MB | {backup:.1f} s | {restore:.1f} s |")
    print(
        "\n(each time includes the command's start, loading the app: most of it at these "
        "sizes; `python bench/backup.py`)"
    )


if __name__ == "__main__":
    main()
