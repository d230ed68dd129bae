"""Where the time goes: CPU per request of each benchmarked figure, in one process, without
a server or a load generator between (``make bench-profile``, writes bench/PROFILE.md).

`make bench` says how fast the site is next to its references; this says what each answer
costs and in which code, so a figure that misses its target can be read against it:

- CPU per request (this process; on PostgreSQL also the database server's processes, read
  from /proc) of the bare Flask app, the minimal locked insert, the home page, the seminar
  page, the unchanged poll and the registration POST, each called through WSGI directly;
- the registration POST's profile (cProfile, the functions of this project and the
  libraries it spends most in);
- the CPU of delivering one booking's mail, as ``flask worker`` does it beside the site
  (composed and written as a file here, as in the benchmark).

Run on the demo data plus 100 seminars and 2,000 registrations (as ``make bench``'s
"demo"); BENCH_PROFILE_REQUESTS sets how many requests per figure.
"""

import cProfile
import importlib.util
import io
import os
import pstats
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import (  # noqa: E402
    PG_URL,
    REDIS_URL,
    SIZES,
    machine,
    new_seminar,
    prepare_database,
)

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "2000"))
POSTS = max(REQUESTS // 5, 50)
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")


def environ(path: str, method: str = "GET", body: bytes = b"", headers=None) -> dict:
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, env: dict) -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = app(env, start_response)
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return seen["status"], seen["headers"], data


def database_cpu(url: str) -> float:
    """CPU seconds used so far by the PostgreSQL server's processes (0 for SQLite: its work
    is this process's)."""
    if not url.startswith("postgresql"):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def cpu_per_request(url: str, make_request, count: int) -> tuple[float, float]:
    """Microseconds of CPU per request: this process's, the database server's."""
    for _ in range(min(50, count)):
        make_request()
    mine, server = time.process_time(), database_cpu(url)
    for _ in range(count):
        make_request()
    return (
        (time.process_time() - mine) / count * 1e6,
        (database_cpu(url) - server) / count * 1e6,
    )


def load(module: str, path: Path):
    """A fresh copy of a bench app module (each database gets its own)."""
    spec = importlib.util.spec_from_file_location(f"{module}_{secrets.token_hex(3)}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded.app


def site_app(url: str):
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-profile-secret",
            "OPERATOR_EMAIL": "info@seminare-nrw.test",
            "MAIL_SENDER": "Seminare Integrationsräte NRW <anmeldung@seminare-nrw.test>",
            "MAIL_FOLDER": tempfile.mkdtemp(prefix="bench-profile-mail-"),
            "MAIL_SENDER_PROCESS": "1",
            "SESSION_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": "true",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": f"bench-profile-{secrets.token_hex(4)}",
            "REGISTRATION_RATE_LIMIT": "1000000 per minute",
            "REGISTRATION_PER_SEMINAR_LIMIT": "1000000 per minute",
        }
    )
    os.environ.pop("FLASK_DEBUG", None)
    from app import create_app

    return create_app()


def profile_database(label: str, url: str) -> list[str]:
    seminars, registrations = SIZES["demo"]
    print(f"== {label}: preparing {url}", flush=True)
    prepare_database(url, seminars, registrations)
    site = site_app(url)
    bare = load("bare_app", ROOT / "bench" / "bare_app.py")
    locked = load("locked_app", ROOT / "bench" / "locked_app.py")
    home = call(site, environ("/"))[2].decode()
    seminar_id = next(
        int(found)
        for found in re.findall(r'href="/seminare/(\d+)"', home)
        if b'id="registration-form"' in call(site, environ(f"/seminare/{found}"))[2]
    )
    poll = re.search(r'hx-get="(/live/plaetze\?ids=[^"]+)"', home).group(1).replace("&amp;", "&")
    time.sleep(site.config["PAGE_SETTLE_SECONDS"] + 1)  # the version as it is minutes later
    etag = call(site, environ(poll))[1]["ETag"]
    post_seminar, locked_seminar = new_seminar(url), new_seminar(url)
    _status, headers, page = call(site, environ(f"/seminare/{post_seminar}"))
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    run = secrets.token_hex(3)
    counter = iter(range(10**9))

    def booking() -> dict:
        n = next(counter)
        return {
            "csrf_token": token.decode(),
            "last_name": "Bench",
            "first_name": f"Nr{n}",
            "town": "Essen",
            "privacy": "y",
            "website": "",
            "email": f"profile-{run}-{n}@example.org",
        }

    def post():
        body = urllib.parse.urlencode(booking()).encode()
        env = environ(f"/seminare/{post_seminar}/anmelden", "POST", body, {"Cookie": cookie})
        assert call(site, env)[0].startswith("303"), "the booking was refused"

    def locked_insert():
        values = booking()
        body = urllib.parse.urlencode(
            {"seminar": locked_seminar, "email": values["email"]}
        ).encode()
        assert call(locked, environ("/", "POST", body))[0].startswith("200")

    figures = {
        "bare Flask app": (bare, lambda: call(bare, environ("/")), REQUESTS),
        "minimal locked insert (POST, own app)": (None, locked_insert, POSTS),
        "home page": (None, lambda: call(site, environ("/")), REQUESTS),
        "seminar page (with its form)": (
            None,
            lambda: call(site, environ(f"/seminare/{seminar_id}")),
            REQUESTS,
        ),
        "unchanged poll (304)": (
            None,
            lambda: call(site, environ(poll, headers={"If-None-Match": etag})),
            REQUESTS,
        ),
        "registration POST": (None, post, POSTS),
    }
    lines = [
        f"## {label}",
        "",
        "| what | CPU per request, this process (µs) | database server (µs) | requests |",
        "|---|---:|---:|---:|",
    ]
    for name, (_, make, count) in figures.items():
        print(f"== {label}: {name}", flush=True)
        mine, server = cpu_per_request(url, make, count)
        lines.append(f"| {name} | {mine:,.0f} | {server:,.0f} | {count} |")
    lines += ["", *booking_profile(post), "", *mail_cost(site, url)]
    return lines


def booking_profile(post) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(POSTS):
        post()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"(/app/|flask|wtforms|sqlalchemy|limits)", 30)
    text = re.sub(r"^.*?(?=\s+ncalls)", "", out.getvalue(), flags=re.S)
    text = text.replace(str(ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")
    text = re.sub(r"lib/python3\.\d+/site-packages/", "", text)
    return [
        f"Registration POST, {POSTS} bookings under cProfile (which slows every call: read the "
        "shares, not the times), cumulative:",
        "",
        "```",
        text.strip(),
        "```",
    ]


def mail_cost(site, url: str) -> list[str]:
    from app.extensions import db
    from app.services.outbox import deliver_pending

    with site.app_context():
        started, server = time.process_time(), database_cpu(url)
        sent = 0
        while True:
            counts = deliver_pending()
            sent += counts["sent"]
            if counts["sent"] + counts["failed"] == 0:
                break
        mine = time.process_time() - started
        server = database_cpu(url) - server
        db.session.remove()
    if not sent:
        return ["No mail was due."]
    return [
        f"Delivering the bookings' mails as the worker does ({sent} mails, written as files): "
        f"{mine / sent * 1e6:,.0f} µs CPU per mail in this process, "
        f"{server / sent * 1e6:,.0f} µs in the database server."
    ]


def main() -> None:
    command = "make bench-profile"
    settings = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("BENCH_PROFILE_REQUESTS", "BENCH_DATABASES")
        if name in os.environ
    )
    lines = [
        "# Where the time goes",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Command: `{settings + ' ' if settings else ''}{command}` (= `.venv/bin/python "
        "bench/where_time_goes.py`)",
        "- Each figure of `make bench` called through WSGI in this one process, without a "
        "server or load generator: CPU per request (process time), and on PostgreSQL the "
        "database server's CPU from /proc. Demo data plus 100 seminars and 2,000 "
        "registrations. The site as benchmarked: mail queued for the worker, rate limits "
        "counted in Redis.",
        "",
    ]
    targets = {"sqlite": None, "postgresql": PG_URL}
    for name in DATABASES:
        if name == "sqlite":
            folder = tempfile.mkdtemp(prefix="bench-profile-")
            url = f"sqlite:///{folder}/profile.sqlite"
            lines += profile_database("SQLite", url)
        elif name == "postgresql":
            lines += profile_database("PostgreSQL", targets[name])
        lines.append("")
    (ROOT / "bench" / "PROFILE.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
