"""Finding a seminar near me on a phone: typing the town reorders the list in place
(htmx, the URL follows), and without JavaScript the same form sends the same URL and
shows the same list. axe checks each state (it needs JavaScript, so a page without it
is checked at the URL it reached, in a page with it)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core.timeutil import today_berlin
from tests import factories
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    assert_same_document,
    hand_over,
    mark_page,
)


@pytest.fixture
def towns(app):
    """Seminars in Münster (soonest), Bonn (module 2) and Köln (last), by date."""
    today = today_berlin()
    cologne = factories.vhs(name="Volkshochschule Köln", town="Köln", slug="koeln")
    bonn = factories.vhs(name="Volkshochschule Bonn", town="Bonn", slug="bonn")
    muenster = factories.vhs(name="Volkshochschule Münster", town="Münster", slug="muenster")
    soon, later, last = (today + timedelta(days=days) for days in (14, 21, 28))
    ids = {
        "muenster": factories.seminar(vhs=muenster, venue_town="Münster", day1=soon).id,
        "bonn": factories.seminar(vhs=bonn, venue_town="Bonn", module=2, day1=later).id,
        "cologne": factories.seminar(vhs=cologne, venue_town="Köln", day1=last).id,
    }
    hand_over()
    return ids


def listed(page: Page) -> list[int]:
    """The seminars of the list, in its order."""
    hrefs = page.locator("#seminar-results .card-title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [int(href.rsplit("/", 1)[1]) for href in hrefs]


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"the page scrolls sideways: {width} px"


def test_near_me_on_a_phone_with_javascript(towns, new_page):
    page = new_page("phone")
    page.goto("/")
    assert listed(page) == [towns["muenster"], towns["bonn"], towns["cologne"]]
    assert_accessible(page, "home on a phone")
    mark_page(page)

    place = page.get_by_label("Ihr Wohnort")
    place.tap()
    place.press_sequentially("Hürth", delay=20)
    expect(page).to_have_url(re.compile(r"/\?ort=H%C3%BCrth"))
    expect(page.locator("#near-heading")).to_have_text("Nach Entfernung von Hürth")
    assert listed(page) == [towns["cologne"], towns["bonn"], towns["muenster"]]
    first = page.locator("#seminar-results .card").first
    expect(first).to_contain_text("Köln · ca. 9 km")
    expect(page.locator("#result-count")).to_have_text("3 Seminare gefunden.")
    assert_same_document(page)  # swapped in place, not loaded anew
    assert_accessible(page, "near me on a phone")
    fits_the_phone(page)

    page.get_by_label("Modul", exact=True).select_option(value="1")
    expect(page.locator("#result-count")).to_have_text("2 Seminare gefunden.")
    expect(page).to_have_url(re.compile(r"modul=1"))
    assert listed(page) == [towns["cologne"], towns["muenster"]]

    # the URL the page shows is a link to the same list
    shared = page.url
    other = new_page("phone")
    other.goto(shared)
    assert listed(other) == [towns["cologne"], towns["muenster"]]
    expect(other.get_by_label("Ihr Wohnort")).to_have_value("Hürth")
    expect(other.get_by_label("Modul", exact=True)).to_have_value("1")

    place.fill("Atlantis")
    notice = page.locator("#place-notice")
    expect(notice).to_contain_text("Den Ort „Atlantis“ kennen wir leider nicht.")
    assert listed(page) == [towns["muenster"], towns["cologne"]]  # by date again
    assert_same_document(page)
    assert_accessible(page, "an unknown place on a phone")
    fits_the_phone(page)


def test_near_me_on_a_phone_without_javascript(towns, new_page):
    page = new_page("phone", java_script_enabled=False)
    page.goto("/")
    page.get_by_label("Ihr Wohnort").fill("Koeln")
    page.get_by_role("button", name="Seminare anzeigen").tap()
    expect(page).to_have_url(re.compile(r"/\?ort=Koeln&vhs=&modul=&monat=$"))
    expect(page.locator("#near-heading")).to_have_text("Nach Entfernung von Köln")
    expect(page.get_by_label("Ihr Wohnort")).to_have_value("Köln")
    assert listed(page) == [towns["cologne"], towns["bonn"], towns["muenster"]]
    expect(page.locator("#seminar-results .card").first).to_contain_text("Köln · in Ihrem Ort")
    fits_the_phone(page)

    page.get_by_label("Volkshochschule", exact=True).select_option(label="Volkshochschule Bonn")
    page.get_by_role("button", name="Seminare anzeigen").tap()
    expect(page).to_have_url(re.compile(r"vhs=bonn"))
    assert listed(page) == [towns["bonn"]]
    expect(page.locator("#seminar-results .card").first).to_contain_text("Bonn · ca. 24 km")

    looker = new_page("phone")
    looker.goto(page.url)
    assert listed(looker) == [towns["bonn"]]
    assert_accessible(looker, "near me and a VHS, the page reached without JavaScript")
