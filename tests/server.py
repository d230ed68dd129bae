"""A real gunicorn server for tests: started on a free loopback port, always stopped.

The server runs ``wsgi:app`` from the project root with its settings taken
from the environment, exactly as in production, and writes its log (errors
and access log) to a temporary file that tests can show when they fail.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = float(os.environ.get("LIVE_SERVER_START_TIMEOUT", "20"))  # a busy machine: more
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``gunicorn wsgi:app`` with several workers, bound to 127.0.0.1 only.

    Its log file lives as long as the server; ``stop()`` removes it.
    """

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 4,
        threads: int = 4,
        extra_env: dict | None = None,
        app_module: str = "wsgi:app",
        access_log: bool = True,
        config_file: Path | None = None,
    ):
        self.config_file = config_file
        self.app_module = app_module
        self.access_log = access_log
        self.database_url = database_url
        self.extra_env = extra_env or {}
        # Mails go to a folder of the server's own, never the project's instance folder.
        self.mail_folder = tempfile.mkdtemp(prefix="live-mail-")
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in stop())
            prefix="gunicorn-", suffix=".log", delete=False
        )
        self.log_path = Path(self._log.name)

    def environment(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"TEST_DATABASE_URL", "FLASK_DEBUG", "FLASK_APP"}
        }
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": "live-server-test-secret",
                "RATELIMIT_ENABLED": "false",
                "SESSION_COOKIE_SECURE": "false",
                "EMAIL_CHECK_DELIVERABILITY": "false",
                "PYTHONUNBUFFERED": "1",
                "MAIL_FOLDER": self.mail_folder,
                # outside debug the site refuses the example operator data (app.config)
                "OPERATOR_EMAIL": "info@seminare-nrw.test",
                "MAIL_SENDER": "Seminare Integrationsräte NRW <anmeldung@seminare-nrw.test>",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self) -> "LiveServer":
        command = [
            str(GUNICORN),
            *(["--config", str(self.config_file)] if self.config_file else []),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--chdir",
            str(ROOT),
            *(["--access-logfile", "-"] if self.access_log else []),
            "--error-logfile",
            "-",
            self.app_module,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode} before answering.\n"
                    + self.read_log()
                )
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                response = requests.get(f"{self.url}/impressum", timeout=min(5.0, remaining))
            except requests.RequestException as error:  # not listening yet, or still booting
                last_error = error
            else:
                if response.status_code == 200:
                    return
                last_error = RuntimeError(f"status {response.status_code}")
            time.sleep(0.1)
        raise RuntimeError(
            f"gunicorn did not answer within {START_TIMEOUT:.0f} s ({last_error}).\n"
            + self.read_log()
        )

    def stop(self) -> None:
        """Stop the master and its workers: SIGTERM, then SIGKILL for the group."""
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
        if process is not None:
            # Workers left behind by a master that died: they share its process group.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        if not self._log.closed:
            self._log.close()
        self.log_path.unlink(missing_ok=True)
        shutil.rmtree(self.mail_folder, ignore_errors=True)

    def read_log(self) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return f"----- gunicorn log ({self.log_path}) -----\n{text}----- end of gunicorn log -----"

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")

    def wait_until_quiet(self, quiet: float = 0.5, timeout: float = 5.0) -> None:
        """Wait (bounded) until the log stops growing: work after responses has ended."""
        deadline = time.monotonic() + timeout
        size, since = self.log_offset(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now_size = self.log_offset()
            if now_size != size:
                size, since = now_size, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def unhandled_errors_since(self, offset: int) -> list[str]:
        """The log lines that start an error report (gunicorn's or Flask's), since ``offset``.

        Includes errors in work done after a response was sent, which no status shows.
        """
        self.wait_until_quiet()
        return [
            line
            for line in self.log_since(offset).splitlines()
            if "[ERROR]" in line or " ERROR in " in line or line.startswith("Traceback")
        ]

    @contextmanager
    def log_shown_on_failure(self):
        """Write the server's log for this block to stderr when the block fails.

        pytest shows captured stderr only for failing tests. Yields the log offset
        at the start of the block, for ``unhandled_errors_since``.
        """
        start = self.log_offset()
        try:
            yield start
        except BaseException:
            text = self.log_since(start)
            sys.stderr.write(f"----- gunicorn log during the test -----\n{text}\n")
            raise

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


FLASK = Path(sys.executable).with_name("flask")


def flask_command(database_url: str, *args: str, **settings) -> subprocess.Popen:
    """A ``flask`` command (the worker, the sender) as its own process on the test's
    database, with the settings a production host has and ``settings`` on top; its output
    (stdout and stderr) readable through ``communicate()``."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "FLASK_DEBUG"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-server-test-secret",
            "OPERATOR_EMAIL": "info@seminare-nrw.test",
            "MAIL_SENDER": "Seminare Integrationsräte NRW <anmeldung@seminare-nrw.test>",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in settings.items()},
        }
    )
    return subprocess.Popen(
        [str(FLASK), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float) -> bool:
    """Whether ``condition()`` came true within ``seconds`` (a bound for a busy machine,
    never a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())
