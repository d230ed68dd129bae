"""Mail through the durable outbox to a real SMTP server on loopback."""

import email
import email.policy
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g
from icalendar import Calendar

from app.core.timeutil import today_berlin, utcnow
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationLink, RegistrationState
from app.services import outbox
from app.services.registrations import book_seat, cancel_registration
from tests import factories
from tests.smtp import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.settings(), BASE_URL="https://seminare.example")
    with app.app_context():
        yield app


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


def _register(client, seminar, n=0, **changes):
    response = client.post(
        f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n, **changes)
    )
    assert response.status_code == 303
    response.close()  # the outbox is delivered once the response is done
    return response


def _registration(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalars(sa.select(Registration).where(Registration.email == email)).one()


LINK = re.compile(r"https://seminare\.example/anmeldung/([A-Za-z0-9_-]{20,})")


def _token_in(message) -> str:
    """The secret of the personal link a mail carries."""
    return LINK.search(_text(message)).group(1)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _ics(message) -> Calendar | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_content())
    return None


def test_confirmation_mail_has_everything_and_a_calendar_file(mail_client, smtp):
    seminar = factories.seminar()
    _register(mail_client, seminar, last_name="Nguyễn", first_name="Thị Lan")
    (held,) = smtp.to("person0@example.org")
    # one colon, read as a sentence
    assert held["Subject"] == (
        f"Bitte bestätigen: Platz vorgemerkt im Basismodul in Düsseldorf am "
        f"{factories_date(seminar.day1)}"
    )
    text = _text(held)
    assert "Guten Tag Thị Lan Nguyễn" in text
    assert "Ihr Platz im Seminar ist für Sie vorgemerkt. Bitte bestätigen Sie ihn bis" in text
    day1 = seminar.day1
    assert f"1. Tag: {factories_date(day1)}, 9:00–17:00 Uhr" in text
    assert "Bildungszentrum, Raum 2, Marktplatz 5, 40213 Düsseldorf" in text
    assert seminar.vhs.contact_email in text
    token = _token_in(held)
    link = f"https://seminare.example/anmeldung/{token}"
    assert f'href="{link}"' in _html(held)
    assert _ics(held) is None  # no calendar entry for a place not yet confirmed

    opened = mail_client.get(f"/anmeldung/{token}")
    assert "Platz bestätigen" in opened.text  # opening alone confirms nothing
    opened.close()
    assert len(smtp.to("person0@example.org")) == 1
    confirmed = mail_client.post(f"/anmeldung/{token}/bestaetigen", follow_redirects=True)
    assert "Ihre E-Mail-Adresse ist bestätigt und Ihr Platz ist fest" in confirmed.text
    confirmed.close()
    held, message = smtp.to("person0@example.org")
    assert message["Subject"].startswith("Anmeldung bestätigt: Basismodul in Düsseldorf")
    assert "Ihr Platz im Seminar ist bestätigt" in _text(message)
    calendar = _ics(message)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    first = events[0]
    assert first.decoded("dtstart").date() == day1
    assert str(first.decoded("dtstart").tzinfo) == "Europe/Berlin"
    assert first.decoded("dtstart").hour == 9
    assert first.decoded("dtend").hour == 17
    assert "Düsseldorf" in str(first["location"])
    assert len(list(first.walk("VALARM"))) == 1
    assert len(list(calendar.walk("VTIMEZONE"))) == 1


def factories_date(day):
    from app.core.formatting import date_long

    return date_long(day)


def test_waitlisted_mail_names_the_position_and_has_no_calendar_entry(mail_client, smtp):
    seminar = factories.seminar(capacity=1)
    _register(mail_client, seminar, 0)
    _register(mail_client, seminar, 1)
    (message,) = smtp.to("person1@example.org")
    assert message["Subject"].startswith("Warteliste Platz 1")
    assert "Sie stehen auf Platz 1 der Warteliste" in _text(message)
    assert _ics(message) is None


def test_html_part_escapes_what_people_typed(mail_client, smtp):
    seminar = factories.seminar()
    _register(mail_client, seminar, last_name="O'Neill & Söhne")
    html = _html(smtp.to("person0@example.org")[0])
    assert "O&#39;Neill &amp; Söhne" in html


def test_self_service_link_verifies_then_cancels_and_moves_the_first_waitlisted_up(
    mail_client, smtp
):
    seminar = factories.seminar(capacity=1)
    _register(mail_client, seminar, 0)
    _register(mail_client, seminar, 1)
    _register(mail_client, seminar, 2)
    first = _registration("person0@example.org")
    first_token = _token_in(smtp.to("person0@example.org")[0])
    assert first.email_verified_at is None
    page = mail_client.post(f"/anmeldung/{first_token}/bestaetigen", follow_redirects=True)
    assert page.status_code == 200
    assert "Ihr Platz ist bestätigt" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert _registration("person0@example.org").email_verified_at is not None

    confirm = mail_client.get(f"/anmeldung/{first_token}/stornieren")
    assert "Anmeldung wirklich stornieren?" in confirm.text
    done = mail_client.post(f"/anmeldung/{first_token}/stornieren")
    assert done.status_code == 303
    done.close()
    assert _registration("person0@example.org").state == RegistrationState.CANCELLED
    # the place goes to the first on the waiting list, held until they prove their address
    assert _registration("person1@example.org").state == RegistrationState.HELD
    assert _registration("person2@example.org").state == RegistrationState.WAITLISTED

    cancelled_mail = smtp.to("person0@example.org")[-1]
    assert cancelled_mail["Subject"].startswith("Anmeldung storniert")
    assert "Sie haben Ihre Anmeldung für dieses Seminar storniert" in _text(cancelled_mail)
    moved = smtp.to("person1@example.org")[-1]
    assert moved["Subject"].startswith("Sie sind nachgerückt: bitte bestätigen Sie Ihren Platz")
    assert _ics(moved) is None
    mail_client.post(f"/anmeldung/{_token_in(moved)}/bestaetigen").close()
    assert _registration("person1@example.org").state == RegistrationState.CONFIRMED
    assert _ics(smtp.to("person1@example.org")[-1]) is not None
    assert len(smtp.to("person2@example.org")) == 1  # only their own confirmation

    # a second cancel through the same link moves nobody and sends nothing
    before = len(smtp.messages)
    again = mail_client.post(f"/anmeldung/{first_token}/stornieren")
    again.close()
    assert len(smtp.messages) == before
    assert _registration("person2@example.org").state == RegistrationState.WAITLISTED
    page = mail_client.get(f"/anmeldung/{first_token}")
    assert "Diese Anmeldung ist storniert" in page.text
    assert "Anmeldung stornieren …" not in page.text


def test_wrong_token_gets_a_clear_message(mail_client):
    for token in ["x", "A" * 43, "A" * 500]:
        response = mail_client.get(f"/anmeldung/{token}")
        assert response.status_code == 404
        assert "Dieser Link ist ungültig" in response.text
        assert mail_client.post(f"/anmeldung/{token}/stornieren").status_code == 404


def test_registration_succeeds_while_smtp_is_down_and_mail_goes_out_once_it_is_back(
    mail_app, mail_client, smtp
):
    seminar = factories.seminar()
    smtp.stop()
    _register(mail_client, seminar)
    assert _registration("person0@example.org").state == RegistrationState.HELD
    (pending,) = db.session.scalars(sa.select(OutboxMail)).all()
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert pending.next_attempt_at > utcnow()
    assert "ConnectionRefusedError" in pending.last_error

    runner = mail_app.test_cli_runner()
    smtp.start()
    early = runner.invoke(args=["send-mail"])
    assert "0 E-Mails versendet." in early.output  # the backoff is respected
    pending.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert "1 E-Mail versendet." in result.output
    assert len(smtp.to("person0@example.org")) == 1
    again = runner.invoke(args=["send-mail"])
    assert "0 E-Mails versendet." in again.output
    assert len(smtp.to("person0@example.org")) == 1


def test_reminders_go_to_confirmed_people_once(mail_app, mail_client, smtp):
    soon = factories.seminar(
        capacity=1,
        day1=today_berlin() + timedelta(days=2),
        registration_deadline=today_berlin() + timedelta(days=1),
    )
    later = factories.seminar(day1=today_berlin() + timedelta(days=30))
    _register(mail_client, soon, 0)
    _register(mail_client, soon, 1)  # waitlisted: no reminder
    _register(mail_client, later, 2)
    # reminders go to confirmed places: person 0 proves the address through the link
    mail_client.post(
        f"/anmeldung/{_token_in(smtp.to('person0@example.org')[0])}/bestaetigen"
    ).close()
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert "1 Erinnerung erstellt; 1 E-Mail versendet" in first.output
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Erinnerung")]
    assert [m["To"] for m in reminders] == ["person0@example.org"]
    second = runner.invoke(args=["send-reminders"])
    assert "0 Erinnerungen erstellt" in second.output
    assert len([m for m in smtp.messages if m["Subject"].startswith("Erinnerung")]) == 1


def test_link_request_answers_the_same_for_known_and_unknown_addresses(mail_client, smtp):
    seminar = factories.seminar()
    _register(mail_client, seminar, 0)
    known = mail_client.post("/anmeldung/link-senden", data={"email": "PERSON0@example.org "})
    known.close()
    unknown = mail_client.post("/anmeldung/link-senden", data={"email": "nobody@example.org"})
    unknown.close()
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    links = [m for m in smtp.messages if m["Subject"].startswith("Ihre Links")]
    assert [m["To"] for m in links] == ["person0@example.org"]
    page = mail_client.get(f"/anmeldung/{_token_in(links[0])}")
    assert "Muster0" in page.text  # the link in the mail opens the registration
    bad = mail_client.post("/anmeldung/link-senden", data={"email": "kaputt"})
    assert bad.status_code == 422
    assert "gültige E-Mail-Adresse" in bad.text


def test_link_requests_are_rate_limited(app_factory, smtp):
    app = app_factory(**smtp.settings(), RATELIMIT_ENABLED=True, LINK_RATE_LIMIT="2 per minute")
    with app.app_context():
        client = app.test_client()
        codes = [
            client.post("/anmeldung/link-senden", data={"email": "a@example.org"}).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]


def test_invitations_go_through_the_outbox(mail_app, smtp):
    from app.models import Role
    from app.services.accounts import create_user

    _user, token = create_user(email="neu@vhs.example", role=Role.ADMIN, name="Neu")
    from app.services.outbox import deliver_pending

    deliver_pending()
    (message,) = smtp.to("neu@vhs.example")
    assert message["Subject"] == "Einladung zum Verwaltungsbereich der Seminaranmeldung"
    assert f"https://seminare.example/manage/einladung/{token}" in _text(message)


def test_without_smtp_mails_are_written_to_the_folder(app_factory, tmp_path):
    app = app_factory(MAIL_FOLDER=str(tmp_path / "mails"))
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()
        _register(client, seminar)
        (written,) = list((tmp_path / "mails").glob("*.eml"))
        message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
        assert message["To"] == "person0@example.org"
        assert message["Subject"].startswith("Bitte bestätigen: Platz vorgemerkt")


def test_password_reset_mails_a_one_time_link_and_answers_the_same_for_unknown_addresses(
    mail_app, mail_client, smtp
):
    account = factories.user("admin", email="orga@lv.example")
    known = mail_client.post("/manage/passwort-vergessen", data={"email": "Orga@LV.example"})
    known.close()
    unknown = mail_client.post("/manage/passwort-vergessen", data={"email": "wer@nicht.example"})
    unknown.close()
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    (message,) = smtp.messages
    assert message["To"] == "orga@lv.example"
    assert message["Subject"] == "Neues Passwort für den Verwaltungsbereich"
    link = re.search(r"https://seminare\.example(/manage/einladung/\S+)", _text(message)).group(1)
    new_password = "ein ganz neues Passwort"
    done = mail_client.post(link, data={"password": new_password, "confirm": new_password})
    assert done.status_code == 303
    assert mail_client.get(link).status_code == 404  # once only
    assert factories.login(mail_client, account, new_password).status_code == 303


# -- a booking writes rows only: the sender writes the mail ------------------------------


def _outbox() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def test_the_booking_writes_only_rows_and_the_sender_writes_the_mail(mail_app, smtp):
    seminar = factories.seminar(capacity=5)
    registration = book_seat(seminar.id, factories.applicant(0))

    (queued,) = _outbox()
    assert (queued.kind, queued.recipient, queued.registration_id) == (
        "confirmation",
        "person0@example.org",
        registration.id,
    )
    assert (queued.subject, queued.text_body, queued.ics) == ("", "", None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegistrationLink)) == 0

    assert outbox.deliver_pending() == {"sent": 1, "failed": 0}
    (message,) = smtp.messages
    assert message["Subject"].startswith("Anmeldung bestätigt")
    token = LINK.search(_text(message)).group(1)
    assert any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())
    (sent,) = _outbox()
    assert sent.sent_at is not None and sent.params is None
    assert sent.subject == message["Subject"]
    # the link written at delivery opens the registration
    page = mail_app.test_client().get(f"/anmeldung/{token}")
    assert page.status_code == 200 and "Muster0" in page.text


def test_a_mail_tells_of_the_moment_it_was_queued(mail_app, smtp):
    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 1)
    waiting = book_seat(seminar.id, factories.applicant(1))
    second = book_seat(seminar.id, factories.applicant(2))
    assert (waiting.state, second.state) == ("waitlisted", "waitlisted")
    cancel_registration(waiting.id)  # before the sender came round

    outbox.deliver_pending()
    by_person = {m["To"]: m for m in smtp.messages if "Warteliste" in m["Subject"]}
    assert by_person["person1@example.org"]["Subject"].startswith("Warteliste Platz 1")
    assert by_person["person2@example.org"]["Subject"].startswith("Warteliste Platz 2")
    kinds = [m["Subject"].split(":")[0] for m in smtp.to("person1@example.org")]
    assert len(kinds) == 2 and kinds[0].startswith("Warteliste")


def test_a_mail_whose_registration_is_gone_is_not_sent(mail_app, smtp):
    seminar = factories.seminar(capacity=5)
    registration = book_seat(seminar.id, factories.applicant(0))
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.registration_id == registration.id)
        .values(registration_id=None)
    )
    db.session.commit()

    assert outbox.deliver_pending() == {"sent": 0, "failed": 0}
    (mail,) = _outbox()
    assert mail.failed_at is not None and mail.last_error == outbox.NOTHING_TO_SEND
    assert smtp.messages == []


def test_a_command_that_queues_many_mails_keeps_none_of_them_loaded(mail_app, smtp):
    """Mails queued outside a request are the sender's to deliver: nothing keeps them in
    memory, so a command's work does not grow with every mail it queued before."""
    seminar = factories.seminar(capacity=30)
    factories.fill(seminar, 25)
    assert "queued_mails" not in g
    assert len(_outbox()) == 25 and all(m.sent_at is None for m in _outbox())
    assert outbox.deliver_pending() == {"sent": 25, "failed": 0}


def test_a_held_place_is_told_of_a_change_and_its_link_confirms_the_place(mail_client, smtp):
    from datetime import time

    from app.services import seminars as seminar_service

    seminar = factories.seminar(capacity=8)
    factories.fill(seminar, 1)  # person0: confirmed, vouched for
    _register(mail_client, seminar, 1)  # person1: held until the address is proven
    assert _registration("person1@example.org").state == RegistrationState.HELD
    data = {
        name: getattr(seminar, name)
        for name in seminar_service.SeminarData.__dataclass_fields__
        if name != "council_ids"
    }
    data["day1_starts"] = time(8, 0)

    update = seminar_service.update_seminar(
        seminar.id, seminar_service.SeminarData(**data), seminar.capacity
    )
    outbox.deliver_pending()

    assert {r.email for r in update.told} == {"person0@example.org", "person1@example.org"}
    changed = smtp.to("person1@example.org")[-1]
    assert changed["Subject"] == "Seminar geändert: Basismodul in Düsseldorf"
    text = _text(changed)
    assert "Beginn am 1. Tag: bisher 9:00, jetzt 8:00" in text
    assert "Ihr Platz bleibt vorgemerkt. Bitte bestätigen Sie ihn bis" in text
    assert "1. Tag: " + factories_date(seminar.day1) + ", 8:00–17:00 Uhr" in text
    assert _ics(changed) is None  # nothing in the calendar yet
    token = _token_in(changed)
    assert f'href="https://seminare.example/anmeldung/{token}"' in _html(changed)
    mail_client.post(f"/anmeldung/{token}/bestaetigen").close()
    assert _registration("person1@example.org").state == RegistrationState.CONFIRMED


INTEREST_LINK = re.compile(r"https://seminare\.example/interesse/([A-Za-z0-9_-]{20,})")


def test_the_changed_interest_mail_carries_the_link_that_works_now(mail_client, smtp):
    factories.programme(interest_deadline=today_berlin() + timedelta(days=14))
    vhs = factories.vhs(name="Volkshochschule Köln", town="Köln")
    address = "kontakt0@example.org"
    form = factories.interest_form("vhs", vhs=str(vhs.id))
    mail_client.post("/interesse/vhs", data=form).close()
    first = INTEREST_LINK.search(_text(smtp.to(address)[-1])).group(1)
    mail_client.post(f"/interesse/{first}/bestaetigen").close()
    # the form sent again an hour later mails the link anew: the first one stops working
    for queued in db.session.scalars(sa.select(OutboxMail)):
        queued.created_at -= timedelta(hours=1)
    db.session.commit()
    mail_client.post("/interesse/vhs", data=form).close()
    again = INTEREST_LINK.search(_text(smtp.to(address)[-1])).group(1)
    assert mail_client.get(f"/interesse/{first}").status_code == 404

    changed = mail_client.post(
        f"/interesse/{again}/aendern",
        data=factories.interest_form("vhs", vhs=str(vhs.id), room="Raum 3.01", privacy=None),
    )
    assert changed.status_code == 303
    changed.close()

    message = smtp.to(address)[-1]
    assert message["Subject"] == "Geändert: Ihre Interessenbekundung für Volkshochschule Köln"
    text = _text(message)
    assert "ersten E-Mail" not in text and "Raum 3.01" in text
    token = INTEREST_LINK.search(text).group(1)
    assert f'href="https://seminare.example/interesse/{token}"' in _html(message)
    page = mail_client.get(f"/interesse/{token}")
    assert page.status_code == 200 and "Raum 3.01" in page.text
