"""The sender apart from the web workers: ``flask send-mail --watch`` delivers a booking's
mail while it runs, stops cleanly on TERM and loses nothing while it is stopped."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail
from app.services.registrations import book_seat
from tests import factories
from tests.server import flask_command, wait_for
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).with_name("flask")

pytestmark = pytest.mark.server


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _start_sender(database_url: str, smtp: SmtpServer) -> subprocess.Popen:
    return flask_command(
        database_url,
        "send-mail",
        "--watch",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_SECURITY="none",
        MAIL_SENDER_PROCESS=1,
        MAIL_WATCH_SECONDS=0.2,
    )


def test_the_sender_delivers_within_two_seconds_and_stops_without_losing_mail(
    app_factory, migrated_database, smtp
):
    app = app_factory(MAIL_SENDER_PROCESS=True)  # the web side never delivers itself
    with app.app_context():
        seminar = factories.seminar()
        sender = _start_sender(migrated_database, smtp)
        try:
            assert wait_for(lambda: sender.poll() is None, 1.0)
            book_seat(seminar.id, factories.applicant(0))
            # a bound for a busy machine, not a timing: bench measures the latency
            assert wait_for(lambda: smtp.to("person0@example.org"), 10.0), "no mail"
        finally:
            sender.send_signal(signal.SIGTERM)
            output, _ = sender.communicate(timeout=15)
        assert sender.returncode == 0, output
        assert "Versand beendet: 1 E-Mail versendet." in output

        # queued while no sender runs: still there, and delivered by the next one
        book_seat(seminar.id, factories.applicant(1))
        time.sleep(0.5)
        assert smtp.to("person1@example.org") == []
        again = _start_sender(migrated_database, smtp)
        try:
            assert wait_for(lambda: smtp.to("person1@example.org"), 10.0)
        finally:
            again.send_signal(signal.SIGTERM)
            again.communicate(timeout=15)
        assert len(smtp.to("person0@example.org")) == 1  # nothing twice


def test_the_sender_goes_on_past_a_mail_that_cannot_be_built(app_factory, migrated_database, smtp):
    """An address that no header can take (stored before the forms refused it) fails that
    mail with its reason; the sender keeps running and sends the next one."""
    app = app_factory(MAIL_SENDER_PROCESS=True)
    with app.app_context():
        seminar = factories.seminar()
        poison = book_seat(seminar.id, factories.applicant(0, email="=?utf-8?q?x=0D=0Ay?=@ex.org"))
        book_seat(seminar.id, factories.applicant(1))
        sender = _start_sender(migrated_database, smtp)
        try:  # generous bounds: the process starts slowly on a busy machine
            assert wait_for(lambda: smtp.to("person1@example.org"), 60.0), "no mail"
            assert sender.poll() is None  # still watching
            book_seat(seminar.id, factories.applicant(2))
            assert wait_for(lambda: smtp.to("person2@example.org"), 60.0), "no mail"
        finally:
            sender.send_signal(signal.SIGTERM)
            output, _ = sender.communicate(timeout=15)
        assert sender.returncode == 0, output
        db.session.expire_all()
        failed = db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.registration_id == poison.id)
        ).one()
        assert failed.failed_at is not None and "kodierte Wörter" in failed.last_error
