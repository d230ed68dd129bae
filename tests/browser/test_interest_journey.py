"""Interest declarations in a real browser at phone size (360 px): a VHS fills the form with
JavaScript (htmx), gets the mail, confirms, changes and withdraws through the personal
link; a council office sends its form without JavaScript. axe finds nothing on any page,
and no page scrolls sideways.

The live server writes its mails as .eml files into its own folder; the test reads the
personal link from there and opens its path on the live server.
"""

import email
import email.policy
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.core.enums import Region
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import CouncilDeclaration, DeclarationState, VhsDeclaration
from tests import factories
from tests.browser.conftest import assert_accessible, hand_over

PHONE_360 = {"viewport": {"width": 360, "height": 740}}
MAIL_WAIT_SECONDS = 10.0
LINK = re.compile(r"https?://[^/\s]+(/interesse/[A-Za-z0-9_-]{20,})")
TODAY = today_berlin()


@pytest.fixture
def world(app):
    programme = factories.programme(interest_deadline=TODAY + timedelta(days=10))
    vhs = factories.vhs(name="Volkshochschule Köln", town="Köln")
    factories.vhs(name="Volkshochschule Bonn", town="Bonn")
    factories.council(town="Köln", region=Region.KOELN)
    factories.council(town="Leverkusen", region=Region.KOELN)
    factories.council(town="Münster", region=Region.MUENSTER)
    values = {"programme": programme.id, "vhs": vhs.id}
    hand_over()
    return values


def mail_link(live_server, address: str, kind: str) -> str:
    """The path of the personal link in the newest mail of ``kind`` to ``address``."""
    folder = Path(live_server.mail_folder)
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        for path in sorted(folder.glob(f"*-{kind}.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                text = message.get_body(preferencelist=("plain",)).get_content()
                return LINK.search(text).group(1)
        if time.monotonic() >= deadline:
            pytest.fail(f"no {kind} mail to {address} within {MAIL_WAIT_SECONDS:.0f} s")
        time.sleep(0.1)


def assert_fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{where} scrolls sideways at 360 px ({width} px wide)"


def check_page(page: Page, where: str) -> None:
    assert_fits(page, where)
    assert_accessible(page, where)


def stored(model, **where):
    db.session.remove()
    found = db.session.scalars(sa.select(model).filter_by(**where)).one()
    state = (found.state, found.contact_name, found.room if model is VhsDeclaration else None)
    hand_over()
    return state


def test_a_vhs_declares_confirms_changes_and_withdraws(world, new_page, watch, live_server):
    watch.expect_status(422, "/interesse/vhs")
    page = new_page("phone", **PHONE_360)
    page.goto("/")
    page.get_by_role("link", name="Interesse bekunden (VHS und Integrationsräte)").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interesse an der Qualifizierungsreihe bekunden"
    )
    check_page(page, "interest landing page")

    page.get_by_role("link", name="Interesse als Volkshochschule bekunden").tap()
    form = page.locator("#interest-vhs-form")
    expect(form).to_be_visible()
    check_page(page, "VHS form")

    # sent half-filled: the errors come back in place (htmx), what was typed stays
    page.evaluate("window.__sameDocument = true")
    form.get_by_label("Name der Ansprechperson").fill("Nguyễn Thị Lan")
    form.get_by_role("button", name="Interesse senden").tap()
    expect(page.get_by_role("alert").first).to_contain_text("Bitte prüfen Sie Ihre Angaben.")
    assert page.evaluate("window.__sameDocument === true"), "htmx swapped no fragment"
    expect(page.locator("#vhs-error")).to_have_text(re.compile("Bitte wählen Sie Ihre Volks"))
    expect(page.locator("#vhs")).to_be_focused()
    expect(page.get_by_label("Name der Ansprechperson")).to_have_value("Nguyễn Thị Lan")
    check_page(page, "VHS form with errors")

    form = page.locator("#interest-vhs-form")
    form.get_by_label("Ihre Volkshochschule").select_option(label="Volkshochschule Köln")
    form.get_by_label("E-Mail-Adresse").fill("lan.nguyen@vhs-koeln.example")
    form.get_by_label("Telefon").fill("0221 221-12345")
    basic = form.get_by_role("group", name="Basismodul: Lebenswelt und Handlungsfeld Kommune")
    basic.get_by_label("Wir bieten das Basismodul an.").check()
    day1 = TODAY + timedelta(days=40)
    basic.get_by_label("1. Tag").fill(day1.isoformat())
    basic.get_by_label("2. Tag").fill((day1 + timedelta(days=1)).isoformat())
    advanced = form.get_by_role("group", name="Aufbaumodul: Entwicklung von Zielen")
    advanced.get_by_label("Wir bieten das Aufbaumodul an.").check()
    advanced.get_by_label("Oder: Zeitraum in Worten").fill("Herbst, gern samstags")
    form.get_by_label("Raum (freiwillig)", exact=True).fill("Raum 2.14")
    form.get_by_label("Plätze im Raum (freiwillig)").fill("24")
    form.get_by_label("Der Raum ist stufenlos erreichbar").check()
    form.get_by_text("Regierungsbezirk Köln (2)").tap()  # opens the group (<details>)
    form.get_by_label("Integrationsrat Leverkusen").check()
    form.get_by_role("checkbox", name="Ich habe die Datenschutzhinweise gelesen.").check()
    form.get_by_role("button", name="Interesse senden").tap()

    expect(page).to_have_url(re.compile(r"/interesse/gesendet$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fast geschafft: Bitte bestätigen Sie Ihre Interessenbekundung"
    )
    expect(page.locator("#interest-summary")).to_contain_text("Integrationsrat Leverkusen")
    check_page(page, "interest sent")
    assert stored(VhsDeclaration, vhs_id=world["vhs"])[0] == DeclarationState.NEW

    link = mail_link(live_server, "lan.nguyen@vhs-koeln.example", "interest_received")
    page.goto(link)
    expect(
        page.get_by_role("heading", name="Bitte bestätigen Sie Ihre Interessenbe")
    ).to_be_visible()
    check_page(page, "personal link before confirming")
    assert stored(VhsDeclaration, vhs_id=world["vhs"])[0] == DeclarationState.NEW
    page.get_by_role("button", name="Interesse bestätigen").tap()
    expect(
        page.get_by_role("heading", name="Ihre Interessenbekundung ist bestätigt")
    ).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Danke!")
    check_page(page, "personal link, confirmed")

    page.get_by_role("link", name="Angaben ändern").tap()
    form = page.locator("#interest-vhs-form")
    expect(form.get_by_label("Raum (freiwillig)", exact=True)).to_have_value("Raum 2.14")
    check_page(page, "change form")
    form.get_by_label("Raum (freiwillig)", exact=True).fill("Saal im Erdgeschoss")
    form.get_by_role("button", name="Änderungen speichern").tap()
    expect(page.get_by_role("status")).to_contain_text("Ihre Änderungen sind gespeichert.")
    expect(page.locator("#interest-summary")).to_contain_text("Saal im Erdgeschoss")
    assert stored(VhsDeclaration, vhs_id=world["vhs"]) == (
        DeclarationState.CONFIRMED,
        "Nguyễn Thị Lan",
        "Saal im Erdgeschoss",
    )

    page.get_by_role("link", name="Interessenbekundung zurückziehen …").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interessenbekundung wirklich zurückziehen?"
    )
    check_page(page, "withdraw confirmation")
    page.get_by_role("button", name="Ja, zurückziehen").tap()
    expect(
        page.get_by_role("heading", name="Diese Interessenbekundung ist zurückgezogen")
    ).to_be_visible()
    check_page(page, "personal link, withdrawn")
    assert stored(VhsDeclaration, vhs_id=world["vhs"])[0] == DeclarationState.WITHDRAWN


def test_a_council_office_declares_without_javascript(world, new_page, watch, live_server):
    watch.expect_status(422, "/interesse/integrationsrat")
    page = new_page("phone", java_script_enabled=False, **PHONE_360)
    page.goto("/interesse/integrationsrat")
    form = page.locator("#interest-council-form")
    form.get_by_label("Ihr Integrationsrat").select_option(label="Integrationsrat Münster")
    form.get_by_label("Name der Ansprechperson").fill("Seán O'Neill")
    form.get_by_label("E-Mail-Adresse").fill("gs.integrationsrat@muenster.example")
    form.get_by_label("Wie viele Mitglieder").fill("14")
    form.get_by_label("Bevorzugte Volkshochschule").select_option(label="Volkshochschule Köln")
    form.get_by_label("Anmerkungen (freiwillig)").fill("Gern an einem Wochenende.")
    form.get_by_role("checkbox", name="Ich habe die Datenschutzhinweise gelesen.").check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Interesse senden").tap()
    assert posted.value.status == 422  # no module chosen: the whole page comes back
    form = page.locator("#interest-council-form")
    expect(form.locator("#wants_basic-error")).to_have_text(
        "Bitte wählen Sie mindestens ein Modul."
    )
    expect(form.get_by_label("Name der Ansprechperson")).to_have_value("Seán O'Neill")
    expect(form.get_by_label("Anmerkungen (freiwillig)")).to_have_value("Gern an einem Wochenende.")
    assert_fits(page, "council form with errors, without JavaScript")

    form.get_by_label(re.compile("^Basismodul")).check()
    form.get_by_label(re.compile("^Aufbaumodul")).check()
    form.get_by_role("checkbox", name="Ich habe die Datenschutzhinweise gelesen.").check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Interesse senden").tap()
    assert posted.value.status == 303
    expect(page).to_have_url(re.compile(r"/interesse/gesendet$"))
    expect(page.locator("#interest-summary")).to_contain_text("Volkshochschule Köln")
    assert_fits(page, "council interest sent, without JavaScript")

    # axe needs JavaScript: it looks at the same pages with the session's cookies
    looker = new_page("phone", **PHONE_360)
    looker.context.add_cookies(page.context.cookies())
    looker.goto("/interesse/gesendet")
    expect(looker.get_by_role("heading", level=1)).to_contain_text("Fast geschafft")
    assert_accessible(looker, "council interest sent")
    looker.goto("/interesse/integrationsrat")
    assert_accessible(looker, "council form")

    # the personal link works without JavaScript too
    link = mail_link(live_server, "gs.integrationsrat@muenster.example", "interest_received")
    page.goto(link)
    page.get_by_role("button", name="Interesse bestätigen").tap()
    expect(
        page.get_by_role("heading", name="Ihre Interessenbekundung ist bestätigt")
    ).to_be_visible()
    state = stored(CouncilDeclaration, email_normalized="gs.integrationsrat@muenster.example")
    assert state[:2] == (DeclarationState.CONFIRMED, "Seán O'Neill")


def test_after_the_deadline_the_landing_page_says_whom_to_ask(app, new_page):
    factories.programme(interest_deadline=TODAY - timedelta(days=1))
    page = new_page("phone", **PHONE_360)
    page.goto("/interesse/vhs")
    expect(page.locator("#interest-closed")).to_contain_text(
        "Die Frist für Interessenbekundungen ist am"
    )
    expect(page.locator("#interest-closed")).to_contain_text("info@seminare-nrw.test")
    check_page(page, "VHS form after the deadline")
