"""Flask commands: ``flask --app wsgi seed-demo`` and friends."""

import signal
import threading
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from app.commands.certificates import register_certificate_command
from app.core.german import plural
from app.extensions import db
from app.models import OutboxMail, Programme


def register_commands(app: Flask) -> None:
    _register_user_command(app)
    _register_scale_command(app)
    _register_mail_commands(app)
    _register_count_command(app)
    _register_hold_command(app)
    _register_worker_command(app)
    _register_backup_commands(app)
    register_certificate_command(app)

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
            click.echo("Die Datenbank enthält schon Daten; die Demodaten wurden nicht geladen.")
            if app.debug and saved_logins(logins_file):
                click.echo(saved_logins(logins_file))
            return
        summary = seed()
        click.echo(
            f"Demodaten geladen: {plural(summary['vhs'], 'VHS')}, "
            f"{plural(summary['seminars'], 'Seminar')}, "
            f"{plural(summary['registrations'], 'Anmeldung')}."
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
            f"Hinzugefügt: {plural(summary['seminars'], 'Seminar')}, "
            f"{plural(summary['registrations'], 'Anmeldung')}."
        )


def _register_user_command(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True, help="The person's e-mail address (their login).")
    @click.option(
        "--role",
        type=click.Choice(["admin", "vhs", "contact", "observer"]),
        required=True,
        help="Scope (observer: figures only, read only).",
    )
    @click.option("--vhs", "vhs_slug", help="For role vhs: the VHS's slug (as in /vhs/<slug>).")
    @click.option("--council", "council_town", help="For role contact: the council's town.")
    @click.option("--name", default="", help="Display name.")
    def create_user_command(email, role, vhs_slug, council_town, name):
        """Create an organiser account, send its invitation and print its one-time link."""
        from app.models import Council, Role, User, Vhs
        from app.rules import normalize_email
        from app.services.accounts import create_user
        from app.web.validators import check_email

        # the login form's own check: an address it refuses could never log in
        error = check_email(email)
        if error:
            raise click.ClickException(f"{email}: {error}")
        email = normalize_email(email)
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            raise click.ClickException(f"Für {email} gibt es schon ein Konto.")
        vhs_id = council_id = None
        if role == Role.VHS:
            vhs_id = db.session.scalar(sa.select(Vhs.id).where(Vhs.slug == (vhs_slug or "")))
            if vhs_id is None:
                raise click.ClickException(
                    "Die Rolle vhs braucht --vhs mit der Kurzadresse einer vorhandenen VHS "
                    "(wie in /vhs/<kurzadresse>)."
                )
        if role == Role.CONTACT:
            council_id = db.session.scalar(
                sa.select(Council.id).where(Council.town == (council_town or ""))
            )
            if council_id is None:
                raise click.ClickException(
                    "Die Rolle contact braucht --council mit dem Ort eines vorhandenen Gremiums."
                )
        user, token = create_user(
            email=email, role=Role(role), name=name, vhs_id=vhs_id, council_id=council_id
        )
        base = app.config["BASE_URL"].rstrip("/")
        click.echo(f"Konto angelegt für {email}, Rolle: {Role(role).label}.")
        click.echo(_deliver_invitation(app, user.email))
        click.echo(
            f"Einladungslink (7 Tage gültig, nur einmal nutzbar): {base}/manage/einladung/{token}"
        )


def _invitation_mail(email: str) -> OutboxMail | None:
    """The newest invitation queued for ``email``."""
    return db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.kind == "invitation", OutboxMail.recipient == email)
        .order_by(OutboxMail.id.desc())
        .limit(1)
    ).first()


def _deliver_invitation(app: Flask, email: str) -> str:
    """Send the invitation now (a command has no response after which the outbox is
    delivered) and say truthfully where it is."""
    from app.services.outbox import deliver_pending

    queued = _invitation_mail(email)
    if queued is None:
        return "Es wurde keine Einladungs-E-Mail erstellt; geben Sie den Link unten weiter."
    mail_id = queued.id
    db.session.rollback()  # end the read: delivery writes in transactions of its own
    deliver_pending(only=[mail_id])
    mail = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if mail.sent_at is not None:
        if not app.config["MAIL_SERVER"]:
            return (
                f"Einladung an {email} als Datei abgelegt in {app.config['MAIL_FOLDER']} "
                "(kein MAIL_SERVER eingestellt, daher kein Versand)."
            )
        return f"Einladung versendet an {email}."
    if getattr(mail, "failed_at", None) is not None:
        return (
            f"Die Einladung an {email} ließ sich nicht zustellen ({mail.last_error}). "
            "Bitte geben Sie den Link unten selbst weiter."
        )
    reason = f" ({mail.last_error})" if mail.last_error else ""
    return (
        f"Einladung liegt im Postausgang{reason}: mit `flask send-mail` versenden, "
        "sobald der Mailserver erreichbar ist, oder den Link unten selbst weitergeben."
    )


def _register_mail_commands(app: Flask) -> None:
    @app.cli.command("send-mail")
    @click.option(
        "--watch",
        is_flag=True,
        help="Keep running and deliver each mail as it is queued (stop with Ctrl-C or TERM).",
    )
    def send_mail(watch: bool) -> None:
        """Deliver the mails still waiting in the outbox (retries with backoff)."""
        from app.services.outbox import deliver_pending
        from app.services.outbox import watch as watch_outbox

        if watch:
            stopping = _stop_on_signals()
            click.echo("Der E-Mail-Versand läuft (Beenden mit Strg-C).")
            total = watch_outbox(stopping.is_set, app.config["MAIL_WATCH_SECONDS"])
            click.echo(f"Versand beendet: {plural(total['sent'], 'E-Mail')} versendet.")
            return
        total = {"sent": 0, "failed": 0}
        while True:
            counts = deliver_pending()
            total = {key: total[key] + counts[key] for key in total}
            if counts["sent"] + counts["failed"] == 0 or counts["failed"]:
                break
        line = f"{plural(total['sent'], 'E-Mail')} versendet"
        if total["failed"]:
            line += (
                f", {plural(total['failed'], 'E-Mail')} nicht zugestellt "
                "(bei vorübergehenden Fehlern folgt ein neuer Versuch)"
            )
        click.echo(line + ".")

    @app.cli.command("purge-old-data")
    def purge_old_data() -> None:
        """Delete registrations RETENTION_MONTHS after their seminar, and old mails; the
        figures funding needs are frozen first."""
        from app.core.timeutil import today_berlin
        from app.services.retention import purge

        done = purge(today_berlin(), app.config["RETENTION_MONTHS"])
        click.echo(
            "Zahlen für die Förderübersicht von "
            f"{plural(done['frozen'], 'Seminar', 'Seminaren')} eingefroren; "
            f"{plural(done['registrations'], 'Anmeldung')} und "
            f"{plural(done['mails'], 'E-Mail')} gelöscht."
        )

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue and send reminders before the first seminar day (run it hourly from cron)."""
        from app.core.timeutil import today_berlin
        from app.services.outbox import deliver_pending
        from app.services.reminders import queue_due_reminders

        queued = queue_due_reminders(today_berlin(), app.config["REMINDER_DAYS"])
        counts = deliver_pending()
        click.echo(
            f"{plural(queued, 'Erinnerung')} erstellt; {plural(counts['sent'], 'E-Mail')} "
            f"versendet, {counts['failed']} nicht zugestellt."
        )


def _register_count_command(app: Flask) -> None:
    @app.cli.command("check-counts")
    @click.option("--dry-run", is_flag=True, help="Only report, repair nothing.")
    def check_counts_command(dry_run: bool) -> None:
        """Compare each seminar's kept seat counts with its registrations; repair drift."""
        from app.services.registrations import check_counts

        drift = check_counts(repair=not dry_run)
        for seminar_id, state, kept, counted in drift:
            click.echo(f"Seminar {seminar_id}, {state}: gespeichert {kept}, gezählt {counted}")
        if not drift:
            click.echo("Alle Platzzahlen stimmen mit den Anmeldungen überein.")
        elif dry_run:
            click.echo("Nichts geändert (--dry-run).")
        else:
            click.echo("Die Platzzahlen sind korrigiert.")


def _register_hold_command(app: Flask) -> None:
    @app.cli.command("release-holds")
    def release_holds_command() -> None:
        """Release held places whose address was not proven in time (run it from cron)."""
        from app.core.german import plural
        from app.services.outbox import deliver_pending
        from app.services.registrations import release_holds

        released = release_holds()
        counts = deliver_pending()
        click.echo(
            f"{plural(released, 'vorgemerkter Platz', 'vorgemerkte Plätze')} freigegeben; "
            f"{plural(counts['sent'], 'E-Mail')} versendet."
        )


def _register_worker_command(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option(
        "--no-mail",
        is_flag=True,
        help="Run the periodic jobs only (when another process delivers the mail).",
    )
    def worker(no_mail: bool) -> None:
        """Run everything that is not a web request beside the site: mail delivery and
        the periodic jobs (release holds, reminders, certificates, purge, count check),
        each on its own schedule (JOB_<NAME>_SECONDS). Stop with Ctrl-C or TERM."""
        from app.commands.worker import run_worker

        stopping = _stop_on_signals()
        click.echo(
            "Der Worker läuft: E-Mail-Versand und regelmäßige Aufgaben (Beenden mit Strg-C)."
        )
        total = run_worker(app, stopping, mail=not no_mail)
        click.echo(f"Worker beendet: {plural(total['sent'], 'E-Mail')} versendet.")


def _register_backup_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Write a consistent copy of the database to PATH while the site serves (SQLite:
        its online backup; PostgreSQL: pg_dump in its custom format)."""
        import time

        from app.services.backup import BackupRefused, backup

        started = time.monotonic()
        db.session.remove()
        try:
            written = backup(app.config["SQLALCHEMY_DATABASE_URI"], path)
        except BackupRefused as refused:
            raise click.ClickException(str(refused)) from refused
        size = written.stat().st_size / 1e6
        click.echo(
            f"Sicherung geschrieben: {written} ({size:.1f} MB, {time.monotonic() - started:.1f} s)."
        )

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def restore_command(path: Path) -> None:
        """Bring the copy PATH (from flask backup) back into the database, which must be
        empty (a new database: create it, then run this instead of flask db upgrade)."""
        import time

        from app.services.backup import BackupRefused, restore

        started = time.monotonic()
        db.session.remove()
        db.engine.dispose()
        try:
            restore(app.config["SQLALCHEMY_DATABASE_URI"], path)
        except BackupRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Sicherung zurückgespielt aus {path} ({time.monotonic() - started:.1f} s).")


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the long-running sender finishes the mail in hand
    and stops."""
    stopping = threading.Event()

    def _stop(_signum, _frame):
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stopping
