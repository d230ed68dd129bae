"""``flask worker``: the mail and the periodic jobs beside the site. Two workers on one
database share the work (each job once per due time, each mail once), a lapsed lease is
taken over, a failing job fails that run only, and TERM stops a worker cleanly."""

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.models import Job, JobRun, Registration, RegistrationState, WorkerBeat
from app.services import jobs
from app.services.registrations import book_seat
from tests import factories
from tests.server import flask_command, wait_for
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).with_name("flask")

pytestmark = pytest.mark.server


def _start_worker(database_url: str, smtp: SmtpServer, **extra) -> subprocess.Popen:
    return flask_command(
        database_url,
        "worker",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_SECURITY="none",
        MAIL_SENDER_PROCESS=1,
        MAIL_WATCH_SECONDS=0.2,
        WORKER_POLL_SECONDS=0.2,
        **extra,
    )


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _runs() -> list[JobRun]:
    db.session.expire_all()
    db.session.rollback()
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.job, JobRun.due_at)))


# -- the lease ---------------------------------------------------------------------------


def test_a_due_job_is_claimed_by_one_worker_only_and_moves_on(app):
    jobs.ensure_jobs()
    now = utcnow()
    due = jobs.claim("release-holds", "host-a:1", now)
    assert due is not None
    assert jobs.claim("release-holds", "host-b:2", now) is None  # held by the first
    assert jobs.finish("release-holds", "host-a:1", due, "ok", "0 frei")
    job = db.session.get(Job, "release-holds", populate_existing=True)
    assert job.claimed_until is None and job.last_outcome == "ok"
    assert job.due_at > now  # the next due time lies ahead
    assert jobs.claim("release-holds", "host-b:2", now) is None  # not due again yet
    (run,) = [r for r in _runs() if r.job == "release-holds"]
    assert (run.worker, run.outcome, run.due_at) == ("host-a:1", "ok", due)


def test_a_lapsed_lease_is_taken_over_and_the_late_holder_cannot_finish(app):
    app.config["JOB_LEASE_SECONDS"] = 1
    jobs.ensure_jobs()
    now = utcnow()
    due = jobs.claim("check-counts", "dead:1", now)
    assert jobs.claim("check-counts", "next:2", now + timedelta(milliseconds=500)) is None
    taken = jobs.claim("check-counts", "next:2", now + timedelta(seconds=2))
    assert taken == due  # the same due time, run again by the next worker
    assert not jobs.finish("check-counts", "dead:1", due, "ok", "zu spät")
    assert jobs.finish("check-counts", "next:2", due, "ok", "alle Platzzahlen stimmen")
    (run,) = [r for r in _runs() if r.job == "check-counts"]
    assert (run.worker, run.takeovers, run.outcome) == ("next:2", 1, "ok")


def test_next_due_skips_the_times_missed_while_no_worker_ran():
    start = utcnow()
    assert jobs.next_due(start, 60, start + timedelta(seconds=10)) == start + timedelta(seconds=60)
    assert jobs.next_due(start, 60, start + timedelta(seconds=601)) == start + timedelta(
        seconds=660
    )


def test_a_failing_job_fails_its_run_and_the_others_still_run(app, monkeypatch):
    def broken() -> str:
        raise RuntimeError("kaputt")

    broken_kind = jobs.JobKind("check-counts", "Platzzahlen prüfen", broken, 86400)
    monkeypatch.setattr(jobs, "JOBS", (*jobs.JOBS[:-1], broken_kind))
    monkeypatch.setitem(jobs.BY_NAME, "check-counts", broken_kind)
    jobs.ensure_jobs()
    done = dict(jobs.run_due("solo:1"))
    assert done["check-counts"] == "failed"
    assert done["release-holds"] == "ok" and done["purge-old-data"] == "ok"
    job = db.session.get(Job, "check-counts", populate_existing=True)
    assert job.last_outcome == "failed" and "kaputt" in job.last_summary
    assert job.last_success_at is None
    assert job.due_at <= utcnow() + timedelta(seconds=300)  # tried again soon


# -- real workers ------------------------------------------------------------------------


def test_two_workers_share_the_jobs_and_the_mail_and_stop_on_term(
    app_factory, migrated_database, smtp
):
    app = app_factory(MAIL_SENDER_PROCESS=True)
    every = {"JOB_RELEASE_HOLDS_SECONDS": 1, "JOB_CHECK_COUNTS_SECONDS": 1}
    with app.app_context():
        seminar = factories.seminar()
        workers = [_start_worker(migrated_database, smtp, **every) for _ in range(2)]
        started = time.monotonic()
        try:
            # both have started (a slow machine takes seconds to load the app)
            assert wait_for(
                lambda: (
                    len(db.session.scalars(sa.select(WorkerBeat)).all()) == 2
                    or db.session.rollback()
                ),
                90.0,
            ), "the workers did not start"
            for n in range(6):
                book_seat(seminar.id, factories.applicant(n))
            delivered = wait_for(lambda: len(smtp.messages) >= 6, 60.0)
            if not delivered:
                for worker in workers:
                    worker.send_signal(signal.SIGTERM)
                pytest.fail("mails not delivered: " + workers[0].communicate(timeout=20)[0])
            assert wait_for(lambda: sum(1 for r in _runs() if r.job == "release-holds") >= 3, 20.0)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=20)[0] for worker in workers]
        elapsed = time.monotonic() - started
        for worker, output in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, output
            assert "Worker beendet:" in output

        # every mail once
        recipients = [m["To"] for m in smtp.messages]
        assert len(recipients) == len(set(recipients)) == 6
        # each job once per due time, never more often than it is due
        runs = _runs()
        for name in ("release-holds", "check-counts"):
            mine = [r for r in runs if r.job == name]
            assert len({r.due_at for r in mine}) == len(mine)
            assert all(r.outcome == "ok" for r in mine)
            assert len(mine) <= elapsed / 1 + 1
        for name in ("send-reminders", "send-certificates", "purge-old-data"):
            assert len([r for r in runs if r.job == name]) == 1  # due at once, then in hours
        beats = db.session.scalars(sa.select(WorkerBeat)).all()
        assert len(beats) == 2 and all(b.stopped_at is not None for b in beats)
        confirmed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.state == RegistrationState.HELD)
        )
        assert confirmed == 0  # organisers' bookings in the test are vouched
