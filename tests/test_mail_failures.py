"""Mail failures are classified against a real SMTP server on loopback: one bad address
never holds up the others, temporary failures are retried a bounded number of times,
internationalised domains travel in their IDNA form."""

import idna
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail
from app.services.outbox import deliver_pending, smtp_seems_down
from tests import factories
from tests.smtp import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer(smtputf8=False).start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.settings(), BASE_URL="https://seminare.example", MAIL_MAX_ATTEMPTS=3)
    with app.app_context():
        yield app


def _register(client, seminar, n, email):
    response = client.post(
        f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n, email=email)
    )
    assert response.status_code == 303, response.text
    response.close()  # the outbox is delivered once the response is done


def _mail_to(address: str) -> OutboxMail:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == address)).one()


def _retry_now(mail: OutboxMail) -> None:
    """Let the backoff pass, as the clock would."""
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == mail.id)
        .values(next_attempt_at=mail.created_at)
    )
    db.session.commit()


def test_a_refused_address_fails_at_once_and_the_next_mail_goes_out_at_once(mail_app, smtp):
    smtp.reject("gibt.es.nicht@example.org")
    client, seminar = mail_app.test_client(), factories.seminar()
    _register(client, seminar, 0, "gibt.es.nicht@example.org")
    _register(client, seminar, 1, "anna@example.org")

    assert len(smtp.to("anna@example.org")) == 1  # no cron needed
    poison = _mail_to("gibt.es.nicht@example.org")
    assert poison.failed_at is not None and poison.sent_at is None
    assert "550" in poison.last_error
    assert not smtp_seems_down()
    assert deliver_pending() == {"sent": 0, "failed": 0}  # never retried


def test_a_temporary_refusal_is_retried_then_given_up(mail_app, smtp):
    smtp.reject("voll@example.org", "452 4.2.2 Mailbox full")
    client, seminar = mail_app.test_client(), factories.seminar()
    _register(client, seminar, 0, "voll@example.org")
    _register(client, seminar, 1, "anna@example.org")
    assert len(smtp.to("anna@example.org")) == 1  # a 4xx pauses nobody else

    mail = _mail_to("voll@example.org")
    assert mail.attempts == 1 and mail.failed_at is None and mail.next_attempt_at > mail.created_at
    assert deliver_pending() == {"sent": 0, "failed": 0}  # waits for its backoff
    for attempt in (2, 3):
        _retry_now(mail)
        assert deliver_pending() == {"sent": 0, "failed": 1}
        mail = _mail_to("voll@example.org")
        assert mail.attempts == attempt
    assert mail.failed_at is not None  # MAIL_MAX_ATTEMPTS = 3: no fourth try
    _retry_now(mail)
    assert deliver_pending() == {"sent": 0, "failed": 0}


def test_an_internationalised_domain_travels_in_idna_form(mail_app, smtp):
    client, seminar = mail_app.test_client(), factories.seminar()
    _register(client, seminar, 0, "anna@müller-bau.example")
    (recipient,) = smtp.inbox.recipients
    local, domain = recipient.split("@")
    assert recipient.isascii() and domain.startswith("xn--")
    assert (local, idna.decode(domain)) == ("anna", "müller-bau.example")
    assert _mail_to("anna@müller-bau.example").sent_at is not None


def test_a_local_part_the_server_cannot_take_fails_without_pausing_delivery(mail_app, smtp):
    client, seminar = mail_app.test_client(), factories.seminar()
    _register(client, seminar, 0, "jürgen@example.org")
    _register(client, seminar, 1, "anna@example.org")
    refused = _mail_to("jürgen@example.org")
    assert refused.failed_at is not None and "SMTPUTF8" in refused.last_error
    assert len(smtp.to("anna@example.org")) == 1


def test_a_server_that_offers_smtputf8_gets_the_local_part_as_typed(app_factory):
    server = SmtpServer(smtputf8=True).start()
    try:
        app = app_factory(**server.settings())
        with app.app_context():
            _register(app.test_client(), factories.seminar(), 0, "jürgen@example.org")
            assert server.inbox.recipients == ["jürgen@example.org"]
    finally:
        server.stop()


def test_admins_see_failed_mails_with_their_reason(mail_app, smtp):
    smtp.reject("gibt.es.nicht@example.org")
    client = mail_app.test_client()
    _register(client, factories.seminar(), 0, "gibt.es.nicht@example.org")
    factories.login(client, factories.user("admin"))
    page = client.get("/manage/admin/postausgang")
    assert page.status_code == 200
    assert "gibt.es.nicht@example.org" in page.text
    assert "550" in page.text
