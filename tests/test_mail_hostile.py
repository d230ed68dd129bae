"""Mail that no input can break. Text people type never reaches a header as more than one
line (an encoded word such as ``=?utf-8?q?=0D=0ABcc:...?=`` is decoded by mail libraries
into real header lines); an address that cannot go into a header is refused at every form;
one mail that cannot be built or sent fails alone, with its reason, and the others go out;
the interest mails escape the names of VHS and councils in their HTML part.

The mails are read as the bytes a real SMTP server on loopback received."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import OutboxMail, VhsOffer
from app.services import broadcasts, interest_choice
from app.services.broadcasts import Audience, Message
from app.services.outbox import deliver_pending, header_text
from app.services.registrations import book_seat
from app.web.validators import check_email
from tests import factories
from tests.smtp import SmtpServer

# Decoded, the encoded word is a line break, a Bcc header, an empty line and a text of the
# attacker's choosing as the start of the body.
HOSTILE = "=?utf-8?q?=0D=0ABcc:_evil@example.org=0D=0A=0D=0AText_des_Angreifers?="
BAD_ADDRESS = "=?utf-8?q?x=0D=0Ay?=@example.org"
TODAY = today_berlin()
FIELDS = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Content-Type"}
FIELDS |= {"MIME-Version"}


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


def _deliver_all() -> None:
    while sum(deliver_pending().values()):
        pass


def _outbox() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def _token() -> str:
    """The personal link's secret in the newest mail that carries one."""
    texts = [mail.text_body for mail in _outbox() if "/interesse/" in mail.text_body]
    return texts[-1].split("/interesse/", 1)[1].split()[0]


def _header_fields(raw: bytes) -> list[str]:
    """The names of the header fields as they travelled (a folded line continues its
    field: it starts with a space or a tab)."""
    head, blank, _body = raw.partition(b"\r\n\r\n")
    assert blank, "no end of the header"
    return [
        line.split(b":", 1)[0].decode("ascii")
        for line in head.split(b"\r\n")
        if line and line[:1] not in (b" ", b"\t")
    ]


def _content(message, subtype: str) -> str:
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def _assert_unbroken(smtp: SmtpServer, kinds: set[str], extra: frozenset = frozenset()) -> None:
    """Every mail of the outbox went out with its own header fields only, once each,
    a one-line subject and its body as stored; nothing reached the attacker."""
    sent = [mail for mail in _outbox() if mail.subject]
    assert {mail.kind for mail in sent} >= kinds
    assert all(mail.sent_at is not None for mail in sent), [m.last_error for m in sent]
    assert len(smtp.raw) == len(sent)
    for raw, parsed in zip(smtp.raw, smtp.messages, strict=True):
        fields = _header_fields(raw)
        mail_id = int(re.search(r"\.outbox(\d+)@", str(parsed["Message-ID"])).group(1))
        mail = next(m for m in sent if m.id == mail_id)
        expected = FIELDS | extra if mail.kind == "broadcast" else FIELDS
        assert sorted(fields) == sorted(expected), mail.kind
        assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
        assert "evil@example.org" not in str(parsed["Subject"])
        assert _content(parsed, "plain") == mail.text_body
        assert _content(parsed, "html").rstrip("\n") == mail.html_body
    assert "evil@example.org" not in smtp.inbox.recipients


# -- 1. no header of more than one line --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "header"),
    [
        ("Köln\r\nBcc: evil@example.org", "Köln Bcc: evil@example.org"),
        ("Köln\u2028Bcc:\tevil@example.org", "Köln Bcc: evil@example.org"),
        ("Köln\x85\x0bBcc: evil@example.org\u202e", "Köln Bcc: evil@example.org"),
        (f"Köln {HOSTILE}", "Köln"),
        ("Köln =? utf-8 ?q? =0D=0A ?=", "Köln"),
        ("==?utf-8?q?=0A?=", "="),
        ("=?=?utf-8?b?DQpCY2M6IGV2aWw=?=?=", "?="),
        ("Mohammad\u200cReza  Yıldız", "Mohammad\u200cReza Yıldız"),
    ],
)
def test_the_header_guard_leaves_one_line_without_an_encoded_word(typed, header):
    assert header_text(typed) == header


def _an_hour_later() -> None:
    for mail in db.session.scalars(sa.select(OutboxMail)):
        mail.created_at -= timedelta(hours=1)
    db.session.commit()


def test_a_council_town_with_an_encoded_word_stays_one_line_in_every_interest_mail(mail_app, smtp):
    factories.programme(interest_deadline=TODAY + timedelta(days=14))
    council = factories.council(town=f"Köln {HOSTILE}")  # as the admins typed it
    client = mail_app.test_client()
    form = factories.interest_form("council", council=str(council.id))
    assert client.post("/interesse/integrationsrat", data=form).status_code == 303
    client.post(f"/interesse/{_token()}/bestaetigen").close()
    _an_hour_later()  # the forms mail one address at most once an hour
    assert client.post("/interesse/integrationsrat", data=form).status_code == 303  # again
    changed = factories.interest_form("council", council="neu", new_council_town=f"Bonn {HOSTILE}")
    assert client.post(f"/interesse/{_token()}/aendern", data=changed).status_code == 303
    client.post(f"/interesse/{_token()}/zurueckziehen").close()
    _deliver_all()
    kinds = {"interest_received", "interest_again", "interest_changed", "interest_withdrawn"}
    _assert_unbroken(smtp, kinds)
    assert sorted(str(m["Subject"]) for m in smtp.messages) == [
        "Bitte bestätigen: Ihre Interessenbekundung für Integrationsrat Köln",
        "Geändert: Ihre Interessenbekundung für Integrationsrat Bonn",
        "Ihr Link zur Interessenbekundung für Integrationsrat Köln",
        "Zurückgezogen: Ihre Interessenbekundung für Integrationsrat Bonn",
    ]


def test_a_new_vhs_named_with_an_encoded_word_stays_one_line_also_when_chosen(mail_app, smtp):
    factories.programme(interest_deadline=TODAY + timedelta(days=14))
    client = mail_app.test_client()
    form = factories.interest_form(
        "vhs",
        vhs="neu",
        new_vhs_name=f"VHS Neustadt {HOSTILE}",
        new_vhs_street="Markt 1",
        new_vhs_postcode="40210",
        new_vhs_town="Neustadt",
        advanced_offered="y",
        advanced_day1=(TODAY + timedelta(days=60)).isoformat(),
        advanced_day2=(TODAY + timedelta(days=61)).isoformat(),
    )
    assert client.post("/interesse/vhs", data=form).status_code == 303
    client.post(f"/interesse/{_token()}/bestaetigen").close()
    basic, advanced = db.session.scalars(sa.select(VhsOffer).order_by(VhsOffer.module)).all()
    interest_choice.select_offer(basic.id, actor_id=None)
    interest_choice.decline_offer(advanced.id, "Kein Raum an beiden Tagen frei.", actor_id=None)
    _deliver_all()
    kinds = {"interest_received", "interest_decision_selected", "interest_decision_declined"}
    _assert_unbroken(smtp, kinds)


def test_an_organisers_subject_with_an_encoded_word_stays_one_line(mail_app, smtp):
    vhs = factories.vhs()
    seminar = factories.seminar(vhs=vhs)
    factories.fill(seminar, 2)
    _deliver_all()
    smtp.raw.clear()
    smtp.messages.clear()
    db.session.execute(sa.delete(OutboxMail))
    db.session.commit()
    organiser = factories.user("vhs", vhs_id=vhs.id)
    message = Message(Audience.BOTH, f"Raumänderung {HOSTILE}", "Wir treffen uns in Raum 4.")
    broadcasts.send_message(seminar.id, message, actor_id=organiser.id)
    _deliver_all()
    _assert_unbroken(smtp, {"broadcast"}, extra=frozenset({"Reply-To"}))
    assert [str(m["Subject"]) for m in smtp.messages] == ["Raumänderung"] * 2


def test_a_seminar_town_with_an_encoded_word_stays_one_line_in_the_booking_mails(mail_app, smtp):
    seminar = factories.seminar(venue_town=f"Düsseldorf {HOSTILE}", capacity=1)
    factories.fill(seminar, 2)  # confirmed, then waiting
    _deliver_all()
    _assert_unbroken(smtp, {"confirmation"})
    assert str(smtp.messages[0]["Subject"]) == "Anmeldung bestätigt: Basismodul in Düsseldorf"


# -- 2. one mail that cannot be built never stops the others ---------------------------------


def test_an_address_with_an_encoded_word_is_refused_with_a_clear_message(app):
    assert "Zeichenfolge „=?“" in check_email(BAD_ADDRESS)
    assert "Zeichenfolge „=?“" in check_email("=?utf-8?b?eA==?=@example.org")
    assert check_email("x=y?z@example.org") is None  # = and ? alone are fine


@pytest.mark.parametrize("form", ["registration", "check", "vhs", "council", "links"])
def test_every_form_taking_an_address_refuses_an_encoded_word(app, client, form):
    factories.programme(interest_deadline=TODAY + timedelta(days=14))
    seminar = factories.seminar()
    posts = {
        "registration": (
            f"/seminare/{seminar.id}/anmelden",
            factories.form_data(email=BAD_ADDRESS),
        ),
        "check": ("/pruefen/e-mail", {"email": BAD_ADDRESS, "seminar": str(seminar.id)}),
        "vhs": (
            "/interesse/vhs",
            factories.interest_form("vhs", vhs=str(seminar.vhs_id), contact_email=BAD_ADDRESS),
        ),
        "council": (
            "/interesse/integrationsrat",
            factories.interest_form(
                "council", council="neu", new_council_town="Köln", contact_email=BAD_ADDRESS
            ),
        ),
        "links": ("/anmeldung/link-senden", {"email": BAD_ADDRESS}),
    }
    url, data = posts[form]
    response = client.post(url, data=data)
    assert response.status_code in (200, 422)
    assert "Zeichenfolge „=?“" in response.text
    assert _outbox() == []


def test_a_mail_that_cannot_be_built_fails_with_its_reason_and_the_next_goes_out(mail_app, smtp):
    seminar = factories.seminar()
    poison = book_seat(seminar.id, factories.applicant(0, email=BAD_ADDRESS))  # stored earlier
    broken = OutboxMail(kind="no-such-mail", recipient="x@example.org", registration_id=poison.id)
    broken.subject, broken.text_body, broken.html_body, broken.params = "", "", "", {}
    db.session.add(broken)
    db.session.commit()
    book_seat(seminar.id, factories.applicant(1))

    counts = deliver_pending()

    assert counts == {"sent": 1, "failed": 2}
    assert len(smtp.to("person1@example.org")) == 1
    failed = {mail.recipient: mail for mail in _outbox() if mail.failed_at is not None}
    assert set(failed) == {BAD_ADDRESS, "x@example.org"}
    assert "Steuerzeichen oder kodierte Wörter" in failed[BAD_ADDRESS].last_error
    assert "no-such-mail" in failed["x@example.org"].last_error
    assert all(mail.claimed_until is None for mail in failed.values())
    assert deliver_pending() == {"sent": 0, "failed": 0}  # failed for good, not retried


def test_send_reminders_goes_on_past_a_mail_that_cannot_be_built(mail_app, smtp):
    soon = factories.seminar(
        day1=TODAY + timedelta(days=2), registration_deadline=TODAY + timedelta(days=1)
    )
    book_seat(soon.id, factories.applicant(0, email=BAD_ADDRESS))
    book_seat(soon.id, factories.applicant(1))
    db.session.execute(sa.update(OutboxMail).values(sent_at=sa.func.now()))  # told before
    db.session.commit()

    result = mail_app.test_cli_runner().invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    assert "2 Erinnerungen erstellt; 1 E-Mail versendet, 1 nicht zugestellt." in result.output
    assert [str(m["Subject"])[:10] for m in smtp.to("person1@example.org")] == ["Erinnerung"]


# -- 3. names in the HTML part of the interest mails ---------------------------------------------


def test_the_interest_mails_escape_the_names_of_vhs_and_councils(app, client):
    factories.programme(interest_deadline=TODAY + timedelta(days=14))
    vhs = factories.vhs(name="VHS <b>Köln</b><script>alert(1)</script>", town="Köln")
    council = factories.council(town="Köln <b>Süd</b><script>alert(2)</script>")
    client.post("/interesse/vhs", data=factories.interest_form("vhs", vhs=str(vhs.id))).close()
    council_form = factories.interest_form("council", 1, council=str(council.id))
    client.post("/interesse/integrationsrat", data=council_form).close()
    vhs_mail, council_mail = _outbox()
    assert "<b>" not in vhs_mail.html_body and "<script>" not in vhs_mail.html_body
    assert "VHS &lt;b&gt;Köln&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in vhs_mail.html_body
    assert "<b>" not in council_mail.html_body and "<script>" not in council_mail.html_body
    assert "Integrationsrat Köln &lt;b&gt;Süd&lt;/b&gt;" in council_mail.html_body
    # the subject and the text part are plain text: the names as they are
    assert vhs_mail.subject.endswith("für VHS <b>Köln</b><script>alert(1)</script>")
    assert "Integrationsrat: Integrationsrat Köln <b>Süd</b>" in council_mail.text_body
