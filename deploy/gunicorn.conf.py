"""gunicorn settings for one app host (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Every value can be set in the environment file (deploy/seminare.env.example). The
Prometheus counters of all workers are kept in ``PROMETHEUS_MULTIPROC_DIR`` (cleared at
start, a dead worker's files marked), so that /metrics adds them up.
"""

import glob
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# longer than nginx keeps an idle upstream connection (keepalive_timeout 60s): nginx,
# never gunicorn, closes it, so no request meets a connection closed under it
keepalive = 75
# never more than nginx sends on: the app's own limit is MAX_CONTENT_LENGTH
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
# one line per request, with the request id the app answers with (X-Request-ID)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for stale in glob.glob(os.path.join(folder, "*.db")):
            os.remove(stale)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
