"""``/metrics``: the counters of every worker process, and what the database holds."""

import os
import time
from datetime import UTC as _UTC

from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from app.core import metrics


class DatabaseFigures:
    """The outbox and the periodic jobs, read at each scrape (the same on every host)."""

    def collect(self):
        from app.services import operations

        box = operations.outbox(failures=0)
        mails = GaugeMetricFamily(
            "seminare_outbox_mails", "Mails in the outbox, by state.", labels=["state"]
        )
        for state, count in (
            ("waiting", box.waiting),
            ("due", box.due),
            ("failed", box.failed),
            ("sent", box.sent),
        ):
            mails.add_metric([state], count)
        yield mails
        yield GaugeMetricFamily(
            "seminare_outbox_oldest_unsent_age_seconds",
            "Age of the oldest mail not yet sent (0 when none waits).",
            value=box.oldest_age_seconds,
        )
        success = GaugeMetricFamily(
            "seminare_job_last_success_timestamp_seconds",
            "When each periodic job last ran without error (Unix time; 0: never).",
            labels=["job"],
        )
        for state in operations.job_states():
            at = state.row.last_success_at if state.row else None
            success.add_metric(
                [state.kind.name], at.replace(tzinfo=_UTC).timestamp() if at else 0.0
            )
        yield success
        workers = operations.workers()
        yield GaugeMetricFamily(
            "seminare_worker_last_seen_timestamp_seconds",
            "The newest heartbeat of any worker (Unix time; 0: never).",
            value=workers.last_seen.replace(tzinfo=_UTC).timestamp() if workers.last_seen else 0.0,
        )


def exposition() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (metrics.REQUESTS, metrics.LATENCY, metrics.BOOKINGS, metrics.PAGE_CACHE):
            registry.register(collector)
    registry.register(DatabaseFigures())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def init_request_metrics(app: Flask) -> None:
    """Count and time every request by its route (only where /metrics is served; answers
    replayed before Flask are counted where they are, ``app.web.page_cache.ready``)."""
    if not metrics.requests_counted(app.config):
        return

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        metrics.count_request(
            request.endpoint or "unknown",
            request.method,
            response.status_code,
            None if started is None else time.perf_counter() - started,
        )
        return response
