"""What the worker beside the site keeps: the periodic jobs with their leases, each run
of a job, and each worker's heartbeat (``app.services.jobs``)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class Job(db.Model):
    """A periodic job: when it is next due, and who holds it while it runs (a lease that
    lapses, so a worker that died mid-job leaves it to the next)."""

    __tablename__ = "job"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    due_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    # "ok" or "failed" (empty before the first run)
    last_outcome: Mapped[str] = mapped_column(sa.String(10), default="")
    last_summary: Mapped[str] = mapped_column(sa.String(500), default="")


class JobRun(db.Model):
    """One run of a job for one due time: at most one per due time, whichever worker."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "due_at", name="uq_job_run_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(40), index=True)
    due_at: Mapped[datetime]
    worker: Mapped[str] = mapped_column(sa.String(120))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # "running", "ok" or "failed"
    outcome: Mapped[str] = mapped_column(sa.String(10), default="running")
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    # how often a worker took the run over after another's lease lapsed
    takeovers: Mapped[int] = mapped_column(default=0)


class WorkerBeat(db.Model):
    """A worker's heartbeat: seen every few seconds while it runs."""

    __tablename__ = "worker_beat"

    worker: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    stopped_at: Mapped[datetime | None]
