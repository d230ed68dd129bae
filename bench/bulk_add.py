"""How long a bulk add of a 200-row file takes, end to end, on a real gunicorn server.

    .venv/bin/python bench/bulk_add.py                      # SQLite (a temporary file)
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/bench_bulk \\
        .venv/bin/python bench/bulk_add.py                  # and PostgreSQL (dropped first)

For each round: a fresh seminar with 20 places, half of them taken; the organiser
uploads a CSV of 200 people (the preview), then confirms it (200 bookings, each under
the seminar's lock, with its confirmation mail queued). Prints the time of the upload,
of the add and of both, per round and as the median. Nothing here runs in the tests.
"""

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flask_migrate import upgrade  # noqa: E402

from app.config import with_driver  # noqa: E402
from app.extensions import db  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.server import LiveServer  # noqa: E402

ROWS = int(os.environ.get("BENCH_BULK_ROWS", "200"))
ROUNDS = int(os.environ.get("BENCH_BULK_ROUNDS", "5"))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def prepare(url: str) -> None:
    if url.startswith("postgresql"):
        admin = sa.create_engine(
            with_driver(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT"
        )
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    app = make_app(with_driver(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def the_list(round_number: int) -> bytes:
    lines = ["Name;Vorname;Ort;E-Mail-Adresse"]
    lines += [f"Nguyễn{n};Thị Minh;Köln;bench{round_number}-{n}@example.org" for n in range(ROWS)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def seminars(app) -> list[tuple[int, str]]:
    """One seminar (20 places, 10 taken) and one VHS login per round, made before the
    server starts, so that no write of this process meets the server's."""
    made = []
    with app.app_context():
        for round_number in range(ROUNDS):
            school = factories.vhs()
            seminar = factories.seminar(vhs=school, capacity=20)
            factories.fill(seminar, 10, start=100_000 * (round_number + 1))
            made.append((seminar.id, factories.user("vhs", vhs_id=school.id).email))
        db.session.remove()
        db.engine.dispose()
    return made


def one_round(server: LiveServer, seminar_id: int, email: str, round_number: int):
    http = requests.Session()
    token = CSRF.search(http.get(f"{server.url}/manage/anmelden", timeout=30).text).group(1)
    http.post(
        f"{server.url}/manage/anmelden",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": token},
        timeout=30,
    )
    page = f"{server.url}/manage/seminare/{seminar_id}/mehrere-hinzufuegen"
    token = CSRF.search(http.get(page, timeout=30).text).group(1)

    started = time.perf_counter()
    preview = http.post(
        page,
        data={"csrf_token": token},
        files={"file": ("liste.csv", the_list(round_number), "text/csv")},
        timeout=60,
    )
    previewed = time.perf_counter()
    assert preview.status_code == 200, preview.status_code
    confirm = re.search(
        r'action="[^"]*/eintragen".*?name="token" value="([^"]+)"', preview.text, re.S
    )
    result = http.post(
        f"{page}/eintragen", data={"csrf_token": token, "token": confirm.group(1)}, timeout=120
    )
    added = time.perf_counter()
    assert result.status_code == 200, result.status_code
    assert f"{ROWS} Personen hinzugefügt" in result.text
    http.close()
    return previewed - started, added - previewed


def run(label: str, url: str) -> None:
    prepare(url)
    app = make_app(with_driver(url), MAIL_FOLDER=tempfile.mkdtemp(prefix="bench-mail-"))
    rounds = seminars(app)
    times = []
    with LiveServer(url, workers=2, threads=2, access_log=False) as server:
        for round_number, (seminar_id, email) in enumerate(rounds):
            times.append(one_round(server, seminar_id, email, round_number))
    print(f"{label}: {ROWS} rows, {ROUNDS} rounds (upload+preview / add / total, seconds)")
    for preview, add in times:
        print(f"  {preview:6.2f}  {add:6.2f}  {preview + add:6.2f}")
    median = statistics.median(p + a for p, a in times)
    print(f"  median total: {median:.2f} s (upload {statistics.median(p for p, _ in times):.2f})")


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-bulk-")
    run("SQLite", f"sqlite:///{folder}/bench.sqlite")
    postgres = os.environ.get("BENCH_POSTGRES_URL")
    if postgres:
        run("PostgreSQL", postgres)


if __name__ == "__main__":
    main()
