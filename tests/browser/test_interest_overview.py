"""The admins' interest overview in a real browser: axe-clean at both widths, before and
after a filter swaps the results, the chart drawn without breaking the CSP, and a
declared module selected through its confirm page."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.enums import Region
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import DeclarationState, Seminar
from tests import factories
from tests.browser.conftest import PHONE, assert_accessible, hand_over, log_in


@pytest.fixture
def world(app):
    today = today_berlin()
    factories.programme(
        title="Reihe 2026",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        interest_deadline=today + timedelta(days=10),
    )
    council = factories.council(town="Köln", region=Region.KOELN)
    vhs = factories.vhs(name="Volkshochschule Köln", town="Köln", region=Region.KOELN)
    koeln = factories.vhs_declaration(
        vhs=vhs, councils=[council], offers=({"module": 1}, {"module": 2})
    )
    factories.vhs_declaration(
        vhs=factories.vhs(name="Volkshochschule Bonn", town="Bonn", region=Region.KOELN),
        room_capacity=5,
    )
    factories.vhs_declaration(
        new_vhs_name="Volkshochschule Neustadt",
        new_vhs_town="Neustadt",
        state=DeclarationState.NEW,
    )
    factories.council_declaration(council=council, wants_advanced=True)
    factories.council_declaration(new_council_town="Dorfstadt", estimated_participants=8)
    admin = factories.user("admin")
    values = {"admin": admin.email, "offer": koeln.offers[0].id}
    hand_over()
    return values


def test_the_overview_is_accessible_before_and_after_filtering(world, new_page):
    page = new_page("desktop")
    log_in(page, world["admin"], factories.PASSWORD, "desktop")
    page.goto("/manage/admin/interesse")
    expect(
        page.get_by_role("heading", name="Interessenbekundungen und Auswahl der Standorte")
    ).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Angebote und Auswahl je Modul"))
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 50  # drawn, with the stylesheet's sizes
    assert_accessible(page, "interest overview at 1280 px")
    page.set_viewport_size(PHONE["viewport"])
    assert_accessible(page, "interest overview at 390 px")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Stand", exact=True).select_option(value="new")
    expect(page).to_have_url(re.compile(r"status=new"))
    expect(page.locator(".result-count")).to_have_text("1 Interessenbekundung für diese Auswahl")
    expect(page.get_by_role("heading", name=re.compile("Volkshochschule Neustadt"))).to_be_visible()
    assert_accessible(page, "interest overview after a filter")


def test_an_offer_is_selected_through_its_confirm_page(world, new_page):
    page = new_page("desktop")
    log_in(page, world["admin"], factories.PASSWORD, "desktop")
    page.goto(f"/manage/admin/interesse#angebot-{world['offer']}")
    page.locator(f"#angebot-{world['offer']}").get_by_role("link", name="Auswählen").click()
    expect(page.get_by_role("heading", name=re.compile("Auswählen: Basismodul"))).to_be_visible()
    assert_accessible(page, "confirm page")
    page.get_by_role("button", name="Auswählen und Entwurf anlegen").click()
    expect(page.locator(".notice--success")).to_contain_text("Der Entwurf Seminar Nr.")
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) == 1
    hand_over()
