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
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
BURST = int(os.environ.get("BENCH_BURST", "1000"))


def sh(*args, env=None, **kwargs) -> str:
    return subprocess.run(
        args, check=True, capture_output=True, text=True, env=env, cwd=ROOT, **kwargs
    ).stdout


def prepare_database(url: str) -> None:
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
    sh(str(BIN / "flask"), "seed-scale", "--seminars", "100", "--registrations", "2000", env=env)


def wrk(url: str, *extra: str, env=None) -> dict:
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


def confirmed_count(url: str, seminar_id: int) -> tuple[int, int]:
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
    return rows.get("confirmed", 0), rows.get("waitlisted", 0)


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
        columns = ", ".join(values)
        params = ", ".join(f":{k}" for k in values)
        new_id = conn.execute(
            # the column names come from the table itself, the values are bound
            sa.text(f"INSERT INTO seminar ({columns}) VALUES ({params}) RETURNING id"),  # noqa: S608
            values,
        ).scalar()
    engine.dispose()
    return new_id


def first_view(base: str) -> dict:
    page = requests.get(base + "/", timeout=10)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    sizes = {"html": len(gzip.compress(page.content, 6))}
    for asset in assets:
        sizes[asset] = len(gzip.compress(requests.get(base + asset, timeout=10).content, 6))
    return {"requests": 1 + len(assets), "gzip_bytes": sum(sizes.values()), "parts": sizes}


def run_database(label: str, url: str) -> dict:
    print(f"== {label}: preparing {url}", flush=True)
    prepare_database(url)
    server = LiveServer(url, workers=4, threads=2, app_module="bench.wsgi:app", access_log=False)
    with server:
        base = server.url
        home = requests.get(base + "/", timeout=10).text
        seminar_id = int(re.search(r'href="/seminare/(\d+)"', home).group(1))
        poll = (
            re.search(r'hx-get="(/live/plaetze\?ids=[^"]+)"', home).group(1).replace("&amp;", "&")
        )
        etag = requests.get(base + poll, timeout=10).headers["ETag"]
        results = {
            "bare": wrk(base + "/__bare"),
            "home": wrk(base + "/"),
            "seminar": wrk(f"{base}/seminare/{seminar_id}"),
            "poll_304": wrk(base + poll, "-H", f"If-None-Match: {etag}"),
        }
        post_seminar = new_seminar(url)
        token, cookie = session_for(base, post_seminar)
        env = {
            **os.environ,
            "BENCH_TOKEN": token,
            "BENCH_COOKIE": cookie,
            "BENCH_RUN": secrets.token_hex(4),
            "BENCH_PATH": f"/seminare/{post_seminar}/anmelden",
        }
        results["post"] = wrk(base + "/", "-s", str(ROOT / "bench" / "post.lua"), env=env)
        burst_seminar = new_seminar(url)
        results["burst"] = burst(base, burst_seminar, BURST)
        results["burst"]["confirmed"], results["burst"]["waitlisted"] = confirmed_count(
            url, burst_seminar
        )
        results["first_view"] = first_view(base)
    return results


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


def report(all_results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        "- Command: `make bench` (= `.venv/bin/python bench/run.py`)",
        "- Server: gunicorn, 4 gthread workers x 2 threads, `bench.wsgi:app` (the site plus a bare "
        "route `/__bare`), rate limit off; data: demo data plus 100 seminars and 2,000 "
        "registrations booked through the booking service",
        f"- Load: wrk, 2 threads, {CONNECTIONS} connections, {DURATION} per figure, on loopback",
        "",
    ]
    for label, results in all_results.items():
        bare = results["bare"]["rps"]
        lines += [
            f"## {label}",
            "",
            "| what | requests/s | ratio to bare route | p50 | p99 | non-2xx/3xx |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        names = {
            "bare": "bare Flask route",
            "home": "home page",
            "seminar": "seminar page",
            "poll_304": "unchanged poll (304)",
            "post": "registration POST",
        }
        for key, name in names.items():
            r = results[key]
            lines.append(
                f"| {name} | {r['rps']:.0f} | {ratio(r['rps'], bare)} | {r['p50']} | "
                f"{r['p99']} | {r['non2xx3xx']} |"
            )
        b = results["burst"]
        view = results["first_view"]
        parts = ", ".join(f"{k}: {v:,}" for k, v in view["parts"].items())
        lines += [
            "",
            f"Burst: {b['sent']} simultaneous registrations for one 20-seat seminar: "
            f"{b['5xx']} 5xx, {b['confirmed']} confirmed, {b['waitlisted']} waitlisted, "
            f"latency p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms.",
            "",
            f"Home page, first view: {view['requests']} requests, "
            f"{view['gzip_bytes']:,} bytes gzip ({parts}).",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results = {
        "SQLite": run_database("SQLite", f"sqlite:///{work / 'bench.sqlite'}"),
        "PostgreSQL": run_database("PostgreSQL", PG_URL),
    }
    text = report(results)
    (ROOT / "bench" / "RESULTS.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
