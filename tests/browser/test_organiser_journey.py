"""The organisers' area in a real browser: a council's contact person on a phone, then the VHS."""

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Registration
from tests import factories
from tests.browser.conftest import (
    POLL_WAIT_MS,
    assert_same_document,
    fill_registration,
    hand_over,
    log_in,
    mark_page,
)


def test_contact_person_follows_registrations_and_takes_attendance_then_the_vhs_prints(
    new_page,
):
    council = factories.council(town="Gelsenkirchen")
    vhs = factories.vhs(name="Volkshochschule Gelsenkirchen", town="Gelsenkirchen")
    seminar = factories.seminar(vhs=vhs, councils=[council], capacity=20)
    factories.fill(seminar, 3)
    seminar_id = seminar.id
    contact_email = factories.user("contact", council_id=council.id).email
    vhs_email = factories.user("vhs", vhs_id=vhs.id).email

    # The contact person, on the phone: the dashboard with the counts.
    page = new_page("phone")
    log_in(page, contact_email, factories.PASSWORD, "phone")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Seminare")
    row = page.locator("#dashboard-rows tr").filter(has_text="Volkshochschule Gelsenkirchen")
    confirmed = row.locator("td[data-label='Bestätigt']")
    held = row.locator("td[data-label='Vorgemerkt']")
    expect(confirmed).to_have_text("3 von 20")
    expect(held).to_have_text("0")
    mark_page(page)

    # Someone registers on the public site, in another browser context.
    someone = new_page("desktop")
    someone.goto(f"/seminare/{seminar_id}")
    fill_registration(someone, "Çelik", "Ayşe", "Gelsenkirchen", "ayse.celik@example.org")
    someone.get_by_role("button", name="Verbindlich anmelden").click()
    expect(
        someone.get_by_role("heading", name="Fast geschafft: Bitte bestätigen Sie Ihren Platz")
    ).to_be_visible()

    # The dashboard polls and shows the held place without a reload (confirmed once the
    # person opens the link in the mail).
    expect(held).to_have_text("1", timeout=POLL_WAIT_MS)
    expect(confirmed).to_have_text("3 von 20")
    # She opens the link from her mail and confirms: live on the dashboard too.
    token = factories.link_token(
        db.session.scalars(
            sa.select(Registration).where(Registration.email == "ayse.celik@example.org")
        ).one()
    )  # as her mail carries it; committed: the server reads next
    someone.goto(f"/anmeldung/{token}")
    someone.get_by_role("button", name="Platz bestätigen").click()
    expect(someone.get_by_role("heading", name="Ihr Platz ist bestätigt")).to_be_visible()
    expect(confirmed).to_have_text("4 von 20", timeout=POLL_WAIT_MS)
    expect(held).to_have_text("0")
    assert_same_document(page)

    # The seminar day comes (attendance is recorded from that day on, never before).
    today = today_berlin()
    seminar.day1, seminar.day2 = today, today + timedelta(days=1)
    seminar.registration_deadline = today - timedelta(days=1)
    hand_over()

    # Attendance on day 1: a tap on a person changes the toggle and the count in place.
    row.get_by_role("link", name="Anwesenheit").tap()
    expect(page).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}/anwesenheit/1$"))
    count = page.locator("#present-count")
    expect(count).to_have_text("0 von 4 anwesend")
    mark_page(page)
    toggle = page.get_by_role("button", name=re.compile(r"^Çelik, Ayşe"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_contain_text("anwesend")
    expect(count).to_have_text("1 von 4 anwesend")
    assert_same_document(page)
    page.reload()
    expect(page.locator("#present-count")).to_have_text("1 von 4 anwesend")

    # The VHS: room needs and the sign-in sheet of day 1.
    office = new_page("desktop")
    log_in(office, vhs_email, factories.PASSWORD, "desktop")
    office.get_by_role("link", name="Raumbedarf").click()
    expect(office).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}/raumbedarf$"))
    expect(office.get_by_role("heading", name="Raumbedarf", exact=True)).to_be_visible()
    first_day = office.locator("tbody tr").first
    expect(first_day.locator("td").nth(1)).to_have_text("4")  # participants

    office.get_by_role("link", name="Tag 1 drucken").click()
    expect(office).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}/unterschriften/1$"))
    expect(office.get_by_role("heading", level=1)).to_have_text(
        "Unterschriftenliste – 1. Seminartag"
    )
    last_names = office.locator("tbody tr td:nth-child(2)")
    expect(last_names).to_have_count(4 + 3)  # four people and three empty lines
    expect(last_names.filter(has_text="Çelik")).to_have_count(1)
