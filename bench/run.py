"""Benchmarks: the site on a real gunicorn on SQLite and on PostgreSQL, load from wrk (a
separate process), figures as ratios to references outside the site, served in the same run
on the same gunicorn layout: a bare Flask "hello" app (bench/bare_app.py) for the pages, a
minimal Flask app doing a locked count-and-insert on the same database (bench/locked_app.py)
for the booking. The mail worker (``flask worker``) runs beside every booking figure but
one: the booking with default settings, where each web worker delivers its mail itself.

    make bench                  # both databases, demo and large data: writes bench/RESULTS.md
    BENCH_QUICK=1 make bench    # a few minutes: demo data, shorter runs, a smaller burst

Nothing here runs in ``make test``; tests assert counts, never timings.
"""

import gzip
import os
import platform
import re
import secrets
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# four servers start at once on a machine others share: give them time
os.environ.setdefault("LIVE_SERVER_START_TIMEOUT", "120")
from app.config import with_driver  # noqa: E402
from tests.server import LiveServer  # noqa: E402

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DURATION = os.environ.get("BENCH_DURATION", "3s" if QUICK else "4s")
# Each figure is measured this often, in turns with its baseline, and the median is kept:
# on a shared machine the rate moves by a third from one second to the next, and a figure
# measured once next to a baseline measured once, a minute apart, says more of the
# neighbours than of the code.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3" if QUICK else "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
BURST = int(os.environ.get("BENCH_BURST", "300" if QUICK else "1000"))
BURST_P99_MS = 3000
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
P99_MS, RSS_MIB = 50, 80  # the home page p99 and worker memory
WARM_UP = "3s"  # long enough for all four workers to render a large page once under load
# data sets: seminars and registrations added to the demo data with `flask seed-scale`
SIZES = {"demo": (100, 2000), "large": (1000, 20000)}
CHOSEN = [
    n
    for n in os.environ.get("BENCH_SIZES", "demo" if QUICK else "demo,large").split(",")
    if n in SIZES
]
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")
# what the issue asks for: (figure, baseline, least ratio)
TARGETS = [
    ("home", "bare", 0.8),
    ("seminar", "bare", 0.8),
    ("poll_304", "bare", 0.9),
    ("post", "locked", 0.5),
    # with default settings a booking is at most 1.5 times slower than with the worker
    ("post_default", "post", 1 / 1.5),
]
NAMES = {
    "bare": "bare Flask app",
    "locked": "minimal locked insert (POST, own app)",
    "home": "home page",
    "seminar": "seminar page (with its form)",
    "poll_304": "unchanged poll (304)",
    "post": "registration POST (mail worker beside it)",
    "post_default": "registration POST, default settings (no worker)",
    "home_rush": "home page while people book (one booking a second)",
}
RUSH_SECONDS = 1.0
# the worker runs at the niceness deploy/seminare-worker.service gives it (Nice=)
WORKER_NICE = int(
    re.search(
        r"^Nice=(-?\d+)$", (ROOT / "deploy" / "seminare-worker.service").read_text(), re.M
    ).group(1)
)
# what else ran on the machine (BENCH_LOAD_NOTE), and its load average at the start
LOAD_NOTE = os.environ.get("BENCH_LOAD_NOTE", "")
LOAD_AT_START = os.getloadavg()  # between the bookings made while "home_rush" is measured


def sh(*args, env=None, **kwargs) -> str:
    return subprocess.run(
        args, check=True, capture_output=True, text=True, env=env, cwd=ROOT, **kwargs
    ).stdout


def bench_table(url: str) -> None:
    """The minimal locked insert's own table (bench/wsgi.py), never part of the schema."""
    engine = sa.create_engine(with_driver(url))
    table = sa.Table(
        "bench_row",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seminar_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Index("ix_bench_row_seminar_email", "seminar_id", "email"),
    )
    table.create(engine, checkfirst=True)
    engine.dispose()


def prepare_database(url: str, seminars: int, registrations: int) -> None:
    if url.startswith("postgresql"):
        admin = sa.create_engine(
            with_driver(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT"
        )
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi",
        "FLASK_DEBUG": "1",
        "MAIL_FOLDER": tempfile.mkdtemp(prefix="bench-mail-"),
    }
    sh(str(BIN / "flask"), "db", "upgrade", env=env)
    sh(str(BIN / "flask"), "seed-demo", env=env)
    sh(
        str(BIN / "flask"),
        "seed-scale",
        "--seminars",
        str(seminars),
        "--registrations",
        str(registrations),
        env=env,
    )
    bench_table(url)
    settle(url)


def settle(url: str) -> None:
    """After the bulk load, what a site in use has long done in the background: PostgreSQL's
    autovacuum has gathered its statistics, SQLite has moved its write-ahead log into the
    database. Otherwise that work lands in the middle of the figures."""
    if url.startswith("postgresql"):
        engine = sa.create_engine(with_driver(url), isolation_level="AUTOCOMMIT")
        statement = "VACUUM (ANALYZE)"
    else:
        engine = sa.create_engine(with_driver(url))
        statement = "PRAGMA wal_checkpoint(TRUNCATE)"
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def wrk(url: str, *extra: str, env=None, warm: bool = True) -> dict:
    """One figure. ``warm``: a short run first (WARM_UP), unmeasured, so that every worker
    has rendered the page once (what a site in use has long done; what a first render
    after a change costs is measured apart, ``first_render``); never for the scripted
    POSTs, whose addresses would repeat."""
    if warm:
        subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WARM_UP}", *extra, url],
            check=True,
            capture_output=True,
            env=env,
        )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *extra, url],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": percentiles.get("50"),
        "p99": percentiles.get("99"),
        "non2xx3xx": int(bad.group(1)) if bad else 0,
    }


def median_of(runs: list[dict]) -> dict:
    """The median of several runs of one figure: its rate and each latency apart."""

    def middle(values):
        return statistics.median_low(values)

    p50 = middle([_ms(r["p50"]) or 0 for r in runs])
    p99 = middle([_ms(r["p99"]) or 0 for r in runs])
    return {
        "rps": statistics.median([r["rps"] for r in runs]),
        "p50": f"{p50:.2f}ms",
        "p99": f"{p99:.2f}ms",
        "non2xx3xx": sum(r["non2xx3xx"] for r in runs),
        "runs": [round(r["rps"]) for r in runs],
    }


def in_turns(figures: dict[str, tuple]) -> dict[str, dict]:
    """Each figure (name: wrk arguments and options) measured ROUNDS times, the figures
    taking turns within every round; the first round warms the pages up."""
    runs: dict[str, list[dict]] = {name: [] for name in figures}
    for round_number in range(ROUNDS):
        for name, (args, options) in figures.items():
            warm = options.get("warm", True) and round_number == 0
            runs[name].append(wrk(*args, **{**options, "warm": warm}))
    return {name: median_of(measured) for name, measured in runs.items()}


def session_for(base: str, seminar_id: int) -> tuple[str, str]:
    """A CSRF token and the session cookie it belongs to."""
    response = requests.get(f"{base}/seminare/{seminar_id}", timeout=10)
    if "csrf_token" not in response.text:
        raise RuntimeError(
            f"no form on seminar {seminar_id}: {response.status_code} {response.text[:3000]}"
        )
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text).group(1)
    return token, f"session={response.cookies['session']}"


def burst(base: str, seminar_id: int, count: int) -> dict:
    """``count`` registrations for one seminar sent at once: every connection is opened
    first, then every request is written, and the answers are read as they come, in one
    thread (a thread per request would take the cores the server needs). Each latency runs
    from writing its request to the end of its answer."""
    token, cookie = session_for(base, seminar_id)
    host, port = base.removeprefix("http://").split(":")
    connections = [socket.create_connection((host, int(port)), timeout=120) for _ in range(count)]
    started: dict[socket.socket, float] = {}
    answers: dict[socket.socket, bytearray] = {}
    results: list[tuple[int, float]] = []
    with selectors.DefaultSelector() as selector:
        for n, conn in enumerate(connections):
            body = (
                f"csrf_token={token}&last_name=Burst&first_name=Nr{n}&town=Essen&privacy=y"
                f"&website=&email=burst-{n}%40example.org"
            ).encode()
            head = (
                f"POST /seminare/{seminar_id}/anmelden HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Cookie: {cookie}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            started[conn] = time.perf_counter()
            conn.sendall(head + body)
            conn.setblocking(False)
            answers[conn] = bytearray()
            selector.register(conn, selectors.EVENT_READ)
        deadline = time.perf_counter() + 300
        while answers and time.perf_counter() < deadline:
            for key, _ in selector.select(timeout=5):
                conn = key.fileobj
                try:
                    chunk = conn.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                    answers[conn].clear()
                if chunk:
                    answers[conn] += chunk
                    continue
                elapsed = time.perf_counter() - started[conn]
                status = re.match(rb"HTTP/1\.[01] (\d{3})", bytes(answers.pop(conn)[:16]))
                results.append((int(status.group(1)) if status else 599, elapsed))
                selector.unregister(conn)
                conn.close()
    for conn in answers:  # never answered within the deadline
        results.append((599, 0.0))
        conn.close()
    latencies = sorted(elapsed for status, elapsed in results if status < 500)
    return {
        "sent": count,
        "5xx": sum(1 for status, _ in results if status >= 500),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
    }


def seat_counts(url: str, seminar_id: int) -> dict[str, int]:
    engine = sa.create_engine(with_driver(url))
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                sa.text(
                    "SELECT state, count(*) FROM registration WHERE seminar_id = :id GROUP BY state"
                ),
                {"id": seminar_id},
            ).all()
        )
    engine.dispose()
    return {
        "confirmed": rows.get("confirmed", 0),
        "held": rows.get("held", 0),
        "waitlisted": rows.get("waitlisted", 0),
    }


def new_seminar(url: str) -> int:
    engine = sa.create_engine(with_driver(url))
    with engine.begin() as conn:
        template = (
            conn.execute(
                sa.text(
                    "SELECT * FROM seminar WHERE state = 'published' AND capacity = 20 "
                    "AND registration_deadline > CURRENT_DATE ORDER BY id DESC LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
        values = {k: v for k, v in template.items() if k != "id"}
        values["changed_at"] = datetime.now(UTC).replace(tzinfo=None)  # as the ORM stamps it
        # a new seminar starts empty: the template's kept counts are not its own
        for kept in ("confirmed_count", "waitlisted_count", "cancelled_count", "held_count"):
            if kept in values:
                values[kept] = 0
        columns = ", ".join(values)
        params = ", ".join(f":{k}" for k in values)
        new_id = conn.execute(
            # the column names come from the table itself, the values are bound
            sa.text(f"INSERT INTO seminar ({columns}) VALUES ({params}) RETURNING id"),  # noqa: S608
            values,
        ).scalar()
    engine.dispose()
    return new_id


def seminar_with_form(base: str, home: str) -> int:
    """The first seminar on the home page that takes registrations: its page carries the
    form (and so a CSRF token and a session cookie for each new visitor)."""
    for found in re.finditer(r'href="/seminare/(\d+)"', home):
        page = requests.get(f"{base}/seminare/{found.group(1)}", timeout=30).text
        if 'id="registration-form"' in page:
            return int(found.group(1))
    raise RuntimeError("no seminar on the home page takes registrations")


def register(base: str, seminar_id: int, session: tuple[str, str], name: str, prefix: str):
    """One registration through the public form (``session``: from ``session_for``), at an
    address of its own that begins with ``prefix``."""
    token, cookie = session
    requests.post(
        f"{base}/seminare/{seminar_id}/anmelden",
        data={
            "csrf_token": token,
            "last_name": "Bench",
            "first_name": name,
            "town": "Essen",
            "privacy": "y",
            "website": "",
            "email": f"{prefix}-{secrets.token_hex(4)}@example.org",
        },
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=30,
    ).raise_for_status()


def first_render(base: str, seminar_id: int, rounds: int = 5) -> float:
    """Milliseconds of the home page's first answer after a change of its data (a booking
    moves the version, so the worker renders anew): the median of ``rounds``."""
    session = session_for(base, seminar_id)
    took = []
    for n in range(rounds):
        register(base, seminar_id, session, f"Nr{n}", "first-render")
        start = time.perf_counter()
        requests.get(base + "/", timeout=30).raise_for_status()
        took.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(took), 1)


@contextmanager
def bookings_every(base: str, seminar_id: int, seconds: float):
    """A registration for ``seminar_id`` every ``seconds`` while the block runs, as in a
    rush: every booking moves the data version that the public pages are kept by."""
    session = session_for(base, seminar_id)
    stop = threading.Event()

    def book() -> None:
        while not stop.wait(seconds):
            register(base, seminar_id, session, "Rush", "rush")

    booker = threading.Thread(target=book, daemon=True)
    booker.start()
    try:
        yield
    finally:
        stop.set()
        booker.join()


def _as_sent(url: str) -> tuple[bytes, bytes]:
    """The body as it travels (gzip when the server compresses) and as it reads."""
    response = requests.get(url, timeout=10, stream=True, headers={"Accept-Encoding": "gzip"})
    wire = response.raw.read(decode_content=False)
    plain = gzip.decompress(wire) if response.headers.get("Content-Encoding") == "gzip" else wire
    return wire, plain


def first_view(base: str) -> dict:
    wire, page = _as_sent(base + "/")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.decode())
    sizes = {"html": len(wire)}
    for asset in assets:
        sizes[asset] = len(_as_sent(base + asset)[0])
    return {"requests": 1 + len(assets), "gzip_bytes": sum(sizes.values()), "parts": sizes}


def worker_rss(master_pid: int) -> list[int]:
    """Resident memory (KiB) of each gunicorn worker, read from /proc."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes.append(int(found.group(1)))
    return sorted(sizes)


def server(url: str, app_module: str, **env) -> LiveServer:
    """One gunicorn, the site's layout (WORKERS gthread workers x THREADS threads)."""
    return LiveServer(
        url,
        workers=WORKERS,
        threads=THREADS,
        app_module=app_module,
        access_log=False,
        extra_env=env,
    )


@contextmanager
def mail_worker(site: LiveServer):
    """``flask worker`` beside the site, as in production: it delivers the outbox and runs
    the periodic jobs, at the niceness its systemd unit gives it (``WORKER_NICE``).
    Stopped (TERM) at the end of the block."""
    env = {**site.environment(), "FLASK_APP": "wsgi"}
    process = subprocess.Popen(
        ["nice", "-n", str(WORKER_NICE), str(BIN / "flask"), "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


def run_database(label: str, url: str, size: str) -> dict:
    seminars, registrations = SIZES[size]
    print(f"== {label}, {size}: preparing {url}", flush=True)
    prepare_database(url, seminars, registrations)
    # the site as run with a worker beside it (MAIL_SENDER_PROCESS=1: the web workers
    # queue mail only), the site with default settings (each web worker delivers its
    # mail after the response), and the two references outside the site
    limits = {  # on, in Redis as in production, too high to refuse a benchmark's POSTs
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        "REGISTRATION_RATE_LIMIT": "1000000 per minute",
        "REGISTRATION_PER_SEMINAR_LIMIT": "1000000 per minute",
    }
    site = server(url, "wsgi:app", MAIL_SENDER_PROCESS="1", **limits)
    site_default = server(url, "wsgi:app", **limits)
    bare = server(url, "bench.bare_app:app")
    locked = server(url, "bench.locked_app:app")
    with site, site_default, bare, locked:
        base = site.url
        home = requests.get(base + "/", timeout=30).text
        seminar_id = seminar_with_form(base, home)
        poll = (
            re.search(r'hx-get="(/live/plaetze\?ids=[^"]+)"', home).group(1).replace("&amp;", "&")
        )
        post_seminar, default_seminar, rush_seminar = (new_seminar(url) for _ in range(3))
        # PAGE_SETTLE_SECONDS after a change the version drops its fingerprint of the
        # latest changes (one more new rendering): the data is as it is minutes later
        time.sleep(3)
        etag = requests.get(base + poll, timeout=10).headers["ETag"]
        unchanged = requests.get(base + poll, headers={"If-None-Match": etag}, timeout=10)
        assert unchanged.status_code == 304, unchanged.status_code
        print(f"== {label}, {size}: pages", flush=True)
        results = in_turns(
            {
                "bare": ((bare.url + "/",), {}),
                "home": ((base + "/",), {}),
                "seminar": ((f"{base}/seminare/{seminar_id}",), {}),
                "poll_304": ((base + poll, "-H", f"If-None-Match: {etag}"), {}),
            }
        )
        print(f"== {label}, {size}: bookings", flush=True)
        results.update(bookings(url, site, site_default, locked, post_seminar, default_seminar))
        with mail_worker(site):
            print(f"== {label}, {size}: the home page in a rush", flush=True)
            with bookings_every(base, rush_seminar, RUSH_SECONDS):
                rush = [wrk(base + "/", warm=n == 0) for n in range(ROUNDS)]
            results["home_rush"] = median_of(rush)
            results["rss_kib"] = worker_rss(site.process.pid)
            results["first_render"] = first_render(base, post_seminar)
            if BURST:
                print(f"== {label}, {size}: a burst of {BURST}", flush=True)
                burst_seminar = new_seminar(url)
                results["burst"] = burst(base, burst_seminar, BURST)
                results["burst"].update(seat_counts(url, burst_seminar))
            results["outbox"] = wait_for_outbox(url)
        results["first_view"] = first_view(base)
    return results


def post_env(token: str, cookie: str, seminar_id: int, run: str) -> dict:
    """What post.lua reads: the form's token and cookie, the run's mark, the form's path."""
    return {
        **os.environ,
        "BENCH_TOKEN": token,
        "BENCH_COOKIE": cookie,
        "BENCH_RUN": run,
        "BENCH_PATH": f"/seminare/{seminar_id}/anmelden",
    }


def bookings(url, site, site_default, locked, post_seminar, default_seminar) -> dict:
    """The booking figures in turns: the minimal locked insert and the registration POST
    with the mail worker running beside them, then the registration POST of the site with
    default settings with the worker stopped (its web workers deliver their own mail)."""
    token, cookie = session_for(site.url, post_seminar)
    default_token, default_cookie = session_for(site_default.url, default_seminar)
    lua = {name: str(ROOT / "bench" / f"{name}.lua") for name in ("locked", "post")}
    runs: dict[str, list[dict]] = {"locked": [], "post": [], "post_default": []}
    for _ in range(ROUNDS):
        run = secrets.token_hex(4)  # every run writes new addresses
        with mail_worker(site):
            time.sleep(1)  # started and looking at the outbox
            env = {**os.environ, "BENCH_SEMINAR": str(post_seminar), "BENCH_RUN": run}
            runs["locked"].append(wrk(locked.url + "/", "-s", lua["locked"], env=env, warm=False))
            env = post_env(token, cookie, post_seminar, run)
            runs["post"].append(wrk(site.url + "/", "-s", lua["post"], env=env, warm=False))
        env = post_env(default_token, default_cookie, default_seminar, run)
        runs["post_default"].append(
            wrk(site_default.url + "/", "-s", lua["post"], env=env, warm=False)
        )
    return {name: median_of(measured) for name, measured in runs.items()}


def unsent(url: str) -> int:
    engine = sa.create_engine(with_driver(url))
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM outbox_mail WHERE sent_at IS NULL AND failed_at IS NULL")
        ).scalar()
    engine.dispose()
    return count


def wait_for_outbox(url: str, limit: float = 60) -> dict:
    """After the figures, the worker still running: how long until it has delivered what
    they queued (each mail composed: link, text, calendar file, then written)."""
    waiting = unsent(url)
    start = time.perf_counter()
    while unsent(url) and time.perf_counter() - start < limit:
        time.sleep(0.25)
    return {"mails": waiting, "seconds": round(time.perf_counter() - start, 1), "left": unsent(url)}


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, {wrk_version.strip()}"
    )


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}"


def _ms(text: str | None) -> float | None:
    """wrk's latency (``812.00us``, ``8.77ms``, ``1.06s``) in milliseconds."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text or "")
    if not found:
        return None
    value, unit = float(found.group(1)), found.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _spread(results: dict, key: str, base: str) -> tuple[float, float]:
    """The lowest and highest ratio of the runs, each run to its baseline's run in the
    same round."""
    ratios = [a / b for a, b in zip(results[key]["runs"], results[base]["runs"], strict=True) if b]
    return min(ratios), max(ratios)


def _baseline(key: str) -> str:
    return {name: base for name, base, _ in TARGETS}.get(key, "bare")


def _figure_table(results: dict) -> list[str]:
    lines = [
        "| what | requests/s | ratio to its baseline (runs: lowest-highest) | p50 | p99 "
        "| non-2xx/3xx | runs (requests/s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, name in NAMES.items():
        r = results[key]
        base = _baseline(key)
        if key in (base, "home_rush"):
            cell = "1.00" if key == base else ratio(r["rps"], results[base]["rps"])
        else:
            low, high = _spread(results, key, base)
            cell = f"{ratio(r['rps'], results[base]['rps'])} ({low:.2f}-{high:.2f})"
        lines.append(
            f"| {name} | {r['rps']:.0f} | {cell} | {r['p50']} | "
            f"{r['p99']} | {r['non2xx3xx']} | {', '.join(map(str, r['runs']))} |"
        )
    rss = results["rss_kib"]
    lines += [
        "",
        f"Worker RSS after the load: {', '.join(f'{k / 1024:.0f}' for k in rss)} MiB "
        f"({WORKERS} workers; max {max(rss) / 1024:.0f} MiB)."
        if rss
        else "Worker RSS: not found.",
    ]
    return lines


def _summary(by_size: dict) -> list[str]:
    sizes = list(by_size)
    lines = [
        "| figure | target | " + " | ".join(f"{s} (runs)" for s in sizes) + " |",
        "|---|---:|" + "---:|" * len(sizes),
    ]
    for key, base, least in TARGETS:
        cells = []
        for s in sizes:
            value = by_size[s][key]["rps"] / by_size[s][base]["rps"]
            low, high = _spread(by_size[s], key, base)
            missed = "" if value >= least else " (missed)"
            cells.append(f"{value:.2f}{missed} ({low:.2f}-{high:.2f})")
        lines.append(
            f"| {NAMES[key]} / {NAMES[base]} | ≥ {least:.2f} | " + " | ".join(cells) + " |"
        )
    p99 = [by_size[s]["home"]["p99"] for s in sizes]
    cells = [f"{v}{'' if (_ms(v) or 0) < P99_MS else ' (missed)'}" for v in p99]
    lines.append(
        f"| home page p99 at {CONNECTIONS} connections | < {P99_MS} ms | "
        + " | ".join(cells)
        + " |"
    )
    rss = [max(by_size[s]["rss_kib"] or [0]) / 1024 for s in sizes]
    cells = [f"{v:.0f}{'' if v <= RSS_MIB else ' (missed)'}" for v in rss]
    lines.append(
        f"| worker RSS after the load (max, MiB) | ≤ {RSS_MIB} | " + " | ".join(cells) + " |"
    )
    cells = []
    for s in sizes:
        b = by_size[s].get("burst")
        if not b:
            cells.append("")
            continue
        missed = "" if b["p99_ms"] < BURST_P99_MS and not b["5xx"] else " (missed)"
        cells.append(f"p99 {b['p99_ms']:.0f} ms, {b['5xx']} 5xx{missed}")
    lines.append(
        f"| {BURST} simultaneous registrations for one seminar | p99 < {BURST_P99_MS} ms, "
        "0 5xx | " + " | ".join(cells) + " |"
    )
    rush = [by_size[s]["home_rush"]["rps"] / by_size[s]["bare"]["rps"] for s in sizes]
    lines.append(
        f"| {NAMES['home_rush']} / {NAMES['bare']} | | "
        + " | ".join(f"{v:.2f}" for v in rush)
        + " |"
    )
    first = [by_size[s].get("first_render") for s in sizes]
    lines.append(
        "| home page's first answer after a booking (ms, median of 5) | | "
        + " | ".join(str(v) for v in first)
        + " |"
    )
    return lines


def report(all_results: dict) -> str:
    sizes = ", ".join(
        f"{name}: demo data plus {SIZES[name][0]:,} seminars and {SIZES[name][1]:,} "
        "registrations booked through the booking service"
        for name in CHOSEN
    )
    settings = [f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_")]
    command = "".join(f"{item} " for item in settings)
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Load on the machine beside the benchmark: {LOAD_NOTE or 'not stated'}; load "
        f"average (1, 5, 15 min) at the start {', '.join(f'{v:.1f}' for v in LOAD_AT_START)}, "
        f"at the end {', '.join(f'{v:.1f}' for v in os.getloadavg())}",
        f"- Command: `{command}make bench` "
        "(= `.venv/bin/python bench/run.py`; BENCH_QUICK=1 for a short run; BENCH_DURATION, "
        "BENCH_ROUNDS, BENCH_SIZES, BENCH_BURST, BENCH_CONNECTIONS, BENCH_WORKERS, "
        "BENCH_THREADS and BENCH_DATABASES change it)",
        f"- Servers, each gunicorn with {WORKERS} gthread workers x {THREADS} threads, all "
        "running through the whole run: the site (`wsgi:app`, default settings but for "
        "`MAIL_SENDER_PROCESS=1` and the rate limits, counted in Redis as in production but "
        "set too high to refuse a benchmark's POSTs: gzip on, page cache on); the same "
        "site with default mail delivery (no `MAIL_SENDER_PROCESS`: each web worker delivers "
        'its mails after the response); a bare Flask "hello" app (`bench/bare_app.py`); a '
        "minimal Flask app doing a locked count-and-insert on the same database "
        "(`bench/locked_app.py`). `flask worker` (mail and periodic jobs) runs during the "
        f"locked insert, the registration POST, the rush and the burst, at nice {WORKER_NICE} "
        "as deploy/seminare-worker.service runs it, and is stopped for the default-settings "
        "POST. wrk sends no Accept-Encoding, so every figure is "
        "uncompressed, like the bare app's",
        f"- Data: {sizes}",
        f"- Load: wrk, 2 threads, {CONNECTIONS} connections, {DURATION} per run, {ROUNDS} runs "
        "per figure taken in turns with its baseline (rounds: bare, home, seminar, poll; "
        "then locked, POST, default POST). Shown: the median of the runs (rate, p50 and p99 "
        "each), and in brackets the lowest and highest ratio of a run to its baseline's run "
        f"of the same round. Page figures: the first round after {WARM_UP} of the same load, "
        "unmeasured; data unchanged during the run. The home page once more while a "
        f"registration is booked every {RUSH_SECONDS:g} s (a rush); the home page's first "
        "answer after a booking timed apart (one request at a time)",
        "",
    ]
    for label, by_size in all_results.items():
        lines += [f"## {label}", "", *_summary(by_size), ""]
        for size, results in by_size.items():
            lines += [f"### {label}, {size} data", "", *_figure_table(results), ""]
            b = results.get("burst")
            if b:
                lines += [
                    f"Burst: {b['sent']} simultaneous registrations for one 20-seat seminar: "
                    f"{b['5xx']} 5xx, {b['held']} places held (public registrations hold a "
                    f"place until the address is proven), {b['confirmed']} confirmed, "
                    f"{b['waitlisted']} waitlisted, "
                    f"latency p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms.",
                    "",
                ]
            outbox = results.get("outbox")
            if outbox:
                lines += [
                    f"Mail worker after the figures: {outbox['mails']:,} mails still queued; "
                    f"after {outbox['seconds']} s (at most 60 s waited) {outbox['left']} left.",
                    "",
                ]
            view = results["first_view"]
            parts = ", ".join(f"{k}: {v:,}" for k, v in view["parts"].items())
            lines += [
                f"Home page, first view: {view['requests']} requests, "
                f"{view['gzip_bytes']:,} bytes as sent with `Accept-Encoding: gzip` ({parts}).",
                "",
            ]
    return "\n".join(lines)


FINDINGS = "## Findings"


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    urls = {
        "SQLite": lambda size: f"sqlite:///{work / f'bench-{size}.sqlite'}",
        "PostgreSQL": lambda size: PG_URL,
    }
    results = {
        label: {size: run_database(label, url(size), size) for size in CHOSEN}
        for label, url in urls.items()
        if label.lower() in DATABASES
    }
    text = report(results)
    if len(results) == len(urls) and not QUICK:
        target = ROOT / "bench" / "RESULTS.md"
        # the written findings (profiles, what was tried) stay below the new figures
        kept = target.read_text().partition(FINDINGS)[2] if target.exists() else ""
        target.write_text(text + "\n" + (f"\n{FINDINGS}{kept}" if kept else ""))
    print(text)  # a run on one database only is printed, never written to RESULTS.md


if __name__ == "__main__":
    main()
