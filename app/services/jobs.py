"""The periodic jobs the worker runs beside the site (``flask worker``), once per due time
across every worker on every host.

Each job has a row (``Job``) with its next due time. A worker claims a due job with one
UPDATE that only one worker can win: the row must be due and its lease free or lapsed
(``claimed_until``), as the outbox claims its mails. The claim writes the run's record
(``JobRun``, unique per job and due time) in the same transaction. When the job is done
the worker moves the due time on by the job's interval (past now, so a worker that was
away does not run the missed times one after another) and frees the lease, in one
transaction that only the lease holder can make. A worker that dies mid-job leaves the
lease to lapse (``JOB_LEASE_SECONDS``); the next worker then takes the same due time
over and runs it again, which every job here allows: each picks up what is still to do.

The intervals are settings (``JOB_<NAME>_SECONDS``, 0 switches a job off); the cron lines
of the single commands remain possible instead (README, Operations).
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.german import plural
from app.core.timeutil import today_berlin, utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import Job, JobRun, WorkerBeat

log = logging.getLogger(__name__)


def _release_holds() -> str:
    from app.services.registrations import release_holds

    released = release_holds()
    return f"{plural(released, 'vorgemerkter Platz', 'vorgemerkte Plätze')} freigegeben"


def _send_reminders() -> str:
    from app.services.reminders import queue_due_reminders

    queued = queue_due_reminders(today_berlin(), current_app.config["REMINDER_DAYS"])
    return f"{plural(queued, 'Erinnerung')} erstellt"


def _send_certificates() -> str:
    from app.services.after_seminar import queue_due

    seminars, queued = queue_due(today_berlin())
    return (
        f"{plural(queued, 'E-Mail nach dem Seminar', 'E-Mails nach dem Seminar')} aus "
        f"{plural(seminars, 'Seminar', 'Seminaren')} erstellt"
    )


def _purge_old_data() -> str:
    from app.services.retention import purge

    done = purge(today_berlin(), current_app.config["RETENTION_MONTHS"])
    return (
        f"{plural(done['frozen'], 'Seminar')} eingefroren; "
        f"{plural(done['registrations'], 'Anmeldung')} und "
        f"{plural(done['mails'], 'E-Mail')} gelöscht"
    )


def _check_counts() -> str:
    from app.services.registrations import check_counts

    drift = check_counts(repair=True)
    if not drift:
        return "alle Platzzahlen stimmen"
    return f"{plural(len(drift), 'Abweichung')} korrigiert"


@dataclass(frozen=True)
class JobKind:
    """A periodic job: its name (the command it replaces), its label, what it does."""

    name: str
    label: str
    run: Callable[[], str]
    default_seconds: int

    @property
    def setting(self) -> str:
        return f"JOB_{self.name.upper().replace('-', '_')}_SECONDS"


JOBS = (
    JobKind("release-holds", "Vorgemerkte Plätze freigeben", _release_holds, 300),
    JobKind("send-reminders", "Erinnerungen vor dem Seminar", _send_reminders, 3600),
    JobKind("send-certificates", "E-Mails nach dem Seminar", _send_certificates, 3600),
    JobKind("purge-old-data", "Alte Daten löschen", _purge_old_data, 86400),
    JobKind("check-counts", "Platzzahlen prüfen", _check_counts, 86400),
)
BY_NAME = {job.name: job for job in JOBS}


def interval(job: JobKind) -> int:
    """Seconds between two due times of ``job``; 0: switched off."""
    return int(current_app.config.get(job.setting, job.default_seconds))


def worker_name() -> str:
    """This process, as the job leases and the heartbeat name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def next_due(due_at: datetime, every: int, now: datetime) -> datetime:
    """The first due time after ``now`` on the job's grid (due_at + k × every)."""
    step = timedelta(seconds=every)
    missed = int((now - due_at) / step) + 1 if now >= due_at else 1
    return due_at + missed * step


def ensure_jobs(now: datetime | None = None) -> None:
    """One row per switched-on job, due at once when new (every worker at its start;
    rows already there are left as they are)."""
    now = now or utcnow()
    for attempt in range(3):
        try:
            with write_transaction() as session:
                known = set(session.scalars(sa.select(Job.name)))
                for job in JOBS:
                    if job.name not in known and interval(job) > 0:
                        session.add(Job(name=job.name, due_at=now))
            return
        except sa.exc.IntegrityError:
            # two workers starting at once (PostgreSQL): the other added the row first
            if attempt == 2:
                raise


def claim(name: str, worker: str, now: datetime | None = None) -> datetime | None:
    """Claim the job if it is due and its lease free or lapsed: its due time, or None when
    another worker holds it or it is not due. The run's record is written with it."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    with write_transaction() as session:
        won = session.execute(
            sa.update(Job)
            .where(
                Job.name == name,
                Job.due_at <= now,
                sa.or_(Job.claimed_until.is_(None), Job.claimed_until < now),
            )
            .values(claimed_until=now + lease, claimed_by=worker, last_started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            return None
        due_at = session.scalar(sa.select(Job.due_at).where(Job.name == name))
        run = session.scalars(
            sa.select(JobRun).where(JobRun.job == name, JobRun.due_at == due_at)
        ).first()
        if run is None:
            session.add(JobRun(job=name, due_at=due_at, worker=worker, started_at=now))
        else:  # the worker before us died or overran its lease: this due time is ours now
            run.worker, run.started_at, run.outcome = worker, now, "running"
            run.takeovers += 1
    return due_at


def finish(name: str, worker: str, due_at: datetime, outcome: str, summary: str) -> bool:
    """Record the run and move the job's due time on; only while this worker still holds
    the lease (False when another took it over meanwhile)."""
    now = utcnow()
    job = BY_NAME[name]
    every = interval(job) or job.default_seconds
    retry = min(every, 300)
    with write_transaction() as session:
        values = {
            "claimed_until": None,
            "claimed_by": "",
            "last_finished_at": now,
            "last_outcome": outcome,
            "last_summary": summary[:500],
            # a failed run is tried again soon, never more often than the job is due
            "due_at": next_due(due_at, every, now)
            if outcome == "ok"
            else now + timedelta(seconds=retry),
        }
        if outcome == "ok":
            values["last_success_at"] = now
        held = session.execute(
            sa.update(Job)
            .where(Job.name == name, Job.claimed_by == worker, Job.due_at == due_at)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if held != 1:
            return False
        session.execute(
            sa.update(JobRun)
            .where(JobRun.job == name, JobRun.due_at == due_at, JobRun.worker == worker)
            .values(finished_at=now, outcome=outcome, summary=summary[:500])
            .execution_options(synchronize_session=False)
        )
    return True


def run_due(worker: str, stop: Callable[[], bool] = lambda: False) -> list[tuple[str, str]]:
    """Run every job that is due and that this worker wins, one after the other:
    [(name, outcome)]. An error in a job fails that run only."""
    done = []
    for job in JOBS:
        if stop() or interval(job) <= 0:
            continue
        due_at = claim(job.name, worker)
        if due_at is None:
            continue
        started = time.monotonic()
        try:
            summary, outcome = job.run(), "ok"
        except Exception as error:  # a failing job must not stop the worker
            db.session.rollback()
            log.exception("job %s failed", job.name)
            summary, outcome = f"{type(error).__name__}: {error}", "failed"
        finally:
            db.session.remove()
        finish(job.name, worker, due_at, outcome, summary)
        log.info("job %s %s in %.1f s: %s", job.name, outcome, time.monotonic() - started, summary)
        done.append((job.name, outcome))
    return done


def beat(worker: str, stopped: bool = False) -> None:
    """The worker's heartbeat (and its last one when it stops)."""
    now = utcnow()
    with write_transaction() as session:
        row = session.get(WorkerBeat, worker)
        if row is None:
            row = WorkerBeat(worker=worker, started_at=now)
            session.add(row)
        row.seen_at = now
        row.stopped_at = now if stopped else None
