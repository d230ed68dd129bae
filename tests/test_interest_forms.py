"""Interest declarations: the public VHS and council forms, the deadline, the personal link
(confirm, change, withdraw) and the mail that carries it. Service tests first, then the
pages as a person uses them, with and without htmx."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app import rules
from app.core.enums import Module, Region
from app.core.formatting import date_long, date_short
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    CouncilDeclaration,
    DeclarationState,
    OfferState,
    OutboxMail,
    VhsDeclaration,
)
from app.services import interest
from app.services.interest import (
    Contact,
    CouncilInterest,
    DeclarationWithdrawn,
    InterestClosed,
    InvalidInterest,
    OfferData,
    VhsInterest,
)
from tests import factories

TODAY = today_berlin()
LINK = re.compile(r"http://127\.0\.0\.1:5000/interesse/([A-Za-z0-9_-]{20,})")
CLOSED = "Die Frist für Interessenbekundungen ist am"


@pytest.fixture
def programme(app):
    return factories.programme(interest_deadline=TODAY + timedelta(days=14))


@pytest.fixture
def vhs(app):
    return factories.vhs(name="Volkshochschule Köln", town="Köln")


@pytest.fixture
def councils(app):
    return [
        factories.council(town="Köln", region=Region.KOELN),
        factories.council(town="Bonn", region=Region.KOELN),
        factories.council(town="Münster", region=Region.MUENSTER),
        factories.council(town="Neustadt"),
    ]


def _vhs_declarations() -> list[VhsDeclaration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(VhsDeclaration).order_by(VhsDeclaration.id)))


def _council_declarations() -> list[CouncilDeclaration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CouncilDeclaration).order_by(CouncilDeclaration.id)))


def _mails(kind: str | None = None) -> list[OutboxMail]:
    db.session.expire_all()
    query = sa.select(OutboxMail).order_by(OutboxMail.id)
    if kind:
        query = query.where(OutboxMail.kind == kind)
    return list(db.session.scalars(query))


def _an_hour_later() -> None:
    """Let the hour pass in which the forms mail an address only once."""
    for mail in _mails():
        mail.created_at -= timedelta(hours=1)
    db.session.commit()


def _token_of(mail: OutboxMail) -> str:
    return LINK.search(mail.text_body).group(1)


def _offer(module=Module.BASIC, start=30, **overrides) -> OfferData:
    values = {
        "module": module,
        "day1": TODAY + timedelta(days=start),
        "day2": TODAY + timedelta(days=start + 1),
    }
    values.update(overrides)
    return OfferData(**values)


def _vhs_interest(vhs_id=None, email="kontakt@example.org", **overrides) -> VhsInterest:
    values = {
        "contact": Contact(name="Erika Muster", email=email, phone="0211 12345"),
        "offers": (_offer(),),
        "vhs_id": vhs_id,
    }
    if vhs_id is None:
        values.update(
            new_vhs_name="VHS Neustadt",
            new_vhs_street="Markt 1",
            new_vhs_postcode="40210",
            new_vhs_town="Neustadt",
        )
    values.update(overrides)
    return VhsInterest(**values)


def _declare_vhs(client, target, n=0, headers=None, **changes):
    data = factories.interest_form("vhs", n, **{"vhs": str(target.id), **changes})
    return client.post("/interesse/vhs", data=data, headers=headers)


def _confirmed_vhs(client, vhs, n=0, **changes) -> tuple[VhsDeclaration, str]:
    """A VHS declaration sent through the form and confirmed through its mail's link."""
    assert _declare_vhs(client, vhs, n, **changes).status_code == 303
    token = _token_of(_mails("interest_received")[-1])
    assert client.post(f"/interesse/{token}/bestaetigen").status_code == 303
    return _vhs_declarations()[-1], token


# -- the rule and the service ---------------------------------------------------------------


def test_interest_is_open_until_the_deadline_day_itself():
    deadline = date(2025, 9, 30)
    assert rules.interest_open(deadline, date(2025, 9, 1))
    assert rules.interest_open(deadline, deadline)
    assert not rules.interest_open(deadline, date(2025, 10, 1))
    assert not rules.interest_open(None, date(2025, 9, 1))  # no deadline: none taken


def test_declare_vhs_on_the_deadline_day_and_not_the_day_after(app, programme, vhs):
    deadline = programme.interest_deadline
    declared = interest.declare_vhs(programme.id, _vhs_interest(vhs.id), today=deadline)
    assert declared.declaration.state == DeclarationState.NEW
    with pytest.raises(InterestClosed) as closed:
        interest.declare_vhs(
            programme.id, _vhs_interest(vhs.id, "b@example.org"), today=deadline + timedelta(1)
        )
    assert closed.value.message == f"{CLOSED} {date_short(deadline)} abgelaufen."
    assert len(_vhs_declarations()) == 1


def test_a_programme_without_deadline_takes_no_declaration(app, vhs):
    programme = factories.programme(interest_deadline=None)
    with pytest.raises(InterestClosed, match="noch nicht festgelegt"):
        interest.declare_vhs(programme.id, _vhs_interest(vhs.id))
    assert _vhs_declarations() == []


def test_declare_vhs_stores_a_new_declaration_with_its_offers_and_councils(
    app, programme, councils
):
    data = _vhs_interest(
        email="  Erika.Muster@Example.ORG ",
        offers=(
            _offer(Module.ADVANCED, start=40),
            _offer(Module.BASIC, day1=None, day2=None, preferred_period="März, gern samstags"),
        ),
        council_ids=(councils[0].id, councils[2].id),
        room_capacity=24,
        step_free=True,
    )
    declaration = interest.declare_vhs(programme.id, data).declaration
    [stored] = _vhs_declarations()
    assert stored.id == declaration.id
    assert (stored.state, stored.confirmed_at) == (DeclarationState.NEW, None)
    assert stored.vhs_id is None and stored.vhs_name == "VHS Neustadt"
    assert stored.email_normalized == "erika.muster@example.org"
    assert [o.module for o in stored.offers] == [Module.BASIC, Module.ADVANCED]
    assert stored.offers[0].preferred_period == "März, gern samstags"
    assert stored.offers[1].day1 == TODAY + timedelta(days=40)
    assert all(o.state == OfferState.OPEN for o in stored.offers)
    assert {c.town for c in stored.councils} == {"Köln", "Münster"}
    assert len(stored.link_digest) == 64
    [mail] = _mails()
    assert (mail.kind, mail.recipient) == ("interest_received", "Erika.Muster@Example.ORG")


@pytest.mark.parametrize(
    ("offers", "field", "message"),
    [
        ((), "basic_offered", "mindestens ein Modul"),
        ((_offer(day1=None, day2=None),), "basic_day1", "zwei Tage oder beschreiben"),
        ((_offer(day2=None),), "basic_day2", "auch den 2. Tag"),
        ((_offer(day1=None),), "basic_day1", "auch den 1. Tag"),
        ((_offer(day2=TODAY + timedelta(days=30)),), "basic_day2", "nach dem 1. Tag"),
        ((_offer(day1=TODAY - timedelta(days=3)),), "basic_day1", "Vergangenheit"),
        ((_offer(Module.ADVANCED, start=400),), "advanced_day1", "nicht im Zeitraum"),
    ],
)
def test_the_rules_on_offered_days(app, programme, vhs, offers, field, message):
    with pytest.raises(InvalidInterest) as refused:
        interest.declare_vhs(programme.id, _vhs_interest(vhs.id, offers=offers))
    assert message in refused.value.errors[field]
    assert _vhs_declarations() == [] and _mails() == []


def test_the_same_address_for_the_same_vhs_replaces_an_unconfirmed_declaration(app, programme, vhs):
    first = interest.declare_vhs(programme.id, _vhs_interest(vhs.id)).declaration
    _an_hour_later()
    again = interest.declare_vhs(
        programme.id, _vhs_interest(vhs.id, room="Saal", email="KONTAKT@example.org")
    )
    assert again.declaration.id == first.id and not again.again
    [stored] = _vhs_declarations()
    assert stored.room == "Saal" and stored.state == DeclarationState.NEW
    # another person of the same VHS declares on their own
    interest.declare_vhs(programme.id, _vhs_interest(vhs.id, email="other@example.org"))
    assert len(_vhs_declarations()) == 2


def test_the_forms_mail_one_address_at_most_once_an_hour(client, programme, vhs, councils):
    assert _declare_vhs(client, vhs).status_code == 303
    # the same address, again and again, through either form and in any spelling
    for _ in range(3):
        again = _declare_vhs(client, vhs, room="Saal", contact_email="KONTAKT0@example.org")
        assert again.status_code == 422
        assert "in der letzten Stunde schon eine E-Mail" in again.text
        assert 'value="Saal"' in again.text  # what was typed is kept
    council = factories.interest_form("council", council=str(councils[0].id))
    refused = client.post("/interesse/integrationsrat", data=council)
    assert refused.status_code == 422
    assert len(_mails()) == 1
    [stored] = _vhs_declarations()
    assert stored.room != "Saal"  # nothing written
    assert db.session.scalars(sa.select(CouncilDeclaration)).all() == []
    # another address is not held up; after the hour the address gets its mail again
    assert _declare_vhs(client, vhs, contact_email="other@example.org").status_code == 303
    _an_hour_later()
    assert client.post("/interesse/integrationsrat", data=council).status_code == 303
    assert [m.recipient for m in _mails()][-1] == "kontakt0@example.org"
    assert len(_mails()) == 3


def test_council_declaration_needs_a_module_and_a_council(app, programme, councils):
    contact = Contact(name="Kemal Yıldız", email="gs@koeln.example")
    with pytest.raises(InvalidInterest) as refused:
        interest.declare_council(programme.id, CouncilInterest(contact=contact))
    assert set(refused.value.errors) == {"new_council_town", "wants_basic"}
    declared = interest.declare_council(
        programme.id,
        CouncilInterest(
            contact=contact, council_id=councils[0].id, wants_advanced=True, preferred_vhs_id=None
        ),
    ).declaration
    assert declared.modules == [Module.ADVANCED]
    assert declared.town == "Köln" and declared.state == DeclarationState.NEW


# -- the landing page and the deadline on the pages ----------------------------------------------


def test_landing_page_names_the_deadline_and_links_both_forms(client, programme):
    page = client.get("/interesse").text
    assert f"bis einschließlich <strong>{date_long(programme.interest_deadline)}</strong>" in page
    assert 'href="/interesse/vhs"' in page and 'href="/interesse/integrationsrat"' in page
    assert 'href="/interesse"' in client.get("/impressum").text  # the footer links it


@pytest.mark.parametrize("url", ["/interesse", "/interesse/vhs", "/interesse/integrationsrat"])
def test_after_the_deadline_the_pages_say_so_and_whom_to_ask(app, client, url):
    yesterday = TODAY - timedelta(days=1)
    factories.programme(interest_deadline=yesterday)
    response = client.get(url)
    assert response.status_code == 200
    assert f"{CLOSED} {date_long(yesterday)} abgelaufen." in response.text
    assert app.config["OPERATOR_NAME"] in response.text
    assert f'href="mailto:{app.config["OPERATOR_EMAIL"]}"' in response.text
    assert '<form id="interest' not in response.text


def test_without_a_deadline_the_forms_are_closed(client, app):
    factories.programme(interest_deadline=None)
    page = client.get("/interesse/vhs").text
    assert "Die Frist für dieses Programmjahr ist noch nicht festgelegt" in page
    assert 'id="interest-vhs-form"' not in page


def test_without_any_programme_nothing_is_taken(client, app):
    for url in ("/interesse", "/interesse/vhs", "/interesse/integrationsrat"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Zurzeit nehmen wir keine Interessenbekundungen entgegen." in page.text
    refused = client.post("/interesse/integrationsrat", data=factories.interest_form("council"))
    assert refused.status_code == 409


def test_change_and_withdraw_on_the_deadline_day_and_not_the_day_after(app, programme, vhs):
    deadline = programme.interest_deadline
    declaration = interest.declare_vhs(programme.id, _vhs_interest(vhs.id)).declaration
    token = factories.interest_token(declaration)
    interest.confirm(token, today=deadline)
    with pytest.raises(InterestClosed):
        interest.change_vhs(
            token, _vhs_interest(vhs.id, room="Saal"), today=deadline + timedelta(1)
        )
    interest.change_vhs(token, _vhs_interest(vhs.id, room="Saal"), today=deadline)
    with pytest.raises(InterestClosed):
        interest.withdraw(token, today=deadline + timedelta(1))
    interest.withdraw(token, today=deadline)
    [stored] = _vhs_declarations()
    assert (stored.room, stored.state) == ("Saal", DeclarationState.WITHDRAWN)


def test_the_form_is_open_on_the_deadline_day_and_closed_the_day_after(client, vhs):
    programme = factories.programme(interest_deadline=TODAY)
    assert 'id="interest-vhs-form"' in client.get("/interesse/vhs").text
    assert _declare_vhs(client, vhs).status_code == 303
    programme.interest_deadline = TODAY - timedelta(days=1)
    db.session.commit()
    refused = _declare_vhs(client, vhs, 1)
    assert refused.status_code == 409
    assert CLOSED in refused.text
    assert len(_vhs_declarations()) == 1


# -- the VHS form --------------------------------------------------------------------------------


def test_vhs_form_sent_without_javascript(client, programme, vhs, councils):
    form = client.get("/interesse/vhs").text
    assert "Regierungsbezirk Köln (2)" in form and "Regierungsbezirk Münster (1)" in form
    assert "Regierungsbezirk Ohne Regierungsbezirk (1)" in form
    response = _declare_vhs(
        client,
        vhs,
        contact_name="Nguyễn Thị Lan",
        councils=[str(councils[0].id), str(councils[1].id)],
        advanced_offered="y",
        advanced_period="Herbst, nicht in den Ferien",
        step_free="y",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/interesse/gesendet"
    page = client.get("/interesse/gesendet")
    assert "Fast geschafft: Bitte bestätigen Sie Ihre Interessenbekundung" in page.text
    assert "kontakt0@example.org" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "/interesse/" not in page.text.replace('href="/interesse"', "")  # link by mail only
    [stored] = _vhs_declarations()
    assert stored.contact_name == "Nguyễn Thị Lan" and stored.vhs_id == vhs.id
    assert stored.step_free and stored.room_capacity == 20
    assert [o.module for o in stored.offers] == [Module.BASIC, Module.ADVANCED]
    assert stored.offers[1].preferred_period == "Herbst, nicht in den Ferien"
    assert [c.town for c in stored.councils] == ["Bonn", "Köln"]
    # another browser sees nothing of it
    assert factories_client(client).get("/interesse/gesendet").status_code == 302


def factories_client(client):
    return client.application.test_client()


def test_vhs_form_with_htmx_redirects_and_returns_errors_in_place(client, programme, vhs, htmx):
    bad = _declare_vhs(client, vhs, headers=htmx, contact_email="kaputt")
    assert bad.status_code == 422
    assert "<html" not in bad.text and 'id="interest-form"' in bad.text
    assert "gültige E-Mail-Adresse" in bad.text
    field = re.search(r'<input[^>]*id="contact_email"[^>]*>', bad.text).group(0)
    assert re.search(r"\sautofocus[\s>]", field)  # the first wrong field takes the focus
    good = _declare_vhs(client, vhs, headers=htmx)
    assert good.status_code == 204
    assert good.headers["HX-Redirect"] == "/interesse/gesendet"


def test_a_new_vhs_is_named_with_its_address(client, programme):
    new = {"vhs": "neu", "new_vhs_name": "VHS Hückeswagen", "new_vhs_town": "Hückeswagen"}
    data = factories.interest_form("vhs", **new)
    refused = client.post("/interesse/vhs", data=data)
    assert refused.status_code == 422
    assert "Bitte geben Sie Straße und Hausnummer an." in refused.text
    assert "Bitte geben Sie die Postleitzahl an." in refused.text
    assert 'value="VHS Hückeswagen"' in refused.text
    data.update(new_vhs_street="Islandstraße 10", new_vhs_postcode="42499")
    assert client.post("/interesse/vhs", data=data).status_code == 303
    [stored] = _vhs_declarations()
    assert (stored.vhs_id, stored.vhs_name, stored.town) == (None, "VHS Hückeswagen", "Hückeswagen")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vhs": ""}, "Bitte wählen Sie Ihre Volkshochschule"),
        ({"vhs": "99999"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
        ({"contact_name": ""}, "Bitte geben Sie den Namen der Ansprechperson an."),
        ({"contact_name": "<b>Erika</b>"}, "keine spitzen Klammern"),
        ({"contact_name": "Erika\x07 Muster"}, "keine Steuerzeichen"),
        ({"contact_name": "E" * 161}, "höchstens 160 Zeichen"),
        ({"contact_email": "erika@"}, "gültige E-Mail-Adresse"),
        ({"contact_phone": ""}, "Bitte geben Sie eine Telefonnummer an."),
        ({"contact_phone": "ruf mich an"}, "zum Beispiel 0211 123456-0"),
        ({"basic_offered": None}, "Sie haben Termine für dieses Modul angegeben"),
        ({"basic_day2": (TODAY + timedelta(days=29)).isoformat()}, "nach dem 1. Tag liegen"),
        ({"basic_day1": (TODAY + timedelta(days=31)).isoformat()}, "nach dem 1. Tag liegen"),
        ({"basic_day2": ""}, "Bitte geben Sie auch den 2. Tag an."),
        ({"basic_day1": "31.02.2026"}, "Bitte geben Sie ein Datum an"),
        ({"basic_day1": (TODAY + timedelta(days=400)).isoformat()}, "nicht im Zeitraum"),
        ({"basic_day1": (TODAY - timedelta(days=1)).isoformat()}, "in der Vergangenheit"),
        ({"basic_period": "x" * 301}, "höchstens 300 Zeichen"),
        ({"room_capacity": "0"}, "zwischen 1 und 200"),
        ({"room_capacity": "201"}, "zwischen 1 und 200"),
        ({"room_capacity": "zwanzig"}, "ganze Zahl"),
        ({"note": "<script>alert(1)</script>"}, "keine spitzen Klammern"),
        ({"note": "n" * 2001}, "höchstens 2000 Zeichen"),
        ({"privacy": None}, "Datenschutzhinweise gelesen haben"),
        ({"website": "http://spam.example"}, "Bitte lassen Sie dieses Feld leer."),
    ],
)
def test_vhs_form_refuses_bad_input_and_keeps_what_was_typed(
    client, programme, vhs, changes, message
):
    response = _declare_vhs(client, vhs, **{"contact_name": "Zoë O'Neill", **changes})
    assert response.status_code == 422
    assert message in response.text
    assert "Bitte prüfen Sie Ihre Angaben." in response.text
    typed = changes.get("contact_name", "Zoë O'Neill")
    if "<" not in typed and "\x07" not in typed:
        assert f'value="{typed.replace(chr(39), "&#39;")}"' in response.text
    assert 'value="kontakt0@example.org"' in response.text or "contact_email" in changes
    assert _vhs_declarations() == [] and _mails() == []


def test_no_module_at_all_is_refused(client, programme, vhs):
    response = _declare_vhs(
        client, vhs, basic_offered=None, basic_day1=None, basic_day2=None, room="Saal 3"
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie mindestens ein Modul." in response.text
    assert 'value="Saal 3"' in response.text


def test_hostile_input_never_gives_a_server_error(client, programme, vhs, councils):
    for text in ["\x00", "x" * 5000, "<script>alert(1)</script>", "2147483648", "-1"]:
        for url in ("/interesse/vhs", "/interesse/integrationsrat"):
            names = [*factories.interest_form("vhs"), *factories.interest_form("council")]
            names += ["vhs", "council", "councils", "preferred_vhs", "advanced_day2"]
            data = dict.fromkeys(names, text)
            response = client.post(url, data=data)
            # 413: past MAX_CONTENT_LENGTH
            assert response.status_code in (413, 422), (url, text)
    assert _vhs_declarations() == [] and _council_declarations() == []


# -- the personal link -----------------------------------------------------------------------


def test_the_mail_carries_a_link_that_opens_the_page_and_confirms_by_button(client, programme, vhs):
    _declare_vhs(client, vhs, contact_name="Ayşe Çelik")
    [mail] = _mails()
    assert mail.subject == "Bitte bestätigen: Ihre Interessenbekundung für Volkshochschule Köln"
    assert "Guten Tag Ayşe Çelik" in mail.text_body
    assert f"bis einschließlich {date_long(programme.interest_deadline)}" in mail.text_body
    token = _token_of(mail)
    assert f'href="http://127.0.0.1:5000/interesse/{token}"' in mail.html_body

    page = client.get(f"/interesse/{token}")  # opening it (a mail scanner too) confirms nothing
    assert page.status_code == 200
    assert "Bitte bestätigen Sie Ihre Interessenbekundung" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert _vhs_declarations()[0].state == DeclarationState.NEW

    confirmed = client.post(f"/interesse/{token}/bestaetigen")
    assert confirmed.status_code == 303
    page = client.get(confirmed.headers["Location"]).text
    assert "Danke! Ihre Interessenbekundung ist bestätigt und zählt." in page
    assert "Ihre Interessenbekundung ist bestätigt" in page
    assert "Angaben ändern" in page and "zurückziehen" in page
    [stored] = _vhs_declarations()
    assert stored.state == DeclarationState.CONFIRMED and stored.confirmed_at is not None
    # a second press changes nothing
    client.post(f"/interesse/{token}/bestaetigen")
    assert _vhs_declarations()[0].confirmed_at == stored.confirmed_at


def test_a_new_declaration_cannot_be_confirmed_after_the_deadline(client, programme, vhs):
    _declare_vhs(client, vhs)
    token = _token_of(_mails()[0])
    programme.interest_deadline = TODAY - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/interesse/{token}").text
    assert "Nicht bestätigt" in page and "Interesse bestätigen" not in page
    assert f"{CLOSED} {date_long(programme.interest_deadline)} abgelaufen." in page
    after = client.post(f"/interesse/{token}/bestaetigen", follow_redirects=True)
    assert CLOSED in after.text
    assert _vhs_declarations()[0].state == DeclarationState.NEW
    with pytest.raises(InterestClosed):
        interest.confirm(token)


def test_change_through_the_link_keeps_it_confirmed_and_the_address(client, programme, vhs):
    _declaration, token = _confirmed_vhs(
        client, vhs, advanced_offered="y", advanced_period="Herbst"
    )
    form = client.get(f"/interesse/{token}/aendern")
    assert form.status_code == 200
    assert 'value="Raum 2.14"' in form.text and 'value="Herbst"' in form.text
    assert 'name="contact_email"' not in form.text and "kontakt0@example.org" in form.text
    day1 = TODAY + timedelta(days=50)
    changed = client.post(
        f"/interesse/{token}/aendern",
        data=factories.interest_form(
            "vhs",
            vhs=str(vhs.id),
            contact_name="Neue Person",
            contact_email="attacker@example.org",  # not a field of the change form
            basic_offered=None,
            basic_day1=None,
            basic_day2=None,
            advanced_offered="y",
            advanced_day1=day1.isoformat(),
            advanced_day2=(day1 + timedelta(days=7)).isoformat(),
            privacy=None,
        ),
    )
    assert changed.status_code == 303
    assert "Ihre Änderungen sind gespeichert." in client.get(f"/interesse/{token}").text
    [stored] = _vhs_declarations()
    assert stored.state == DeclarationState.CONFIRMED
    assert stored.contact_name == "Neue Person"
    assert stored.contact_email == "kontakt0@example.org"
    assert [(o.module, o.day1) for o in stored.offers] == [(Module.ADVANCED, day1)]
    mail = _mails("interest_changed")[-1]
    assert mail.subject.startswith("Geändert: Ihre Interessenbekundung")
    assert "Neue Person" in mail.text_body and "Aufbaumodul" in mail.text_body


def test_a_change_with_errors_keeps_what_was_typed(client, programme, vhs):
    _declaration, token = _confirmed_vhs(client, vhs)
    response = client.post(
        f"/interesse/{token}/aendern",
        data=factories.interest_form("vhs", vhs=str(vhs.id), room="Saal 7", room_capacity="999"),
    )
    assert response.status_code == 422
    assert 'value="Saal 7"' in response.text and "zwischen 1 und 200" in response.text
    assert _vhs_declarations()[0].room == "Raum 2.14"


def test_an_unconfirmed_declaration_is_confirmed_before_it_is_changed(client, programme, vhs):
    _declare_vhs(client, vhs)
    token = _token_of(_mails()[0])
    response = client.get(f"/interesse/{token}/aendern")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/interesse/{token}"


def test_withdraw_through_the_link(client, programme, vhs):
    _declaration, token = _confirmed_vhs(client, vhs)
    ask = client.get(f"/interesse/{token}/zurueckziehen")
    assert "wirklich zurückziehen?" in ask.text
    assert _vhs_declarations()[0].state == DeclarationState.CONFIRMED  # asking changes nothing
    done = client.post(f"/interesse/{token}/zurueckziehen")
    assert done.status_code == 303
    page = client.get(f"/interesse/{token}").text
    assert "Diese Interessenbekundung ist zurückgezogen" in page
    assert "Angaben ändern" not in page
    [stored] = _vhs_declarations()
    assert stored.state == DeclarationState.WITHDRAWN and stored.withdrawn_at is not None
    assert _mails("interest_withdrawn")[0].subject.startswith("Zurückgezogen:")
    # withdrawn: no change, no confirmation
    assert client.get(f"/interesse/{token}/aendern").status_code == 303
    with pytest.raises(DeclarationWithdrawn):
        interest.change_vhs(token, _vhs_interest(vhs.id))
    with pytest.raises(DeclarationWithdrawn):
        interest.confirm(token)
    # and the form takes a new declaration of the same address (in the next hour)
    _an_hour_later()
    assert _declare_vhs(client, vhs).status_code == 303
    assert len(_vhs_declarations()) == 2


def test_after_the_deadline_the_link_shows_the_declaration_read_only(client, programme, vhs):
    _declaration, token = _confirmed_vhs(client, vhs)
    programme.interest_deadline = TODAY - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/interesse/{token}").text
    assert "Ihre Interessenbekundung ist bestätigt" in page
    assert "lassen sich hier nicht mehr ändern" in page
    assert "Angaben ändern" not in page and "zurückziehen …" not in page
    assert client.get(f"/interesse/{token}/aendern").status_code == 303
    assert client.post(f"/interesse/{token}/zurueckziehen").status_code == 303
    assert _vhs_declarations()[0].state == DeclarationState.CONFIRMED
    with pytest.raises(InterestClosed):
        interest.withdraw(token)


def test_a_decided_module_shows_its_state_and_ends_changes(client, programme, vhs):
    declaration, token = _confirmed_vhs(client, vhs)
    offer = declaration.offers[0]
    offer.state = OfferState.DECLINED
    offer.decision_reason = "Im Umkreis gibt es schon einen Standort."
    db.session.commit()
    page = client.get(f"/interesse/{token}").text
    assert "abgelehnt" in page and "Im Umkreis gibt es schon einen Standort." in page
    assert "Angaben ändern" not in page
    assert client.get(f"/interesse/{token}/aendern").status_code == 303


def test_the_same_address_for_a_confirmed_vhs_gets_its_link_again(client, programme, vhs):
    _declaration, old_token = _confirmed_vhs(client, vhs)
    _an_hour_later()
    again = _declare_vhs(client, vhs, room="Anderer Raum")
    assert again.status_code == 303
    page = client.get("/interesse/gesendet").text
    assert "Sie haben schon Interesse bekundet" in page
    [stored] = _vhs_declarations()
    assert stored.room == "Raum 2.14"  # nothing overwritten without the link
    mail = _mails("interest_again")[0]
    new_token = _token_of(mail)
    assert client.get(f"/interesse/{new_token}").status_code == 200
    assert client.get(f"/interesse/{old_token}").status_code == 404  # the newer link counts


@pytest.mark.parametrize("token", ["nichtda", "x" * 65])
def test_an_unknown_link_says_so(client, programme, token):
    for method, url in [
        ("GET", f"/interesse/{token}"),
        ("POST", f"/interesse/{token}/bestaetigen"),
        ("GET", f"/interesse/{token}/aendern"),
        ("POST", f"/interesse/{token}/zurueckziehen"),
    ]:
        response = client.open(url, method=method)
        assert response.status_code == 404, url
        assert "Dieser Link ist ungültig" in response.text


def test_a_contact_name_a_spreadsheet_would_run_is_refused_beside_it_and_kept(
    client, programme, vhs
):
    typed = '=HYPERLINK("https://evil.example";"Klick")'
    response = _declare_vhs(client, vhs, contact_name=typed)

    assert response.status_code == 422
    error = response.text.split('id="contact_name-error"', 1)[1].split("</p>", 1)[0]
    assert "Tabellenprogramme würden den Eintrag als Formel lesen." in error
    assert f'value="{escape(typed)}"' in response.text
    assert _vhs_declarations() == [] and _mails() == []


def test_names_and_markup_are_shown_as_typed_and_escaped_in_the_mail(client, programme, vhs):
    _declare_vhs(client, vhs, contact_name="Seán O'Neill", note="Bitte & danke")
    mail = _mails()[0]
    assert "Guten Tag Seán O'Neill" in mail.text_body
    assert "Seán O&#39;Neill" in mail.html_body and "Bitte &amp; danke" in mail.html_body


# -- the council form ------------------------------------------------------------------------------


def test_council_form_sent_changed_and_withdrawn(client, programme, vhs, councils):
    form = client.get("/interesse/integrationsrat").text
    assert "Integrationsrat Köln" in form and "Volkshochschule Köln" in form
    response = client.post(
        "/interesse/integrationsrat",
        data=factories.interest_form(
            "council",
            council=str(councils[2].id),
            contact_name="Kemal Yıldız",
            contact_phone="",
            wants_advanced="y",
            preferred_vhs=str(vhs.id),
        ),
    )
    assert response.status_code == 303
    [stored] = _council_declarations()
    assert stored.modules == [Module.BASIC, Module.ADVANCED]
    assert (stored.estimated_participants, stored.preferred_vhs_id) == (12, vhs.id)
    mail = _mails()[0]
    assert mail.subject == "Bitte bestätigen: Ihre Interessenbekundung für Integrationsrat Münster"
    token = _token_of(mail)
    client.post(f"/interesse/{token}/bestaetigen")
    changed = client.post(
        f"/interesse/{token}/aendern",
        data=factories.interest_form(
            "council", council="neu", new_council_town="Hückeswagen", estimated_participants=""
        ),
    )
    assert changed.status_code == 303
    [stored] = _council_declarations()
    assert (stored.council_id, stored.town, stored.estimated_participants) == (
        None,
        "Hückeswagen",
        None,
    )
    assert stored.state == DeclarationState.CONFIRMED
    client.post(f"/interesse/{token}/zurueckziehen")
    assert _council_declarations()[0].state == DeclarationState.WITHDRAWN


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"council": ""}, "Bitte wählen Sie Ihren Integrationsrat"),
        ({"council": "neu"}, "Stadt oder Gemeinde Ihres Integrationsrats"),
        ({"wants_basic": None}, "Bitte wählen Sie mindestens ein Modul."),
        ({"estimated_participants": "0"}, "zwischen 1 und 200"),
        ({"preferred_vhs": "abc"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
        ({"contact_phone": "+49 (0)211 / 12-34"}, None),  # a phone number as people write it
        ({"contact_name": "@SUM(1+1)"}, "Tabellenprogramme würden den Eintrag als Formel lesen"),
        ({"contact_name": "Anne-Marie O'Neill"}, None),
    ],
)
def test_council_form_refuses_bad_input_and_keeps_what_was_typed(
    client, programme, councils, changes, message
):
    data = factories.interest_form("council", council=str(councils[0].id), note="Danke!")
    data.update({k: v for k, v in changes.items() if v is not None})
    for name in [k for k, v in changes.items() if v is None]:
        data.pop(name)
    response = client.post("/interesse/integrationsrat", data=data)
    if message is None:
        assert response.status_code == 303
        return
    assert response.status_code == 422
    assert message in response.text
    assert "Danke!</textarea>" in response.text
    assert _council_declarations() == []


# -- protection ---------------------------------------------------------------------------------


def test_the_forms_are_rate_limited_per_client(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    with app.app_context():
        factories.programme(interest_deadline=TODAY)
        vhs = factories.vhs()
        client = app.test_client()
        codes = [_declare_vhs(client, vhs, n).status_code for n in range(3)]
        assert codes == [303, 303, 429]
        assert "Zu viele Versuche" in _declare_vhs(client, vhs, 9).text
        assert client.get("/interesse/vhs").status_code == 200  # reading is not limited


def test_the_forms_need_their_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        factories.programme(interest_deadline=TODAY)
        council = factories.council()
        client = app.test_client()
        data = factories.interest_form("council", council=str(council.id))
        refused = client.post("/interesse/integrationsrat", data=data)
        assert refused.status_code == 400 and "Das Formular ist abgelaufen" in refused.text
        page = client.get("/interesse/integrationsrat").text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        accepted = client.post("/interesse/integrationsrat", data={**data, "csrf_token": token})
        assert accepted.status_code == 303


def test_the_pages_render_in_full_and_as_fragments(client, programme, vhs, htmx):
    _declaration, token = _confirmed_vhs(client, vhs)
    for url in [
        "/interesse",
        "/interesse/vhs",
        "/interesse/integrationsrat",
        "/interesse/gesendet",
        f"/interesse/{token}",
        f"/interesse/{token}/aendern",
        f"/interesse/{token}/zurueckziehen",
    ]:
        full = client.get(url)
        assert full.status_code == 200, url
        assert full.text.startswith("<!doctype html>"), url
        fragment = client.get(url, headers=htmx)
        assert fragment.status_code == 200, url
        assert "<html" not in fragment.text, url


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999"])
def test_an_odd_preferred_vhs_is_refused_beside_its_field(client, programme, vhs, councils, value):
    # "²" passes str.isdigit() but not int(): it must not end as a 500
    form = factories.interest_form("council", council=str(councils[0].id), preferred_vhs=value)
    refused = client.post("/interesse/integrationsrat", data=form)
    assert refused.status_code == 422
    assert 'id="preferred_vhs-error"' in refused.text
    assert _council_declarations() == []
