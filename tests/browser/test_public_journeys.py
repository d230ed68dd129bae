"""What council members do on the public site, in a real browser, on a phone and a desktop.

Each journey runs at 390x844 (touch) and at 1280x800. The data is written with the
factories; registrations made in the browser are read back from the database.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core.enums import Module
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Registration, RegistrationState
from tests import factories
from tests.browser.conftest import (
    POLL_WAIT_MS,
    activate,
    assert_same_document,
    fill_registration,
    hand_over,
    mark_page,
    registrations_of,
)

CONFIRMED = "Ihr Platz ist bestätigt"
HELD = "Fast geschafft: Bitte bestätigen Sie Ihren Platz"


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement?.matches(s)", selector)


def tab_until(page: Page, selector: str, limit: int) -> None:
    """Press Tab until the focus is on ``selector``; fail if it does not get there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    pytest.fail(f"{limit} presses of Tab did not reach {selector}")


def tab_once_to(page: Page, selector: str) -> None:
    page.keyboard.press("Tab")
    where = page.evaluate("document.activeElement?.outerHTML.slice(0, 120)")
    assert focused(page, selector), f"Tab went to {where}, not to {selector}"


def test_search_open_a_seminar_and_register_in_place(new_page, live_server, viewport):
    muenster = factories.vhs(name="Volkshochschule Münster", town="Münster")
    bielefeld = factories.vhs(name="Volkshochschule Bielefeld", town="Bielefeld")
    seminar_id = factories.seminar(vhs=muenster, venue_town="Münster").id
    factories.seminar(vhs=bielefeld, venue_town="Bielefeld")
    muenster_slug = muenster.slug  # read before the server works on the database

    page = new_page(viewport)
    page.goto("/")
    expect(page.locator("#result-count")).to_have_text("2 Seminare gefunden.")
    mark_page(page)

    page.get_by_label("Volkshochschule", exact=True).select_option(label="Volkshochschule Münster")
    results = page.locator("#seminar-results")
    expect(page.locator("#result-count")).to_have_text(
        "1 Seminar gefunden."
    )  # the live region stays
    expect(results).not_to_contain_text("Bielefeld")
    expect(page).to_have_url(re.compile(rf"/\?ort=&vhs={muenster_slug}&"))
    assert_same_document(page)  # htmx swapped the results and pushed the URL

    activate(results.get_by_role("link", name=re.compile(Module.BASIC.kind)), viewport)
    seminar_url = f"{live_server.url}/seminare/{seminar_id}"
    expect(page).to_have_url(seminar_url)
    seats = page.locator(f"#seats-{seminar_id}")
    expect(seats).to_contain_text("20 von 20 Plätzen frei")
    mark_page(page)

    fill_registration(page, "Nguyễn", "Thị Lan", "Münster", "lan.nguyen@example.org")
    activate(page.get_by_role("button", name="Verbindlich anmelden"), viewport)

    outcome = page.locator("#registration-outcome")
    expect(outcome.get_by_role("heading", name=HELD)).to_be_visible()
    expect(outcome).to_contain_text("Vielen Dank, Thị Lan Nguyễn.")
    expect(seats).to_contain_text("19 von 20 Plätzen frei")
    expect(page).to_have_url(seminar_url)
    assert_same_document(page)

    [stored] = registrations_of(seminar_id)
    assert (stored.last_name, stored.first_name, stored.town) == ("Nguyễn", "Thị Lan", "Münster")
    assert stored.state == RegistrationState.HELD


def test_free_places_change_on_another_open_page_without_reload(new_page, viewport):
    seminar_id = factories.seminar(capacity=20).id

    watcher = new_page(viewport)
    watcher.goto(f"/seminare/{seminar_id}")
    seats = watcher.locator(f"#seats-{seminar_id}")
    expect(seats).to_contain_text("20 von 20 Plätzen frei")
    mark_page(watcher)

    someone = new_page("desktop")
    someone.goto(f"/seminare/{seminar_id}")
    fill_registration(someone, "Çelik", "Ayşe", "Gelsenkirchen", "ayse.celik@example.org")
    someone.get_by_role("button", name="Verbindlich anmelden").click()
    expect(someone.get_by_role("heading", name=HELD)).to_be_visible()

    expect(seats).to_contain_text("19 von 20 Plätzen frei", timeout=POLL_WAIT_MS)
    expect(seats.locator("meter")).to_have_attribute("value", "1")
    assert_same_document(watcher)


def test_full_seminar_puts_the_person_on_the_waiting_list(new_page, viewport):
    seminar = factories.seminar(capacity=10)
    factories.fill(seminar, 11)  # ten places taken, one person already waiting
    seminar_id = seminar.id

    page = new_page(viewport)
    page.goto(f"/seminare/{seminar_id}")
    expect(page.locator(f"#seats-{seminar_id}")).to_contain_text("Ausgebucht")
    expect(page.locator("#registration-form")).to_contain_text("Alle Plätze sind vergeben.")

    fill_registration(page, "Çelik", "Ayşe", "Gelsenkirchen", "ayse.celik@example.org")
    activate(page.get_by_role("button", name="Auf die Warteliste setzen"), viewport)

    heading = page.get_by_role("heading", name="Sie stehen auf der Warteliste – Platz 2")
    expect(heading).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/seminare/{seminar_id}$"))
    stored = registrations_of(seminar_id)[-1]
    assert (stored.last_name, stored.state) == ("Çelik", RegistrationState.WAITLISTED)


def test_without_javascript_post_redirects_to_the_outcome_page(new_page, live_server, viewport):
    seminar_id = factories.seminar().id

    page = new_page(viewport, java_script_enabled=False)
    page.goto(f"/seminare/{seminar_id}")
    fill_registration(page, "Nguyễn", "Văn Minh", "Köln", "minh.nguyen@example.org")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/anmelden")
    ) as posted:
        activate(page.get_by_role("button", name="Verbindlich anmelden"), viewport)
    assert posted.value.status == 303

    expect(page).to_have_url(f"{live_server.url}/seminare/{seminar_id}/angemeldet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Anmeldung ist eingegangen")
    expect(page.get_by_role("heading", name=HELD)).to_be_visible()
    expect(page.locator("#registration-outcome")).to_contain_text("minh.nguyen@example.org")

    # The personal link from the mail shows the same registration; its button confirms it.
    [stored] = registrations_of(seminar_id)
    assert (stored.last_name, stored.state) == ("Nguyễn", RegistrationState.HELD)
    token = factories.link_token(db.session.get(Registration, stored.id))
    hand_over()
    page.goto(f"/anmeldung/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Anmeldung")
    page.get_by_role("button", name="Platz bestätigen").click()
    expect(page.get_by_role("heading", name=CONFIRMED)).to_be_visible()
    expect(page.locator("#registration-outcome")).to_contain_text("Văn Minh Nguyễn, Köln")


def test_registration_by_keyboard_alone_with_a_validation_error_on_the_way(
    new_page, watch, viewport
):
    seminar_id = factories.seminar().id
    watch.expect_status(422, f"/seminare/{seminar_id}/anmelden")  # the form with errors

    page = new_page(viewport)
    page.goto(f"/seminare/{seminar_id}")
    mark_page(page)

    # The skip link comes first and leads to the content.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    # Into the form; the name is left empty on purpose.
    tab_until(page, "#last_name", limit=20)
    tab_once_to(page, "#first_name")
    page.keyboard.type("Ayşe")
    tab_once_to(page, "#town")
    page.keyboard.type("Gelsenkirchen")
    tab_once_to(page, "#email")
    page.keyboard.type("ayse.celik@example.org")
    tab_once_to(page, "#privacy")
    page.keyboard.press("Space")
    tab_until(page, "#registration-form button[type=submit]", limit=3)
    page.keyboard.press("Enter")

    # The form comes back: the message at the field, the input kept, the focus on the field.
    expect(page.locator("#last_name-error")).to_have_text("Bitte geben Sie Ihren Namen an.")
    expect(page.locator("#registration [role=alert]")).to_contain_text(
        "Bitte prüfen Sie Ihre Angaben."
    )
    name = page.locator("#last_name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    expect(page.locator("#first_name")).to_have_value("Ayşe")
    expect(page.locator("#town")).to_have_value("Gelsenkirchen")
    expect(page.locator("#email")).to_have_value("ayse.celik@example.org")
    expect(page.locator("#privacy")).to_be_checked()
    assert registrations_of(seminar_id) == []

    page.keyboard.type("Çelik")
    tab_until(page, "#registration-form button[type=submit]", limit=8)
    page.keyboard.press("Enter")

    outcome = page.locator("#registration-outcome")
    expect(outcome.get_by_role("heading", name=HELD)).to_be_visible()
    expect(outcome).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "registration-outcome"
    assert_same_document(page)
    [stored] = registrations_of(seminar_id)
    assert (stored.last_name, stored.first_name) == ("Çelik", "Ayşe")


def test_closed_seminar_offers_no_form(new_page, viewport):
    today = today_berlin()
    seminar_id = factories.seminar(
        day1=today + timedelta(days=2), registration_deadline=today - timedelta(days=1)
    ).id
    page = new_page(viewport)
    page.goto(f"/seminare/{seminar_id}")
    expect(page.locator("#registration")).to_contain_text("Die Anmeldung ist geschlossen")
    expect(page.locator("#registration-form")).to_have_count(0)
