"""How the running site stands, for the health checks, the metrics and the admins'
"Betrieb" page: the database, the schema, the rate limiter's storage, the outbox, the
periodic jobs and the workers. Reads only; nothing here names a person."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app

from app.config import ROOT
from app.core.timeutil import utcnow
from app.extensions import db, limiter
from app.models import Job, OutboxMail, WorkerBeat
from app.services import jobs

MIGRATIONS = ROOT / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*=\s*['\"](\w+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*['\"](\w+)['\"]", re.MULTILINE)


@cache
def newest_migration() -> str:
    """The head of the migrations shipped with this code (read from their files, so that
    a web worker needs no Alembic to answer the readiness check)."""
    revisions, parents = set(), set()
    for path in MIGRATIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
        if found := _DOWN.search(source):
            parents.add(found.group(1))
    heads = sorted(revisions - parents)
    return heads[0] if len(heads) == 1 else "+".join(heads)


def schema_version() -> str | None:
    """The revision the database is at (None: not migrated)."""
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def readiness() -> list[Check]:
    """Whether this instance can serve: the database answers, its schema is the newest
    migration, the rate limiter's storage answers. Short reasons, no personal data."""
    checks = []
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks.append(Check("database", True, "ok"))
    except sa.exc.DBAPIError as error:
        db.session.rollback()
        checks.append(Check("database", False, f"unreachable: {type(error.orig).__name__}"))
        checks.append(Check("schema", False, "unknown: the database does not answer"))
    else:
        current, newest = schema_version(), newest_migration()
        if current == newest:
            checks.append(Check("schema", True, current))
        else:
            checks.append(Check("schema", False, f"at {current or 'none'}, newest {newest}"))
    finally:
        db.session.rollback()
    storage_ok = limiter_answers()
    checks.append(
        Check("limiter", storage_ok, "ok" if storage_ok else f"{limiter_scheme()} not answering")
    )
    return checks


def limiter_scheme() -> str:
    """'memory', 'redis', ...: where the rate limits are counted (never the password)."""
    return current_app.config["RATELIMIT_STORAGE_URI"].split(":", 1)[0]


def limiter_answers() -> bool:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    try:
        return bool(limiter.storage.check())
    except Exception:  # any storage error means: not answering
        return False


# -- the outbox, the jobs and the workers ---------------------------------------------


@dataclass(frozen=True)
class Outbox:
    due: int
    waiting: int  # not sent, not failed (due now or retried later)
    failed: int
    sent: int
    oldest_unsent: datetime | None
    failures: list[OutboxMail]

    @property
    def oldest_age_seconds(self) -> float:
        if self.oldest_unsent is None:
            return 0.0
        return max((utcnow() - self.oldest_unsent).total_seconds(), 0.0)


def outbox(failures: int = 20) -> Outbox:
    now = utcnow()
    unsent = sa.and_(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(unsent, OutboxMail.next_attempt_at <= now),
            sa.func.count().filter(unsent),
            sa.func.count().filter(OutboxMail.failed_at.is_not(None)),
            sa.func.count().filter(OutboxMail.sent_at.is_not(None)),
            sa.func.min(OutboxMail.created_at).filter(unsent),
        )
    ).one()
    failed = []
    if failures:
        failed = db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.failed_at.is_not(None))
            .order_by(OutboxMail.failed_at.desc())
            .limit(failures)
        ).all()
    return Outbox(row[0], row[1], row[2], row[3], row[4], list(failed))


@dataclass(frozen=True)
class JobState:
    kind: jobs.JobKind
    every_seconds: int
    row: Job | None


def job_states() -> list[JobState]:
    rows = {job.name: job for job in db.session.scalars(sa.select(Job))}
    return [JobState(kind, jobs.interval(kind), rows.get(kind.name)) for kind in jobs.JOBS]


@dataclass(frozen=True)
class Workers:
    beats: list[WorkerBeat]
    away_after: timedelta

    @property
    def last_seen(self) -> datetime | None:
        return max((b.seen_at for b in self.beats), default=None)

    @property
    def running(self) -> list[WorkerBeat]:
        horizon = utcnow() - self.away_after
        return [b for b in self.beats if b.stopped_at is None and b.seen_at >= horizon]

    @property
    def away(self) -> bool:
        """No worker seen for a few minutes: mail and jobs wait."""
        return not self.running


def workers(limit: int = 20) -> Workers:
    beats = db.session.scalars(
        sa.select(WorkerBeat).order_by(WorkerBeat.seen_at.desc()).limit(limit)
    ).all()
    away = timedelta(seconds=current_app.config["WORKER_AWAY_SECONDS"])
    return Workers(list(beats), away)
