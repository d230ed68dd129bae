"""Settings, read from the environment.

Every setting the site knows is read in ``load_config`` with its default; the
README's settings table names each one with what it does.
"""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

TRUE = {"1", "true", "yes", "on"}


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in TRUE


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def with_driver(url: str) -> str:
    """Plain PostgreSQL URLs use psycopg 3, the driver in requirements.txt."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply ``overrides``.

    Tests pass their settings as ``overrides``; nothing else is special-cased.
    """
    env = os.environ.get
    debug = _flag("FLASK_DEBUG", False)
    config = {
        "SECRET_KEY": env("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL")
        or f"sqlite:///{INSTANCE / 'seminare.sqlite'}",
        "SQLITE_BUSY_TIMEOUT_MS": _int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        "EMAIL_CHECK_DELIVERABILITY": _flag("EMAIL_CHECK_DELIVERABILITY", False),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        # names this site's counters in a Redis shared with others
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "seminare"),
        # Redis unreachable: each worker counts in its own memory (logged) instead of
        # failing every limited request, and tries Redis again after a while
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # X-RateLimit-* headers on limited routes: two more Redis round trips per limited
        # request, for clients that read them (a person's browser does not); a refusal
        # (429) says Retry-After either way
        "RATELIMIT_HEADERS_ENABLED": _flag("RATELIMIT_HEADERS_ENABLED", False),
        "REGISTRATION_RATE_LIMIT": env("REGISTRATION_RATE_LIMIT", "10 per minute;50 per hour"),
        # registrations for one seminar from one client (IPv6: one /64)
        # how long a public registration holds its place until the address is proven
        "HOLD_HOURS": _int("HOLD_HOURS", 48),
        "REGISTRATION_PER_SEMINAR_LIMIT": env("REGISTRATION_PER_SEMINAR_LIMIT", "4 per hour"),
        "POLL_SECONDS": _int("POLL_SECONDS", 10),
        # gzip for HTML, CSS and JS when the client asks; off where a proxy compresses
        "COMPRESS_RESPONSES": _flag("COMPRESS_RESPONSES", True),
        # rendered public pages kept per worker (an LRU, each page as of the data's version); 0: off
        "PAGE_CACHE_ENTRIES": _int("PAGE_CACHE_ENTRIES", 300),
        # a data version newer than this is not cached yet: concurrent transactions
        # (PostgreSQL) may still commit changes stamped a moment earlier
        "PAGE_SETTLE_SECONDS": _int("PAGE_SETTLE_SECONDS", 2),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        "IDLE_TIMEOUT_MINUTES": _int("IDLE_TIMEOUT_MINUTES", 30),
        "BASE_URL": env("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_SECURITY": env("MAIL_SECURITY", "starttls"),
        "MAIL_USERNAME": env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env("MAIL_PASSWORD", ""),
        "MAIL_SENDER": env("MAIL_SENDER", "Seminare Integrationsräte NRW <anmeldung@example.org>"),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 10),
        # a sender runs apart (flask send-mail --watch): web workers then never deliver
        "MAIL_SENDER_PROCESS": _flag("MAIL_SENDER_PROCESS", False),
        "MAIL_WATCH_SECONDS": float(env("MAIL_WATCH_SECONDS", "0.5") or 0.5),
        # temporary failures (server away, 4xx) are retried this often, then the mail fails
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 10),
        "MAIL_FOLDER": env("MAIL_FOLDER", str(INSTANCE / "mail")),
        "REMINDER_DAYS": _int("REMINDER_DAYS", 3),
        # logs: one line per event with the request id; "json" for one JSON object a line
        "LOG_FORMAT": env("LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": env("LOG_LEVEL", "INFO").strip().upper(),
        # /metrics: served to this bearer token, or to anyone who reaches it with METRICS_OPEN
        "METRICS_TOKEN": env("METRICS_TOKEN", ""),
        "METRICS_OPEN": _flag("METRICS_OPEN", False),
        # the worker (flask worker): how often it looks for due jobs, how long a job's
        # lease lasts before another worker may take it over, when it counts as away
        "WORKER_POLL_SECONDS": float(env("WORKER_POLL_SECONDS", "5") or 5),
        "JOB_LEASE_SECONDS": _int("JOB_LEASE_SECONDS", 1800),
        "WORKER_AWAY_SECONDS": _int("WORKER_AWAY_SECONDS", 180),
        # seconds between two runs of each periodic job (0: off, e.g. when cron runs it)
        "JOB_RELEASE_HOLDS_SECONDS": _int("JOB_RELEASE_HOLDS_SECONDS", 300),
        "JOB_SEND_REMINDERS_SECONDS": _int("JOB_SEND_REMINDERS_SECONDS", 3600),
        "JOB_SEND_CERTIFICATES_SECONDS": _int("JOB_SEND_CERTIFICATES_SECONDS", 3600),
        "JOB_PURGE_OLD_DATA_SECONDS": _int("JOB_PURGE_OLD_DATA_SECONDS", 86400),
        "JOB_CHECK_COUNTS_SECONDS": _int("JOB_CHECK_COUNTS_SECONDS", 86400),
        "LINK_RATE_LIMIT": env("LINK_RATE_LIMIT", "3 per minute;10 per hour"),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", not debug),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "OPERATOR_NAME": env(
            "OPERATOR_NAME", "Landesverband der Volkshochschulen von Nordrhein-Westfalen e.V."
        ),
        "OPERATOR_ADDRESS": env("OPERATOR_ADDRESS", "Bismarckstraße 98, 40210 Düsseldorf"),
        "OPERATOR_REPRESENTATIVE": env("OPERATOR_REPRESENTATIVE", "den Vorstand"),
        "OPERATOR_EMAIL": env("OPERATOR_EMAIL", "info@example.org"),
        "OPERATOR_PHONE": env("OPERATOR_PHONE", ""),
        "OPERATOR_REGISTER": env("OPERATOR_REGISTER", ""),
        "PRIVACY_OFFICER": env("PRIVACY_OFFICER", ""),
        "PRIVACY_AUTHORITY": env(
            "PRIVACY_AUTHORITY",
            "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
            "Kavalleriestraße 2–4, 40213 Düsseldorf",
        ),
        "RETENTION_MONTHS": _int("RETENTION_MONTHS", 12),
        "ACCESSIBILITY_CONTACT": env("ACCESSIBILITY_CONTACT", ""),
        "ACCESSIBILITY_REVIEWED": env("ACCESSIBILITY_REVIEWED", "November 2026"),
        # where `seed-demo` keeps the demo logins it made (debug only), for `make run`
        "DEMO_LOGINS_FILE": str(INSTANCE / "demo-logins.txt"),
    }
    config.update(overrides or {})
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["PERMANENT_SESSION_LIFETIME"] = 60 * config["IDLE_TIMEOUT_MINUTES"]
    config["SQLALCHEMY_DATABASE_URI"] = with_driver(config["SQLALCHEMY_DATABASE_URI"])
    if not config["SECRET_KEY"]:
        if not (debug or config.get("TESTING")):
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'))."
            )
        config["SECRET_KEY"] = os.urandom(32).hex()
    if not (debug or config.get("DEBUG") or config.get("TESTING")):
        refuse_placeholders(config)
    return config


# What the public sees of the operator (Impressum, privacy notice, accessibility
# statement) and the sender of every mail: never a placeholder in production.
OPERATOR_SETTINGS = (
    "OPERATOR_EMAIL",
    "OPERATOR_NAME",
    "OPERATOR_ADDRESS",
    "OPERATOR_REPRESENTATIVE",
    "OPERATOR_PHONE",
    "OPERATOR_REGISTER",
    "ACCESSIBILITY_CONTACT",
    "MAIL_SENDER",
)
# The names reserved for examples (RFC 2606): example.org, mail.example.com, x.example
PLACEHOLDER = re.compile(r"(?:^|[@./\s<])example(?:\.(?:org|com|net))?(?:$|[\s>/:])", re.I)


def placeholder_settings(config: dict) -> list[str]:
    """The operator settings that are still examples (or, for OPERATOR_EMAIL, empty)."""
    found = [
        f"{name} ({config[name]})"
        for name in OPERATOR_SETTINGS
        if PLACEHOLDER.search(str(config.get(name) or ""))
    ]
    if not str(config.get("OPERATOR_EMAIL") or "").strip():
        found.insert(0, "OPERATOR_EMAIL (leer)")
    return found


def refuse_placeholders(config: dict) -> None:
    """Outside debug and tests the site does not start with the example operator data."""
    found = placeholder_settings(config)
    if found:
        raise RuntimeError(
            "Die Seite startet nicht: Diese Einstellungen enthalten noch Beispielwerte, die "
            "im Impressum, in den Datenschutzhinweisen oder als Absender der E-Mails "
            f"erscheinen würden: {', '.join(found)}. Bitte setzen Sie die echten Angaben des "
            "Betreibers in der Umgebung (siehe README, Abschnitt Settings). Zum Ausprobieren "
            "auf dem eigenen Rechner: FLASK_DEBUG=1."
        )
