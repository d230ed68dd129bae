"""``flask send-certificates``: the mail after the seminar for seminars nobody closed."""

import click
from flask import Flask

from app.core.german import plural


def register_certificate_command(app: Flask) -> None:
    from app.services.after_seminar import DEFAULT_DAYS_AFTER

    @app.cli.command("send-certificates")
    @click.option(
        "--days-after",
        default=DEFAULT_DAYS_AFTER,
        show_default=True,
        help="Take seminars whose second day lies at least this many days back.",
    )
    def send_certificates(days_after: int) -> None:
        """Queue and send the mails after the seminar (run it daily from cron): each
        person who attended gets one mail, once, with the certificate after both days."""
        from app.core.timeutil import today_berlin
        from app.services.after_seminar import queue_due
        from app.services.outbox import deliver_pending

        seminars, queued = queue_due(today_berlin(), days_after)
        counts = {"sent": 0, "failed": 0}
        while True:  # in batches, until nothing is due or the server fails
            batch = deliver_pending()
            counts = {key: counts[key] + batch[key] for key in counts}
            if batch["sent"] + batch["failed"] == 0 or batch["failed"]:
                break
        click.echo(
            f"{plural(queued, 'E-Mail nach dem Seminar', 'E-Mails nach dem Seminar')} aus "
            f"{plural(seminars, 'Seminar', 'Seminaren')} erstellt; "
            f"{plural(counts['sent'], 'E-Mail')} versendet, {counts['failed']} nicht zugestellt."
        )
