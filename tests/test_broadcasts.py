"""An organiser's message to a seminar's people: who receives it, one mail each through
the outbox with Reply-To the organiser, the preview, the log entry with the count, and
the hourly limit per seminar."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import rules
from app.core.formatting import date_long, moment
from app.core.timeutil import utcnow
from app.extensions import db
from app.models import AuditEntry, OutboxMail, Registration, RegistrationLink
from app.services import broadcasts
from app.services.broadcasts import Audience, Message
from app.services.registrations import book_seat, cancel_registration
from tests import factories
from tests.admin_helpers import field_error, text
from tests.smtp import SmtpServer

SUBJECT = "Raumänderung am ersten Tag"
BODY = "wir treffen uns im Raum 4.\n\nBitte bringen Sie <Ihren Ausweis> mit & etwas Zeit.\nDanke!"


# -- the world -------------------------------------------------------------------------------


@pytest.fixture
def vhs(app):
    return factories.vhs(name="Volkshochschule Hagen", town="Hagen")


@pytest.fixture
def council(app):
    return factories.council(town="Hagen")


@pytest.fixture
def seminar(vhs, council):
    """Two confirmed, one place held (address not proven), two waiting, one cancelled."""
    seminar = factories.seminar(vhs=vhs, councils=[council], capacity=3)
    factories.fill(seminar, 2)  # person0, person1: confirmed
    book_seat(seminar.id, factories.applicant(2), hold_hours=48)  # person2: held
    factories.fill(seminar, 2, start=3)  # person3, person4: waiting
    cancel_registration(book_seat(seminar.id, factories.applicant(5)).id)  # person5
    return seminar


@pytest.fixture
def organiser(vhs):
    return factories.user("vhs", vhs_id=vhs.id, name="Erika Beispiel")


def _message(audience=Audience.BOTH, subject=SUBJECT, body=BODY) -> Message:
    return Message(audience, subject, body)


def _mails() -> list[OutboxMail]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.kind == "broadcast").order_by(OutboxMail.id)
        )
    )


def _logged(seminar_id: int) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.seminar_id == seminar_id, AuditEntry.action == "message_sent")
            .order_by(AuditEntry.id)
        )
    )


def _addresses(n: int) -> str:
    return f"person{n}@example.org"


# -- the service: who receives what -------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "people"),
    [
        (Audience.CONFIRMED, [0, 1, 2]),
        (Audience.WAITLISTED, [3, 4]),
        (Audience.BOTH, [0, 1, 2, 3, 4]),
    ],
)
def test_held_places_receive_a_message_cancelled_ones_never(seminar, organiser, audience, people):
    count = broadcasts.send_message(seminar.id, _message(audience), actor_id=organiser.id)

    assert count == len(people)
    assert [m.recipient for m in _mails()] == [_addresses(n) for n in people]


def test_one_mail_each_with_its_own_greeting_link_and_the_organiser_as_reply_to(seminar, organiser):
    broadcasts.send_message(seminar.id, _message(), actor_id=organiser.id)

    mails = _mails()
    assert len(mails) == 5
    links = set()
    for mail in mails:
        assert mail.reply_to == organiser.email
        assert mail.subject == SUBJECT
        registration = db.session.get(Registration, mail.registration_id)
        assert registration.email == mail.recipient
        assert f"Guten Tag Alex {registration.last_name}," in mail.text_body
        assert "Bitte bringen Sie <Ihren Ausweis> mit & etwas Zeit.\nDanke!" in mail.text_body
        assert "Erika Beispiel (Volkshochschule Hagen)" in mail.text_body
        others = {_addresses(n) for n in range(6)} - {mail.recipient}
        assert not any(o in mail.text_body or o in mail.html_body for o in others)
        links.add(re.search(r"/anmeldung/([\w-]{20,})", mail.text_body).group(1))
    assert len(links) == 5  # every person their own link


def test_a_held_place_is_told_why_it_gets_the_message_and_how_to_confirm(seminar, organiser):
    broadcasts.send_message(seminar.id, _message(Audience.CONFIRMED), actor_id=organiser.id)

    (held,) = [m for m in _mails() if m.recipient == _addresses(2)]
    assert "weil Sie in diesem Seminar einen vorgemerkten Platz haben" in held.text_body
    assert "Ihr Platz ist erst vorgemerkt: Bitte bestätigen Sie ihn bis" in held.text_body
    assert "Platz bestätigen oder Anmeldung ansehen" in held.html_body
    (confirmed, *_) = _mails()
    assert "weil Sie zu diesem Seminar angemeldet sind" in confirmed.text_body
    assert "vorgemerkt" not in confirmed.text_body


def test_the_html_part_escapes_the_text_and_keeps_its_line_breaks(seminar, organiser):
    broadcasts.send_message(seminar.id, _message(Audience.CONFIRMED), actor_id=organiser.id)

    html = _mails()[0].html_body
    assert "<p>wir treffen uns im Raum 4.</p>" in html
    assert "<p>Bitte bringen Sie &lt;Ihren Ausweis&gt; mit &amp; etwas Zeit.<br>Danke!</p>" in html
    assert "<Ihren Ausweis>" not in html


def test_the_message_is_logged_with_who_and_how_many(seminar, organiser):
    broadcasts.send_message(seminar.id, _message(Audience.WAITLISTED), actor_id=organiser.id)

    (entry,) = _logged(seminar.id)
    assert entry.actor_id == organiser.id
    assert entry.action_label == "Nachricht an Teilnehmende gesendet"
    assert entry.detail == f"an 2 Personen (Warteliste): „{SUBJECT}“"


def test_nobody_to_write_to_is_refused_and_nothing_is_written(vhs, organiser):
    empty = factories.seminar(vhs=vhs)

    with pytest.raises(broadcasts.NoRecipients):
        broadcasts.send_message(empty.id, _message(), actor_id=organiser.id)

    assert _mails() == [] and _logged(empty.id) == []


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("  ", BODY, "subject", "Bitte geben Sie einen Betreff an."),
        ("x" * 151, BODY, "subject", "Bitte höchstens 150 Zeichen eingeben."),
        ("Zeile\x07", BODY, "subject", "Bitte keine Steuerzeichen eingeben."),
        (SUBJECT, "\n \n", "body", "Bitte schreiben Sie eine Nachricht."),
        (SUBJECT, "x" * 5001, "body", "Bitte höchstens 5.000 Zeichen eingeben."),
        (SUBJECT, "Hallo\x00", "body", "Bitte keine Steuerzeichen eingeben."),
        (SUBJECT, "vorab:\n[Ihr Text]", "body", "Bitte ersetzen Sie „[Ihr Text]“ durch"),
    ],
)
def test_text_that_cannot_go_out_is_refused_with_a_german_message(
    seminar, organiser, subject, body, field, message
):
    with pytest.raises(broadcasts.MessageRefused) as refused:
        broadcasts.send_message(seminar.id, _message(subject=subject, body=body), actor_id=1)

    assert refused.value.field == field
    assert refused.value.message.startswith(message)
    assert _mails() == []


def test_line_breaks_and_tabs_in_the_text_are_fine(seminar, organiser):
    body = "Ablauf:\r\n\t9:00 Begrüßung\r\n\t9:30 Einstieg"
    broadcasts.send_message(seminar.id, _message(body=body), actor_id=organiser.id)

    assert "Ablauf:\n\t9:00 Begrüßung\n\t9:30 Einstieg" in _mails()[0].text_body


# -- the hourly limit ------------------------------------------------------------------------


def test_at_most_three_messages_per_seminar_and_hour(seminar, organiser, vhs):
    for n in range(rules.MESSAGES_PER_SEMINAR):
        broadcasts.send_message(
            seminar.id, _message(Audience.CONFIRMED, f"Nr. {n}"), actor_id=organiser.id
        )
    first = _logged(seminar.id)[0].at

    with pytest.raises(broadcasts.TooManyMessages) as refused:
        broadcasts.send_message(seminar.id, _message(Audience.CONFIRMED), actor_id=organiser.id)

    assert refused.value.possible_at == first + timedelta(hours=1)
    assert f"ab {moment(first + timedelta(hours=1))} senden" in refused.value.message
    assert len(_mails()) == 3 * 3 and len(_logged(seminar.id)) == 3
    # another seminar has its own limit; an hour later this one may again
    other = factories.seminar(vhs=vhs, module=2)
    factories.fill(other, 1, start=10)
    assert broadcasts.send_message(other.id, _message(), actor_id=organiser.id) == 1
    later = first + timedelta(hours=1, seconds=1)
    assert broadcasts.next_possible(seminar.id, later) is None
    broadcasts.send_message(seminar.id, _message(), actor_id=organiser.id, now=later)
    assert len(_logged(seminar.id)) == 4


def test_the_limit_is_a_pure_rule():
    now = datetime(2026, 3, 14, 12, 0)
    minutes = [timedelta(minutes=m) for m in (50, 30, 10)]
    sent = [now - m for m in minutes]
    assert rules.next_message_at(sent[:2], now) is None
    assert rules.next_message_at(sent, now) == now - minutes[0] + rules.MESSAGE_WINDOW
    assert rules.next_message_at([now - timedelta(hours=2), *sent[1:]], now) is None


# -- the pages -------------------------------------------------------------------------------


def _login(app, account):
    client = app.test_client()
    assert factories.login(client, account).status_code == 303
    return client


def _url(seminar, step="") -> str:
    return f"/manage/seminare/{seminar.id}/nachricht{step}"


def _form(audience="both", subject=SUBJECT, body=BODY, **more) -> dict:
    return {"audience": audience, "subject": subject, "body": body, **more}


def _fingerprint(page: str) -> str:
    return re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_the_form_names_who_receives_it_with_counts_and_starts_from_a_draft(
    app, seminar, organiser
):
    page = _login(app, organiser).get(_url(seminar))

    assert page.status_code == 200
    shown = text(page.text)
    assert "Teilnehmende mit bestätigtem oder vorgemerktem Platz (3 Personen)" in shown
    assert "Warteliste (2 Personen)" in shown
    assert "Teilnehmende und Warteliste (5 Personen)" in shown
    assert "Stornierte Anmeldungen erhalten nichts." in shown
    draft = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    assert "Basismodul: Lebenswelt und Handlungsfeld Kommune" in draft
    assert date_long(seminar.day1) in draft and date_long(seminar.day2) in draft
    assert "[Ihr Text]" in draft
    assert draft.rstrip().endswith("Erika Beispiel\nVolkshochschule Hagen")
    assert "und " + date_long(seminar.day2) + " im Bildungszentrum, Raum 2, Düsseldorf" in draft


@pytest.mark.parametrize(
    ("venue", "said"),
    [
        ("Volkshochschule Hagen", "in der Volkshochschule Hagen, Hagen"),
        ("VHS Hagen, Raum 204", "in der VHS Hagen, Raum 204, Hagen"),
        ("Kreis-VHS Hagen", "in der Kreis-VHS Hagen, Hagen"),
        ("Bürgerhaus Kalk", "im Bürgerhaus Kalk, Hagen"),
        ("Mülheim an der Ruhr", "in Mülheim an der Ruhr, Hagen"),
    ],
)
def test_the_draft_names_the_venue_with_its_article(app, vhs, organiser, venue, said):
    seminar = factories.seminar(vhs=vhs, venue_name=venue, venue_town="Hagen")

    page = _login(app, organiser).get(_url(seminar))

    draft = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    assert f"{date_long(seminar.day2)} {said} möchten wir Ihnen" in draft


def test_preview_shows_the_mail_and_the_count_and_writes_nothing(app, seminar, organiser, htmx):
    client = _login(app, organiser)
    links_before = db.session.scalar(sa.select(sa.func.count()).select_from(RegistrationLink))

    page = client.post(_url(seminar), data=_form("confirmed"))
    fragment = client.post(_url(seminar), data=_form("confirmed"), headers=htmx)

    assert page.status_code == 200
    shown = text(page.text)
    assert (
        "Die Nachricht geht an 3 Personen "
        "(Teilnehmende mit bestätigtem oder vorgemerktem Platz)." in shown
    )
    assert "So erhält Alex Muster0 die E-Mail" in shown
    assert "Bitte bringen Sie <Ihren Ausweis> mit & etwas Zeit." in shown
    assert "&lt;Ihren Ausweis&gt;" in page.text
    assert "Hier steht in jeder E-Mail der persönliche Link der Person." in shown
    assert _fingerprint(page.text) == _fingerprint(fragment.text)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="message-form"' in fragment.text
    assert _mails() == [] and _logged(seminar.id) == []
    links = db.session.scalar(sa.select(sa.func.count()).select_from(RegistrationLink))
    assert links == links_before  # the personal links are issued only when mails go out


def test_sending_after_the_preview_queues_the_mails_and_says_how_many(app, seminar, organiser):
    client = _login(app, organiser)
    preview = client.post(_url(seminar), data=_form())

    sent = client.post(_url(seminar, "/senden"), data=_form(previewed=_fingerprint(preview.text)))

    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/manage/seminare/{seminar.id}"
    after = text(client.get(sent.headers["Location"]).text)
    assert "Die Nachricht geht an 5 Personen, an jede als eigene E-Mail." in after
    assert len(_mails()) == 5 and len(_logged(seminar.id)) == 1


def test_htmx_gets_a_redirect_after_sending_and_the_fragment_when_refused(
    app, seminar, organiser, htmx
):
    client = _login(app, organiser)
    preview = client.post(_url(seminar), data=_form(), headers=htmx)
    seen = _fingerprint(preview.text)

    refused = client.post(
        _url(seminar, "/senden"), data=_form(subject="Anders", previewed=seen), headers=htmx
    )
    sent = client.post(_url(seminar, "/senden"), data=_form(previewed=seen), headers=htmx)

    assert refused.status_code == 422 and "<html" not in refused.text
    assert "nach der Vorschau geändert" in text(refused.text)
    assert sent.status_code == 204
    assert sent.headers["HX-Redirect"] == f"/manage/seminare/{seminar.id}"
    assert len(_mails()) == 5


def test_a_text_changed_after_the_preview_is_shown_again_not_sent(app, seminar, organiser):
    client = _login(app, organiser)
    preview = client.post(_url(seminar), data=_form())
    changed = _form(body="Ganz anderer Text.", previewed=_fingerprint(preview.text))

    response = client.post(_url(seminar, "/senden"), data=changed)

    assert response.status_code == 422
    shown = text(response.text)
    assert "Sie haben die Nachricht nach der Vorschau geändert." in shown
    assert "Ganz anderer Text." in shown  # in the new preview, and still in the form
    assert _mails() == []
    # the same text again, now seen: it goes out
    again = client.post(
        _url(seminar, "/senden"),
        data=_form(body="Ganz anderer Text.", previewed=_fingerprint(response.text)),
    )
    assert again.status_code == 303 and len(_mails()) == 5


def test_bad_input_keeps_what_was_typed(app, seminar, organiser):
    client = _login(app, organiser)
    long_subject = "Sehr lang " * 16

    response = client.post(_url(seminar), data=_form("jeder", subject=long_subject))

    assert response.status_code == 422
    assert field_error(response.text, "subject") == "Bitte höchstens 150 Zeichen eingeben."
    assert field_error(response.text, "audience") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert f'value="{long_subject.strip()}"' in response.text
    assert "Bitte bringen Sie &lt;Ihren Ausweis&gt; mit &amp; etwas Zeit." in response.text
    assert 'name="previewed"' not in response.text  # no preview, no "Senden"


def test_a_refused_send_keeps_the_text_and_says_when_it_is_possible(app, seminar, organiser):
    for n in range(rules.MESSAGES_PER_SEMINAR):
        broadcasts.send_message(seminar.id, _message(subject=f"Nr. {n}"), actor_id=organiser.id)
    possible_at = _logged(seminar.id)[0].at + timedelta(hours=1)
    client = _login(app, organiser)
    before = text(client.get(_url(seminar)).text)
    preview = client.post(_url(seminar), data=_form(subject="Noch eine"))

    refused = client.post(
        _url(seminar, "/senden"),
        data=_form(subject="Noch eine", previewed=_fingerprint(preview.text)),
    )

    when = f"Die nächste können Sie ab {moment(possible_at)} senden"
    assert when in before
    assert refused.status_code == 429
    assert when in text(refused.text)
    assert 'value="Noch eine"' in refused.text
    assert "Bitte bringen Sie &lt;Ihren Ausweis&gt;" in refused.text
    assert len(_logged(seminar.id)) == 3


@pytest.mark.parametrize("role", ["vhs", "contact", "admin"])
def test_every_organiser_of_the_seminar_may_write(app, seminar, council, role):
    scope = {"vhs": {"vhs_id": seminar.vhs_id}, "contact": {"council_id": council.id}}
    account = factories.user(role, **scope.get(role, {}))
    client = _login(app, account)

    participants = client.get(f"/manage/seminare/{seminar.id}").text
    preview = client.post(_url(seminar), data=_form("waitlisted"))
    sent = client.post(
        _url(seminar, "/senden"), data=_form("waitlisted", previewed=_fingerprint(preview.text))
    )

    assert f'href="{_url(seminar)}"' in participants
    assert sent.status_code == 303
    assert {m.reply_to for m in _mails()} == {account.email}
    assert _logged(seminar.id)[0].actor_id == account.id


def test_other_seminars_are_out_of_reach(app, seminar):
    for account in (
        factories.user("vhs", vhs_id=factories.vhs().id),
        factories.user("contact", council_id=factories.council().id),
    ):
        client = _login(app, account)
        assert client.get(_url(seminar)).status_code == 404
        assert client.post(_url(seminar), data=_form()).status_code == 404
        assert client.post(_url(seminar, "/senden"), data=_form()).status_code == 404
    assert _mails() == []


# -- through a real SMTP server ----------------------------------------------------------------


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_each_person_gets_one_mail_with_reply_to_and_no_other_address(app_factory, smtp):
    app = app_factory(**smtp.settings(), BASE_URL="https://seminare.example")
    with app.app_context():
        vhs = factories.vhs(name="Volkshochschule Hagen")
        seminar = factories.seminar(vhs=vhs, capacity=2)
        factories.fill(seminar, 3)  # two confirmed, one waiting
        organiser = factories.user("contact", council_id=factories.council().id)
        seminar.councils = [organiser.council]
        # their confirmations went out when they booked; only the message is due now
        db.session.execute(sa.update(OutboxMail).values(sent_at=utcnow()))
        db.session.commit()
        client = _login(app, organiser)
        preview = client.post(_url(seminar), data=_form())

        sent = client.post(
            _url(seminar, "/senden"), data=_form(previewed=_fingerprint(preview.text))
        )
        sent.close()  # the outbox is delivered once the response is done

        assert sent.status_code == 303
        everyone = [_addresses(n) for n in range(3)]
        assert sorted(smtp.inbox.recipients) == everyone  # one envelope recipient each
        for address in everyone:
            (message,) = smtp.to(address)
            assert message["Reply-To"] == organiser.email
            assert message["Subject"] == SUBJECT
            assert message["Cc"] is None and message["Bcc"] is None
            raw = message.as_string()
            assert not [other for other in everyone if other != address and other in raw]
            plain = message.get_body(preferencelist=("plain",)).get_content()
            assert "Bitte bringen Sie <Ihren Ausweis> mit & etwas Zeit." in plain
            assert "https://seminare.example/anmeldung/" in plain
