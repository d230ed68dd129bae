"""``flask worker``: everything that is not a web request, in one process beside the site.

One loop: deliver what the outbox holds (as ``flask send-mail --watch`` does), run the
periodic jobs that are due (``app.services.jobs``), write the heartbeat, then wait
``MAIL_WATCH_SECONDS`` (jobs are looked at every ``WORKER_POLL_SECONDS``). Several
workers on several hosts may run at once: mails and jobs are claimed in the database, so
each mail is sent once and each job runs once per due time. TERM or Ctrl-C stops the
worker after the mail or job in hand; what is left stays for the next start.
"""

import logging
import threading
import time

from flask import Flask

from app.extensions import db
from app.services import jobs
from app.services.outbox import deliver_pending

log = logging.getLogger(__name__)


def run_worker(app: Flask, stopping: threading.Event, mail: bool = True) -> dict[str, int]:
    """Run until ``stopping`` is set; returns the mails sent and failed."""
    total = {"sent": 0, "failed": 0}
    with app.app_context():
        name = jobs.worker_name()
        log.info("worker %s started (mail: %s)", name, "yes" if mail else "no")
        ready, jobs_next = False, 0.0
        while not stopping.is_set():
            busy = False
            try:
                if mail:
                    counts = deliver_pending()
                    total = {key: total[key] + counts[key] for key in total}
                    busy = counts["sent"] + counts["failed"] > 0
                if time.monotonic() >= jobs_next:
                    if not ready:
                        jobs.ensure_jobs()
                        ready = True
                    jobs.beat(name)
                    jobs.run_due(name, stopping.is_set)
                    jobs_next = time.monotonic() + app.config["WORKER_POLL_SECONDS"]
            except Exception:  # the database away, say: log it, wait, go on
                log.exception("worker %s: a round failed; trying again", name)
                busy = False
            finally:
                db.session.remove()
            if not busy:
                stopping.wait(app.config["MAIL_WATCH_SECONDS"])
        try:
            jobs.beat(name, stopped=True)
        except Exception:
            log.exception("worker %s: last heartbeat not written", name)
        finally:
            db.session.remove()
    log.info("worker %s stopped", name)
    return total
