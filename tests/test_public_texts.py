"""The public texts: the way back to one's registration, German plural agreement
wherever a count meets a noun, and the wording slips that were mended."""

import html
import re

import pytest
import sqlalchemy as sa

from app.core.german import agree, noun, plural
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState
from app.services import messages
from app.services.registrations import cancel_registration
from tests import factories

LOOKUP = "Schon angemeldet? Anmeldung ansehen oder abmelden"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ").split())


def _lookup_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">' + re.escape(LOOKUP) + "</a>", page)


# -- the way back to a registration ------------------------------------------------------


def test_the_home_page_leads_to_the_registration_lookup(client):
    factories.seminar()
    assert _lookup_links(client.get("/").text) == ["/anmeldung/link-senden"]
    page = client.get("/anmeldung/link-senden")
    assert page.status_code == 200
    assert "Anmeldung ansehen oder abmelden" in _text(page.text)
    assert "E-Mail-Adresse" in page.text


def test_every_seminar_page_leads_to_the_registration_lookup(client, htmx):
    open_one = factories.seminar()
    full = factories.seminar(capacity=1)
    factories.fill(full, 1)
    cancelled = factories.seminar(state="cancelled")
    for seminar in (open_one, full, cancelled):
        url = f"/seminare/{seminar.id}"
        assert _lookup_links(client.get(url).text) == ["/anmeldung/link-senden"], url
        assert _lookup_links(client.get(url, headers=htmx).text) == ["/anmeldung/link-senden"]


# -- plural agreement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "singular", "expected"),
    [
        (1, "Anmeldung", "1 Anmeldung"),
        (2, "Anmeldung", "2 Anmeldungen"),
        (0, "Anmeldung", "0 Anmeldungen"),
        (1, "Person", "1 Person"),
        (2, "Person", "2 Personen"),
        (1, "E-Mail", "1 E-Mail"),
        (2, "E-Mail", "2 E-Mails"),
        (1, "Platz", "1 Platz"),
        (2, "Platz", "2 Plätze"),
        (2, "aktive Anmeldung", "2 aktive Anmeldungen"),
        (1234, "Seminar", "1.234 Seminare"),
    ],
)
def test_plural_agrees_with_the_count(count, singular, expected):
    assert plural(count, singular) == expected


def test_verbs_and_unknown_nouns():
    assert f"es {agree(1, 'fehlt', 'fehlen')} {plural(1, 'Anmeldung')}" == "es fehlt 1 Anmeldung"
    assert f"es {agree(2, 'fehlt', 'fehlen')} {plural(2, 'Anmeldung')}" == "es fehlen 2 Anmeldungen"
    assert noun(3, "Platz", "Plätzen") == "Plätzen"
    assert plural(2, "Sitzung", "Sitzungen") == "2 Sitzungen"
    with pytest.raises(KeyError, match="Sitzung"):
        plural(2, "Sitzung")


def _seats(client, seminar) -> str:
    page = client.get(f"/seminare/{seminar.id}").text
    block = re.search(rf'<div class="seats[^"]*"\s+id="seats-{seminar.id}".*?</div>', page, re.S)
    return _text(block.group(0))


def test_the_seat_indicator_agrees_with_its_counts(client):
    seven = factories.seminar()
    factories.fill(seven, 7)
    assert "Es fehlt noch 1 Anmeldung bis zur Mindestzahl von 8." in _seats(client, seven)
    six = factories.seminar()
    factories.fill(six, 6)
    assert "Es fehlen noch 2 Anmeldungen bis zur Mindestzahl von 8." in _seats(client, six)

    one_waiting = factories.seminar(capacity=2)
    factories.fill(one_waiting, 3)
    seats = _seats(client, one_waiting)
    assert "alle 2 Plätze sind vergeben" in seats
    assert "(derzeit 1 Person)" in seats
    two_waiting = factories.seminar(capacity=2)
    factories.fill(two_waiting, 4)
    assert "(derzeit 2 Personen)" in _seats(client, two_waiting)

    single = factories.seminar(capacity=1)
    assert "1 von 1 Platz frei" in _seats(client, single)
    factories.fill(single, 1)
    assert "der einzige Platz ist vergeben" in _seats(client, single)


def test_the_result_count_and_the_privacy_notice_agree(app_factory):
    app = app_factory(RETENTION_MONTHS=1)
    with app.app_context():
        factories.seminar(vhs=factories.vhs(name="Volkshochschule Unna", town="Unna"))
        client = app.test_client()
        assert "1 Seminar gefunden." in _text(client.get("/?q=unna").text)
        privacy = _text(client.get("/datenschutz").text)
    assert "1 Monat nach dem letzten Seminartag" in privacy
    assert "1 Monate" not in privacy


def test_service_messages_agree_with_their_counts():
    assert messages.capacity_below_confirmed(1).startswith("Es ist 1 Platz bestätigt")
    assert messages.capacity_below_confirmed(10).startswith("Es sind 10 Plätze bestätigt")
    assert "Das Seminar hat 1 aktive Anmeldung." in messages.has_registrations(1)
    assert "Das Seminar hat 3 aktive Anmeldungen." in messages.has_registrations(3)
    assert "1 Anmeldung ist storniert" in messages.seminar_cancelled(1)
    assert "2 Anmeldungen sind storniert" in messages.seminar_cancelled(2)


def test_the_admin_overview_counts_in_german(client):
    factories.seminar()
    assert factories.login(client, factories.user("admin")).status_code == 303
    page = _text(client.get("/manage/admin/").text)
    assert "1 Seminar " in page and "1 Volkshochschule " in page
    assert "1 Seminare" not in page and "1 Volkshochschulen" not in page


# -- mended slips ------------------------------------------------------------------------------


def _mails(kind: str) -> list[OutboxMail]:
    factories.compose_mails()
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
        )
    )


@pytest.fixture
def mail_app(app_factory):
    app = app_factory(BASE_URL="https://seminare.example")
    with app.app_context():
        yield app


def test_the_waiting_list_mail_reads_as_one_letter(mail_app):
    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 2)
    waiting = _mails("confirmation")[1]
    assert waiting.subject.startswith("Warteliste Platz 1")
    assert "Guten Tag Alex Muster1,\n\nalle Plätze im Seminar sind zurzeit vergeben." in (
        waiting.text_body
    )
    # after the greeting's comma the letter goes on in lower case, in both parts
    assert re.search(r"Guten Tag Alex Muster1,</p>\s*<p>alle Plätze", waiting.html_body)
    assert ", und" not in waiting.text_body


def test_the_in_place_outcome_of_the_waiting_list_has_no_stray_comma(client, htmx):
    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 1)
    outcome = client.post(
        f"/seminare/{seminar.id}/anmelden", data=factories.form_data(7), headers=htmx
    )
    text = _text(outcome.text)
    assert "Sie stehen auf der Warteliste" in text
    assert "mit allen Angaben und Ihrem persönlichen Link" in text
    assert "Angaben, und" not in text


def test_the_cancellation_mail_gives_the_full_address_of_the_seminar_page(mail_app):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    registration = db.session.scalars(sa.select(Registration)).one()
    cancel_registration(registration.id)
    (mail,) = _mails("cancelled")
    address = f"https://seminare.example/seminare/{seminar.id}"
    assert (
        f"auf der Seite des Seminars erneut anmelden, solange die Anmeldung offen ist:\n{address}\n"
        in (mail.text_body)
    )
    assert f'<a href="{address}">{address}</a>' in mail.html_body


def test_the_cancel_page_says_sich_vom_seminar_abmelden(client):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    registration = db.session.scalars(sa.select(Registration)).one()
    assert registration.state == RegistrationState.CONFIRMED
    page = _text(client.get(f"/anmeldung/{factories.link_token(registration)}/stornieren").text)
    assert "Sie melden sich vom Seminar Basismodul: " in page
    assert f"in {seminar.venue_town} ab." in page
    assert "melden sich ab vom" not in page


def test_the_accessibility_statement_names_the_operator_grammatically(client):
    page = _text(client.get("/barrierefreiheit").text)
    assert (
        "Wir als Anbieter dieser Website (Landesverband der Volkshochschulen von "
        "Nordrhein-Westfalen e.V.) möchten, dass alle Menschen" in page
    )
    assert "e.V. möchte" not in page
