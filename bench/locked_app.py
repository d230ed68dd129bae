"""The ceiling for a booking: a minimal Flask app doing a locked count-and-insert on the
same database as the site, none of the site's code on its path.

``POST /`` with ``seminar`` and ``email``: one transaction that takes the seminar's lock
(SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``SELECT ... FOR UPDATE`` of the seminar's row),
counts that seminar's rows with the address, inserts one, commits, and answers with a
short fragment. Its table ``bench_row`` is made by ``bench/run.py``, never by a migration.
SQLite gets the site's connection settings (WAL, busy timeout, synchronous=NORMAL), so
the two write under the same rules. Served by ``bench/run.py`` on the site's gunicorn
layout; ``GET`` answers for the readiness check.
"""

import os

import sqlalchemy as sa
from flask import Flask, request

app = Flask(__name__)
URL = os.environ["DATABASE_URL"]
if URL.startswith("postgresql://"):
    URL = "postgresql+psycopg://" + URL.removeprefix("postgresql://")
engine = sa.create_engine(URL, pool_size=4)
SQLITE = engine.dialect.name == "sqlite"

if SQLITE:

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        for pragma in (
            "journal_mode=WAL",
            "busy_timeout=15000",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


LOCK = sa.text(
    "SELECT id FROM seminar WHERE id = :id"
    if SQLITE  # BEGIN IMMEDIATE took the lock
    else "SELECT id FROM seminar WHERE id = :id FOR UPDATE"
)
COUNT = sa.text("SELECT count(*) FROM bench_row WHERE seminar_id = :id AND email = :email")
INSERT = sa.text(
    "INSERT INTO bench_row (seminar_id, email, created_at) VALUES (:id, :email, CURRENT_TIMESTAMP)"
)


@app.get("/")
@app.get("/<path:_path>")
def ready(_path: str = ""):
    return "ready"


@app.post("/")
def locked_insert():
    values = {"id": int(request.form["seminar"]), "email": request.form["email"]}
    with engine.begin() as conn:
        conn.execute(LOCK, values)
        taken = conn.execute(COUNT, values).scalar()
        conn.execute(INSERT, values)
    return f'<p class="notice">Angemeldet ({taken}).</p>'
