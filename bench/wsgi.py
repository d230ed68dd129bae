"""The site plus two baselines, served by the same gunicorn settings as the site:

- ``GET /__bare``: a bare Flask route (the ceiling for reading pages);
- ``POST /__locked``: a minimal locked insert on the same database (the ceiling for a
  booking): the seminar's lock (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE``
  on PostgreSQL), a count, an insert, commit, a small fragment. Its table ``bench_row`` is
  made by ``bench/run.py``, never by a migration.
"""

import sqlalchemy as sa
from flask import request

from app import create_app
from app.database import write_transaction
from app.extensions import csrf
from app.models import Seminar

app = create_app()

BENCH_ROW = sa.table(
    "bench_row", sa.column("seminar_id"), sa.column("email"), sa.column("created_at")
)


@app.get("/__bare")
def bare():
    return "ok"


@app.post("/__locked")
@csrf.exempt
def locked_insert():
    seminar_id = int(request.form["seminar"])
    email = request.form["email"]
    with write_transaction() as session:
        # SQLite: write_transaction began with BEGIN IMMEDIATE; PostgreSQL: the row lock
        session.execute(sa.select(Seminar.id).where(Seminar.id == seminar_id).with_for_update())
        taken = session.scalar(
            sa.select(sa.func.count())
            .select_from(BENCH_ROW)
            .where(BENCH_ROW.c.seminar_id == seminar_id, BENCH_ROW.c.email == email)
        )
        session.execute(
            BENCH_ROW.insert().values(seminar_id=seminar_id, email=email, created_at=sa.func.now())
        )
    return f'<p class="notice">Angemeldet ({taken}).</p>'
