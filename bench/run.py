"""Benchmarks: a real gunicorn on SQLite and on PostgreSQL, load from wrk (a separate
process), figures as ratios to a bare Flask route on the same server.

    make bench            # writes bench/RESULTS.md

Nothing here runs in ``make test``; tests assert counts, never timings.
"""

import gzip
import http.client
import os
import platform
import re
import secrets
import shutil
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
from app.config import with_driver  # noqa: E402
from tests.server import LiveServer  # noqa: E402

BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench")
DURATION = os.environ.get("BENCH_DURATION", "5s")
# Each figure is measured this often, in turns with its baseline, and the median is kept:
# on a shared machine the rate moves by a third from one second to the next, and a figure
# measured once next to a baseline measured once, a minute apart, says more of the
# neighbours than of the code.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
BURST = int(os.environ.get("BENCH_BURST", "1000"))
P99_MS, RSS_MIB = 50, 80  # the home page p99 and worker memory
WARM_UP = "3s"  # long enough for all four workers to render a large page once under load
# data sets: seminars and registrations added to the demo data with `flask seed-scale`
SIZES = {"demo": (100, 2000), "large": (1000, 20000)}
CHOSEN = [n for n in os.environ.get("BENCH_SIZES", "demo,large").split(",") if n in SIZES]
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")
# what the issue asks for: (figure, baseline, least ratio)
TARGETS = [
    ("home", "bare", 0.5),
    ("seminar", "bare", 0.4),
    ("poll_304", "bare", 0.7),
    ("post", "locked", 0.5),
]
NAMES = {
    "bare": "bare Flask route",
    "locked": "minimal locked insert (POST)",
    "home": "home page",
    "seminar": "seminar page",
    "poll_304": "unchanged poll (304)",
    "post": "registration POST",
    "home_rush": "home page while people book (one booking a second)",
}
RUSH_SECONDS = 1.0  # between the bookings made while "home_rush" is measured


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
    token, cookie = session_for(base, seminar_id)
    host, port = base.removeprefix("http://").split(":")
    barrier = threading.Barrier(count)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        body = (
            f"csrf_token={token}&last_name=Burst&first_name=Nr{n}&town=Essen&privacy=y"
            f"&website=&email=burst-{n}%40example.org"
        )
        try:
            conn.connect()
            barrier.wait(timeout=120)
            start = time.perf_counter()
            conn.request(
                "POST",
                f"/seminare/{seminar_id}/anmelden",
                body,
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            status = conn.getresponse().status
            elapsed = time.perf_counter() - start
        except OSError:
            status, elapsed = 599, 0.0
        finally:
            conn.close()
        with lock:
            results.append((status, elapsed))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
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


def run_database(label: str, url: str, size: str) -> dict:
    seminars, registrations = SIZES[size]
    print(f"== {label}, {size}: preparing {url}", flush=True)
    prepare_database(url, seminars, registrations)
    server = LiveServer(
        url,
        workers=4,
        threads=2,
        app_module="bench.wsgi:app",
        access_log=False,
        # the web workers queue mail only; the sender apart writes it (drain_outbox)
        extra_env={"MAIL_SENDER_PROCESS": "1"},
    )
    with server:
        base = server.url
        home = requests.get(base + "/", timeout=30).text
        seminar_id = int(re.search(r'href="/seminare/(\d+)"', home).group(1))
        poll = (
            re.search(r'hx-get="(/live/plaetze\?ids=[^"]+)"', home).group(1).replace("&amp;", "&")
        )
        post_seminar, rush_seminar = new_seminar(url), new_seminar(url)
        # PAGE_SETTLE_SECONDS after a change the version drops its fingerprint of the
        # latest changes (one more new rendering): the data is as it is minutes later
        time.sleep(3)
        etag = requests.get(base + poll, timeout=10).headers["ETag"]
        unchanged = requests.get(base + poll, headers={"If-None-Match": etag}, timeout=10)
        assert unchanged.status_code == 304, unchanged.status_code
        results = in_turns(
            {
                "bare": ((base + "/__bare",), {}),
                "home": ((base + "/",), {}),
                "seminar": ((f"{base}/seminare/{seminar_id}",), {}),
                "poll_304": ((base + poll, "-H", f"If-None-Match: {etag}"), {}),
            }
        )
        token, cookie = session_for(base, post_seminar)
        # every run writes new addresses: the scripts number them within a run
        writes = {}
        for _ in range(ROUNDS):
            run = secrets.token_hex(4)
            locked_env = {**os.environ, "BENCH_SEMINAR": str(post_seminar), "BENCH_RUN": run}
            post_env = {
                **os.environ,
                "BENCH_TOKEN": token,
                "BENCH_COOKIE": cookie,
                "BENCH_RUN": run,
                "BENCH_PATH": f"/seminare/{post_seminar}/anmelden",
            }
            lua = str(ROOT / "bench" / "locked.lua"), str(ROOT / "bench" / "post.lua")
            writes.setdefault("locked", []).append(
                wrk(base + "/", "-s", lua[0], env=locked_env, warm=False)
            )
            writes.setdefault("post", []).append(
                wrk(base + "/", "-s", lua[1], env=post_env, warm=False)
            )
        results.update({name: median_of(runs) for name, runs in writes.items()})
        with bookings_every(base, rush_seminar, RUSH_SECONDS):
            rush = [wrk(base + "/", warm=n == 0) for n in range(ROUNDS)]
        results["home_rush"] = median_of(rush)
        results["rss_kib"] = worker_rss(server.process.pid)
        results["first_render"] = first_render(base, post_seminar)
        results["sender"] = drain_outbox(server, url)
        if BURST and size == "demo":
            burst_seminar = new_seminar(url)
            results["burst"] = burst(base, burst_seminar, BURST)
            results["burst"].update(seat_counts(url, burst_seminar))
        results["first_view"] = first_view(base)
    return results


def unsent(url: str) -> int:
    engine = sa.create_engine(with_driver(url))
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM outbox_mail WHERE sent_at IS NULL AND failed_at IS NULL")
        ).scalar()
    engine.dispose()
    return count


def drain_outbox(server: LiveServer, url: str) -> dict:
    """The sender apart from the web workers (``flask send-mail --watch``), started on
    the mails the figures queued: how long it takes to write them all (composing each:
    link, text, calendar file) into the mail folder."""
    waiting = unsent(url)
    env = {**server.environment(), "FLASK_APP": "wsgi", "MAIL_WATCH_SECONDS": "0.2"}
    start = time.perf_counter()
    sender = subprocess.Popen(
        [str(BIN / "flask"), "send-mail", "--watch"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while unsent(url) and time.perf_counter() - start < 600:
            time.sleep(0.25)
        elapsed = time.perf_counter() - start
        left = unsent(url)
    finally:
        sender.terminate()
        sender.wait(timeout=30)
    return {"mails": waiting - left, "seconds": round(elapsed, 1), "left": left}


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


def _figure_table(results: dict) -> list[str]:
    lines = [
        "| what | requests/s | ratio to its baseline | p50 | p99 | non-2xx/3xx "
        "| runs (requests/s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    baselines = {name: base for name, base, _ in TARGETS}
    for key, name in NAMES.items():
        r = results[key]
        base = results[baselines.get(key, "bare")]["rps"]
        lines.append(
            f"| {name} | {r['rps']:.0f} | {ratio(r['rps'], base)} | {r['p50']} | "
            f"{r['p99']} | {r['non2xx3xx']} | {', '.join(map(str, r['runs']))} |"
        )
    rss = results["rss_kib"]
    lines += [
        "",
        f"Worker RSS after the load: {', '.join(f'{k / 1024:.0f}' for k in rss)} MiB "
        f"(4 workers; max {max(rss) / 1024:.0f} MiB)."
        if rss
        else "Worker RSS: not found.",
    ]
    return lines


def _summary(by_size: dict) -> list[str]:
    sizes = list(by_size)
    head = "| figure | target | " + " | ".join(sizes)
    if "demo" in by_size and "large" in by_size:
        head += " | large / demo"
    lines = [head + " |", "|---|---:|" + "---:|" * (len(sizes) + ("large" in sizes) * 1)]
    for key, base, least in TARGETS:
        values = [by_size[s][key]["rps"] / by_size[s][base]["rps"] for s in sizes]
        cells = [f"{v:.2f}{'' if v >= least else ' (missed)'}" for v in values]
        if "demo" in by_size and "large" in by_size:
            cells.append(f"{values[sizes.index('large')] / values[sizes.index('demo')]:.2f}")
        lines.append(f"| {NAMES[key]} / {NAMES[base]} | ≥ {least} | " + " | ".join(cells) + " |")
    p99 = [by_size[s]["home"]["p99"] for s in sizes]
    cells = [f"{v}{'' if (_ms(v) or 0) < P99_MS else ' (missed)'}" for v in p99]
    row = f"| home page p99 at {CONNECTIONS} connections | < {P99_MS} ms | " + " | ".join(cells)
    if "demo" in by_size and "large" in by_size:
        a, b = _ms(p99[sizes.index("large")]), _ms(p99[sizes.index("demo")])
        row += f" | {a / b:.2f}" if a and b else " | "
    lines.append(row + " |")
    rss = [max(by_size[s]["rss_kib"] or [0]) / 1024 for s in sizes]
    cells = [f"{v:.0f}{'' if v <= RSS_MIB else ' (missed)'}" for v in rss]
    row = f"| worker RSS after the load (max, MiB) | ≤ {RSS_MIB} | " + " | ".join(cells)
    if "demo" in by_size and "large" in by_size:
        row += f" | {rss[sizes.index('large')] / rss[sizes.index('demo')]:.2f}" if rss[0] else " | "
    lines.append(row + " |")
    rush = [by_size[s]["home_rush"]["rps"] / by_size[s]["bare"]["rps"] for s in sizes]
    row = f"| {NAMES['home_rush']} / {NAMES['bare']} | | " + " | ".join(f"{v:.2f}" for v in rush)
    if "demo" in by_size and "large" in by_size:
        row += f" | {rush[sizes.index('large')] / rush[sizes.index('demo')]:.2f}"
    lines.append(row + " |")
    first = [by_size[s].get("first_render") for s in sizes]
    row = "| home page's first answer after a booking (ms, median of 5) | | "
    row += " | ".join(str(v) for v in first)
    if "demo" in by_size and "large" in by_size and all(first):
        row += f" | {first[sizes.index('large')] / first[sizes.index('demo')]:.2f}"
    lines.append(row + " |")
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
        f"- Command: `{command}make bench` "
        "(= `.venv/bin/python bench/run.py`; BENCH_DURATION, BENCH_ROUNDS, BENCH_SIZES, "
        "BENCH_BURST, BENCH_CONNECTIONS and BENCH_DATABASES change it)",
        "- Server: gunicorn, 4 gthread workers x 2 threads, `bench.wsgi:app` (the site plus a bare "
        "route `/__bare` and a minimal locked insert `POST /__locked`), rate limit off, "
        "default settings (gzip on, page cache on), `MAIL_SENDER_PROCESS=1` (the workers "
        "queue mail, a sender apart composes and writes it); wrk sends no Accept-Encoding, "
        "so every figure is uncompressed, like the bare route's",
        f"- Data: {sizes}",
        f"- Load: wrk, 2 threads, {CONNECTIONS} connections, {DURATION} per run, {ROUNDS} runs "
        "per figure taken in turns with its baseline (the median of the runs is shown: "
        "rate, p50 and p99 each; the rates of the runs stand in the last column), the first "
        f"after {WARM_UP} of the same load, unmeasured (page figures only), on loopback; the pages "
        "are measured with their data unchanged during the run, and the home page once more "
        f"while a registration is booked every {RUSH_SECONDS:g} s (a rush); the home "
        "page's first answer after a booking is timed apart (one request at a time)",
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
            sender = results.get("sender")
            if sender:
                rate = sender["mails"] / sender["seconds"] if sender["seconds"] else 0
                lines += [
                    f"Sender apart (`flask send-mail --watch`, started after the figures): "
                    f"{sender['mails']:,} queued mails composed and written in "
                    f"{sender['seconds']} s ({rate:.0f} per second), {sender['left']} left.",
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
    if len(results) == len(urls):
        (ROOT / "bench" / "RESULTS.md").write_text(text + "\n")
    print(text)  # a run on one database only is printed, never written to RESULTS.md


if __name__ == "__main__":
    main()
