"""Running the site: it refuses the example operator data outside debug, its mails carry
Message-IDs of the site's own domain, and its commands speak German and say truthfully
where an invitation is."""

import email
import email.policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import placeholder_settings
from app.extensions import db
from app.models import OutboxMail
from app.services.outbox import build_message
from tests import factories
from tests.smtp import SmtpServer, free_port

REAL_OPERATOR = {
    "OPERATOR_EMAIL": "info@vhs-nrw.test",
    "MAIL_SENDER": "Seminare Integrationsräte NRW <anmeldung@vhs-nrw.test>",
}


# -- the operator's data -------------------------------------------------------------


@pytest.fixture
def production(monkeypatch, migrated_database, mail_folder):
    """The environment of a real start: no debug, no TESTING, a secret key."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    for name in ("OPERATOR_EMAIL", "MAIL_SENDER", "ACCESSIBILITY_CONTACT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", migrated_database)
    monkeypatch.setenv("MAIL_FOLDER", mail_folder)
    return monkeypatch


def test_the_site_refuses_to_start_with_the_example_operator_data(production):
    with pytest.raises(RuntimeError) as refused:
        create_app()
    message = str(refused.value)
    assert message.startswith("Die Seite startet nicht")
    assert "OPERATOR_EMAIL (info@example.org)" in message
    assert "MAIL_SENDER" in message
    assert "Impressum" in message


def test_an_example_address_set_on_purpose_is_refused_too(production):
    production.setenv("OPERATOR_EMAIL", "kontakt@example.com")
    production.setenv("MAIL_SENDER", REAL_OPERATOR["MAIL_SENDER"])
    with pytest.raises(RuntimeError, match=r"OPERATOR_EMAIL \(kontakt@example.com\)"):
        create_app()
    production.setenv("OPERATOR_EMAIL", "")
    with pytest.raises(RuntimeError, match=r"OPERATOR_EMAIL \(leer\)"):
        create_app()


def test_the_site_starts_with_real_operator_data(production):
    for name, value in REAL_OPERATOR.items():
        production.setenv(name, value)
    app = create_app()
    assert app.config["OPERATOR_EMAIL"] == "info@vhs-nrw.test"
    with app.app_context():
        db.engine.dispose()


def test_debug_and_tests_start_with_the_examples(production):
    production.setenv("FLASK_DEBUG", "1")
    app = create_app()
    assert app.config["OPERATOR_EMAIL"] == "info@example.org"
    with app.app_context():
        db.engine.dispose()
    assert placeholder_settings({"OPERATOR_EMAIL": "info@example.org"}) == [
        "OPERATOR_EMAIL (info@example.org)"
    ]


# -- Message-IDs ---------------------------------------------------------------------


def test_message_ids_use_the_domain_of_the_site_address(app_factory):
    app = app_factory(BASE_URL="https://seminare.vhs-nrw.test/")
    with app.app_context():
        mail = OutboxMail(
            id=42,
            kind="links",
            recipient="person@example.org",
            subject="Betreff",
            text_body="Text",
            html_body="<p>Text</p>",
        )
        message = build_message(mail, "Seminare <anmeldung@vhs-nrw.test>")
    message_id = message["Message-ID"]
    assert message_id.startswith("<") and message_id.endswith("@seminare.vhs-nrw.test>")
    assert "outbox42" in message_id


# -- create-user -----------------------------------------------------------------------


def _create_user(runner, address: str):
    result = runner.invoke(args=["create-user", "--role", "admin", "--email", address])
    assert result.exit_code == 0, result.output
    return result.output


def _invitation(address: str) -> OutboxMail:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == address)).one()


def test_create_user_sends_the_invitation_at_once(app_factory):
    smtp = SmtpServer().start()
    try:
        app = app_factory(**smtp.settings(), BASE_URL="https://seminare.vhs-nrw.test")
        with app.app_context():
            output = _create_user(app.test_cli_runner(), "neu@vhs-nrw.example")
            assert "Konto angelegt für neu@vhs-nrw.example, Rolle: Landesebene" in output
            assert "Einladung versendet an neu@vhs-nrw.example." in output
            assert "https://seminare.vhs-nrw.test/manage/einladung/" in output
            (message,) = smtp.to("neu@vhs-nrw.example")
            assert message["Subject"].startswith("Einladung")
            assert _invitation("neu@vhs-nrw.example").sent_at is not None
    finally:
        smtp.stop()


def test_create_user_says_when_the_invitation_waits_in_the_outbox(app_factory):
    # nothing listens on this port: the mail server cannot be reached
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SECURITY="none")
    with app.app_context():
        runner = app.test_cli_runner()
        output = _create_user(runner, "wartet@vhs-nrw.example")
        assert "Einladung versendet" not in output
        assert "Einladung liegt im Postausgang" in output
        assert "flask send-mail" in output
        assert "/manage/einladung/" in output  # the link still comes, to pass on by hand
        assert _invitation("wartet@vhs-nrw.example").sent_at is None


def test_create_user_without_a_mail_server_names_the_file(app_factory, tmp_path):
    app = app_factory(MAIL_FOLDER=str(tmp_path))
    with app.app_context():
        output = _create_user(app.test_cli_runner(), "datei@vhs-nrw.example")
    assert f"als Datei abgelegt in {tmp_path}" in output
    assert "kein MAIL_SERVER" in output
    (written,) = Path(tmp_path).glob("*-invitation.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "datei@vhs-nrw.example"


# -- German command output -------------------------------------------------------------


def test_send_mail_speaks_german_with_agreeing_nouns(app, runner):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    db.session.commit()
    first = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "1 E-Mail versendet."
    factories.fill(seminar, 2, start=1)
    second = runner.invoke(args=["send-mail"])
    assert second.output.strip() == "2 E-Mails versendet."
