"""What a host needs (deploy/): the systemd units verify, and nginx in front of two app
instances and two workers on one database and one Redis takes a rush for one seminar
with nothing overbooked, no 5xx, every mail once, the limits counted once across both
instances, a change on one instance on the other's next page, each job once per due
time."""

import http.client
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from app import rules
from app.extensions import db
from app.models import JobRun, OutboxMail, Registration, RegistrationState
from app.services.registrations import check_counts
from tests import factories
from tests.server import LiveServer, flask_command, free_port, wait_for
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
FLASK = Path(sys.executable).with_name("flask")
REDIS_URL = "redis://127.0.0.1:6379/7"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

pytestmark = pytest.mark.server


# -- systemd ---------------------------------------------------------------------------


def test_the_systemd_units_verify(tmp_path):
    """``systemd-analyze verify`` on both units, with this checkout in place of
    /srv/seminare: no error, no warning."""
    for name in ("seminare-web.service", "seminare-worker.service"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/srv/seminare", str(ROOT)).replace(
            "/etc/seminare/seminare.env", str(DEPLOY / "seminare.env.example")
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(p) for p in sorted(tmp_path.glob("*.service")))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_the_env_template_names_every_setting():
    config = (ROOT / "app" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env|_int|_flag)\(\s*"([A-Z_]+)"', config)) - {"FLASK_DEBUG"}
    template = (DEPLOY / "seminare.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z_]+)=", template, re.MULTILINE))
    assert read <= named, sorted(read - named)


# -- nginx in front of two instances -----------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=seminare.test", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _trusting(cert: Path) -> ssl.SSLContext:
    """TLS that trusts our own certificate only (it names seminare.test, not 127.0.0.1)."""
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    return context


def _nginx_config(folder: Path, upstreams: list[int], https: int, http: int) -> Path:
    """The shipped site file, with this machine's ports, certificate and paths."""
    cert, key = _certificate(folder)
    proxy = folder / "seminare-proxy.conf"
    shutil.copy(DEPLOY / "nginx-seminare-proxy.conf", proxy)
    site = (DEPLOY / "nginx-seminare.conf").read_text(encoding="utf-8")
    servers = "\n".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in upstreams
    )
    site = re.sub(r"(?m)^    server 10\.0\.0\.\d+:8000[^\n]*\n", "", site)
    site = site.replace("    keepalive 32;", servers + "\n    keepalive 32;")
    site = re.sub(r"(?m)^\s*listen \[::\][^\n]*\n", "", site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = re.sub(r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(cert), site)
    site = re.sub(r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(key), site)
    site = site.replace("/srv/seminare/static/", f"{ROOT}/static/")
    site = site.replace("/var/log/nginx/", f"{folder}/")
    site = site.replace("/etc/nginx/seminare-proxy.conf", str(proxy))
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"""pid {folder}/nginx.pid;
error_log {folder}/error.log;
daemon off;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
{temp}
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket_to(port):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def socket_to(port: int):
    import socket

    return socket.create_connection(("127.0.0.1", port), timeout=1)


class Browser:
    """One visitor over HTTPS through nginx, from a loopback address of its own (so that
    the rate limits see different clients, as on the internet)."""

    def __init__(self, port: int, source: str, tls: ssl.SSLContext):
        self.port, self.source, self.tls, self.cookies = port, source, tls, {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=60, context=self.tls, source_address=(self.source, 0)
        )
        headers = {"Host": "seminare.test", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # a browser sends where the form was (the CSRF check over HTTPS asks for it)
            headers["Referer"] = "https://seminare.test" + path.rsplit("/", 1)[0]
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, text
        finally:
            connection.close()

    def register(self, seminar_id: int, n: int) -> int:
        status, _headers, page = self.request("GET", f"/seminare/{seminar_id}")
        assert status == 200, status
        found = CSRF.search(page)
        token = found.group(1) or found.group(2)
        status, _headers, _page = self.request(
            "POST",
            f"/seminare/{seminar_id}/anmelden",
            {**factories.form_data(n), "csrf_token": token},
        )
        return status


def _environment(database_url: str, smtp: SmtpServer) -> dict:
    return {
        "TRUSTED_PROXIES": "1",
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "REGISTRATION_RATE_LIMIT": "3 per minute",
        "MAIL_SENDER_PROCESS": "1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_SECURITY": "none",
        "COMPRESS_RESPONSES": "false",
        "JOB_RELEASE_HOLDS_SECONDS": "2",
        "WORKER_POLL_SECONDS": "0.5",
        "MAIL_WATCH_SECONDS": "0.2",
    }


def _start_worker(database_url: str, env: dict) -> subprocess.Popen:
    return flask_command(database_url, "worker", **env)


def test_nginx_two_instances_two_workers_one_database_take_a_rush(app, migrated_database, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    seminar_id = factories.seminar(capacity=20).id
    other_id = factories.seminar(capacity=20).id
    smtp = SmtpServer().start()
    env = _environment(migrated_database, smtp)
    instances = [
        LiveServer(
            migrated_database,
            workers=2,
            threads=4,
            extra_env=env,
            config_file=DEPLOY / "gunicorn.conf.py",
        )
        for _ in range(2)
    ]
    workers, nginx = [], None
    try:
        for instance in instances:
            instance.start()
        workers = [_start_worker(migrated_database, env) for _ in range(2)]
        https, plain = free_port(), free_port()
        config = _nginx_config(tmp_path, [i.port for i in instances], https, plain)
        nginx = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        _wait_for_port(https, 20)

        # http answers with the way to https; static files come from disk, kept a year
        redirect = http.client.HTTPConnection("127.0.0.1", plain, timeout=10)
        redirect.request("GET", "/seminare", headers={"Host": "seminare.test"})
        moved = redirect.getresponse()
        moved.read()
        redirect.close()
        assert moved.status == 301 and moved.headers["Location"].startswith("https://")
        tls = _trusting(tmp_path / "cert.pem")
        visitor = Browser(https, "127.0.0.1", tls)
        status, headers, page = visitor.request("GET", "/")
        assert status == 200 and headers["X-Request-ID"]
        css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page).group(1)
        status, headers, _css = visitor.request("GET", css)
        assert status == 200 and "immutable" in headers["Cache-Control"]

        # the rush: 200 people at once for 20 places, each from an address of their own
        people = [Browser(https, f"127.0.{1 + n // 200}.{1 + n % 200}", tls) for n in range(200)]
        barrier = threading.Barrier(50)

        def register(pair):
            n, person = pair
            if n < 50:
                barrier.wait(timeout=60)
            return person.register(seminar_id, n)

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(register, enumerate(people)))
        assert not [s for s in statuses if s >= 500], statuses
        assert statuses.count(303) == 200, sorted(set(statuses))

        db.session.remove()
        rows = db.session.scalars(
            sa.select(Registration).where(Registration.seminar_id == seminar_id)
        ).all()
        placed = [
            r for r in rows if r.state in (RegistrationState.HELD, RegistrationState.CONFIRMED)
        ]
        # 0 overbooked: public registrations hold at most a third of the places at once
        # (the rest wait and move up as holds are proven or lapse)
        assert len(rows) == 200 and len(placed) == rules.max_held(20, 33) <= 20
        assert check_counts(repair=False) == []

        # every mail once, by whichever worker claimed it
        def all_sent():
            db.session.remove()
            return not db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMail)
                .where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
            )

        assert wait_for(all_sent, 120), "mails left in the outbox"
        recipients = [message["To"] for message in smtp.messages]
        assert len(recipients) == len(set(recipients)) == 200

        # limits counted once across both instances: one client, 3 per minute in all
        same = Browser(https, "127.0.3.1", tls)
        tries = [same.register(other_id, 1000 + n) for n in range(5)]
        assert tries[:3] == [303, 303, 303] and tries[3:] == [429, 429], tries

        # a change on one instance is on the other's next page
        def free_places(instance) -> int:
            page = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=30)
            page.request("GET", f"/seminare/{other_id}")
            body = page.getresponse().read().decode()
            page.close()
            return int(re.search(r"<strong>(\d+) von 20 Plätzen frei</strong>", body).group(1))

        before = free_places(instances[1])
        assert before == free_places(instances[0]) == 17
        late = Browser(https, "127.0.3.2", tls)
        assert late.register(other_id, 2000) == 303
        assert free_places(instances[1]) == free_places(instances[0]) == before - 1

        # each periodic job once per due time, whichever worker ran it
        time.sleep(3)
        db.session.remove()
        runs = db.session.scalars(sa.select(JobRun)).all()
        by_job: dict[str, list] = {}
        for run in runs:
            by_job.setdefault(run.job, []).append(run.due_at)
        assert len(by_job["release-holds"]) >= 2
        for name, due_times in by_job.items():
            assert len(due_times) == len(set(due_times)), name
        assert len(by_job["purge-old-data"]) == 1
    except BaseException:
        for instance in instances:
            sys.stderr.write(f"----- {instance.url} -----\n{instance.log_since(0)[-6000:]}\n")
        raise
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            nginx.communicate(timeout=20)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.communicate(timeout=30)
        for instance in instances:
            instance.stop()
        smtp.stop()
