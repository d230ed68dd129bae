"""Flask commands: ``flask --app wsgi seed-demo`` and friends."""

from pathlib import Path

import click
from flask import Flask

from app.extensions import db
from app.models import Programme


def register_commands(app: Flask) -> None:
    _register_user_command(app)
    _register_scale_command(app)
    _register_mail_commands(app)

    @app.cli.command("seed-demo")
    @click.option(
        "--if-empty", is_flag=True, help="Only seed when the database holds no programme."
    )
    def seed_demo(if_empty: bool) -> None:
        """Load believable demo data: VHS, councils, seminars and registrations; in debug
        mode also one login per role, printed (and printed again on later runs)."""
        from app.commands.demo import create_demo_logins, format_logins, saved_logins, seed

        logins_file = Path(app.config["DEMO_LOGINS_FILE"])
        if if_empty and db.session.scalar(db.select(Programme.id).limit(1)) is not None:
            click.echo("The database already holds data; demo data not loaded.")
            if app.debug and saved_logins(logins_file):
                click.echo(saved_logins(logins_file))
            return
        summary = seed()
        click.echo(
            f"Demo data loaded: {summary['vhs']} VHS, {summary['seminars']} seminars, "
            f"{summary['registrations']} registrations."
        )
        if app.debug:
            click.echo(format_logins(create_demo_logins(logins_file)))


def _register_scale_command(app: Flask) -> None:
    @app.cli.command("seed-scale")
    @click.option("--seminars", default=100, show_default=True)
    @click.option("--registrations", default=2000, show_default=True)
    def seed_scale(seminars: int, registrations: int) -> None:
        """Add many seminars and registrations (for benchmarks)."""
        from app.commands.demo import scale

        summary = scale(seminars, registrations)
        click.echo(
            f"Added {summary['seminars']} seminars, {summary['registrations']} registrations."
        )


def _register_user_command(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True, help="The person's e-mail address (their login).")
    @click.option(
        "--role", type=click.Choice(["admin", "vhs", "contact"]), required=True, help="Scope."
    )
    @click.option("--vhs", "vhs_slug", help="For role vhs: the VHS's slug (as in /vhs/<slug>).")
    @click.option("--council", "council_town", help="For role contact: the council's town.")
    @click.option("--name", default="", help="Display name.")
    def create_user_command(email, role, vhs_slug, council_town, name):
        """Create an organiser account and print its one-time invitation link."""
        import sqlalchemy as sa

        from app.models import Council, Role, User, Vhs
        from app.rules import normalize_email
        from app.services.accounts import create_user

        email = normalize_email(email)
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            raise click.ClickException(f"An account for {email} exists already.")
        vhs_id = council_id = None
        if role == "vhs":
            vhs_id = db.session.scalar(sa.select(Vhs.id).where(Vhs.slug == (vhs_slug or "")))
            if vhs_id is None:
                raise click.ClickException("Role vhs needs --vhs with the slug of an existing VHS.")
        if role == "contact":
            council_id = db.session.scalar(
                sa.select(Council.id).where(Council.town == (council_town or ""))
            )
            if council_id is None:
                raise click.ClickException(
                    "Role contact needs --council with the town of an existing council."
                )
        _user, token = create_user(
            email=email, role=Role(role), name=name, vhs_id=vhs_id, council_id=council_id
        )
        base = app.config["BASE_URL"].rstrip("/")
        click.echo(f"Account created for {email} ({role}).")
        click.echo(f"Invitation link (valid 7 days, once): {base}/manage/einladung/{token}")


def _register_mail_commands(app: Flask) -> None:
    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Deliver the mails still waiting in the outbox (retries with backoff)."""
        from app.services.outbox import deliver_pending

        total = {"sent": 0, "failed": 0}
        while True:
            counts = deliver_pending()
            total = {key: total[key] + counts[key] for key in total}
            if counts["sent"] + counts["failed"] == 0 or counts["failed"]:
                break
        click.echo(f"Sent {total['sent']} mails, {total['failed']} failed (will be retried).")

    @app.cli.command("purge-old-data")
    def purge_old_data() -> None:
        """Delete registrations RETENTION_MONTHS after their seminar, and old mails."""
        from app.core.timeutil import today_berlin
        from app.services.retention import purge

        done = purge(today_berlin(), app.config["RETENTION_MONTHS"])
        click.echo(f"Deleted {done['registrations']} registrations and {done['mails']} mails.")

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue and send reminders before the first seminar day (run it hourly from cron)."""
        from app.core.timeutil import today_berlin
        from app.services.outbox import deliver_pending
        from app.services.reminders import queue_due_reminders

        queued = queue_due_reminders(today_berlin(), app.config["REMINDER_DAYS"])
        counts = deliver_pending()
        click.echo(f"Queued {queued} reminders; sent {counts['sent']}, failed {counts['failed']}.")
