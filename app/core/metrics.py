"""The site's figures for Prometheus (``prometheus-client``), counted where they happen.

Under gunicorn each worker process counts on its own; with ``PROMETHEUS_MULTIPROC_DIR``
set (deploy/gunicorn.conf.py sets it and clears it at start) the client keeps the
counts in files there and ``/metrics`` adds up all workers (multiprocess mode). Figures
that the database holds (the outbox, the jobs) are read when ``/metrics`` is asked
(``app.health.metrics``), so every instance reports the same.
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "seminare_http_requests_total",
    "HTTP requests answered, by route, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "seminare_http_request_duration_seconds",
    "Time to answer a request, by route.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS = Counter(
    "seminare_bookings_total",
    "Registrations booked, by outcome (held, confirmed, waitlisted, refused).",
    ["outcome"],
)
PAGE_CACHE = Counter(
    "seminare_page_cache_total",
    "Public pages asked of the page cache, by result (hit, miss).",
    ["result"],
)


def count_booking(outcome: str) -> None:
    BOOKINGS.labels(outcome).inc()


def count_page(hit: bool) -> None:
    PAGE_CACHE.labels("hit" if hit else "miss").inc()


def requests_counted(config) -> bool:
    """Whether requests are counted: only where ``/metrics`` is served."""
    return bool(config["METRICS_TOKEN"] or config["METRICS_OPEN"])


def count_request(endpoint: str, method: str, status: int, seconds: float | None) -> None:
    REQUESTS.labels(endpoint, method, str(status)).inc()
    if seconds is not None:
        LATENCY.labels(endpoint).observe(seconds)
