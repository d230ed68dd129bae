"""After the seminar, on a phone: the VHS closes the attendance (the certificates go out),
downloads one certificate, enters the catering (a typo first) and submits the settlement.
Every page is checked with axe."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests import factories
from tests.browser.conftest import activate, assert_accessible, log_in


def test_vhs_closes_the_attendance_and_submits_the_settlement_on_a_phone(new_page, watch):
    vhs = factories.vhs(name="Volkshochschule Gelsenkirchen", town="Gelsenkirchen")
    seminar, people = factories.seminar_held_with(
        [("Nguyễn", "Thị Lan"), ("O'Neill", "Siobhán"), ("Çelik", "Ayşe")]
        + [(f"Muster{n}", "Alex") for n in range(6)],
        vhs=vhs,
    )
    for person in people:
        factories.record_days(person, True, person.last_name != "Çelik")
    staff = factories.user("vhs", vhs_id=vhs.id)
    base = f"/manage/seminare/{seminar.id}"

    page = new_page("phone")
    log_in(page, staff.email, factories.PASSWORD, "phone")

    # Day 2: close the attendance; everyone present on both days gets the certificate.
    page.goto(f"{base}/anwesenheit/2")
    assert_accessible(page, "attendance day 2")
    activate(
        page.get_by_role("button", name="Anwesenheit abschließen und Bescheinigungen versenden"),
        "phone",
    )
    expect(page).to_have_url(re.compile(rf"{base}/bescheinigungen$"))
    expect(page.locator(".flashes")).to_contain_text(
        "9 Personen erhalten jetzt die E-Mail nach dem Seminar, 8 davon mit Teilnahmebescheinigung"
    )
    row = page.locator(f"#certificate-{people[2].id}")
    expect(row).to_contain_text("nur an Tag 1 anwesend")
    assert_accessible(page, "certificates")
    with page.expect_download() as download:
        activate(page.get_by_role("link", name="Bescheinigung für Thị Lan Nguyễn (PDF)"), "phone")
    with open(download.value.path(), "rb") as pdf:
        assert "Thị Lan Nguyễn" in PdfReader(io.BytesIO(pdf.read())).pages[0].extract_text()

    # The settlement: a typo in the amount first, then the amount, then submit.
    activate(page.get_by_role("link", name="Abrechnung", exact=True), "phone")
    expect(page).to_have_url(re.compile(rf"{base}/abrechnung$"))
    expect(page.locator("#settlement-state")).to_have_text("Entwurf")
    assert_accessible(page, "settlement draft")

    watch.expect_status(422, f"{base}/abrechnung/verpflegung")
    amount = page.get_by_label("Ausgegeben für die Verpflegung (Euro)")
    amount.fill("hundert")
    activate(page.get_by_role("button", name="Verpflegungskosten speichern"), "phone")
    expect(page.locator("#catering-error")).to_have_text(
        "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."
    )
    expect(amount).to_have_value("hundert")
    expect(amount).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "settlement with an error")

    amount.fill("96,50")
    activate(page.get_by_role("button", name="Verpflegungskosten speichern"), "phone")
    expect(page.locator("#catering-spent")).to_have_text("96,50\xa0€")
    activate(page.get_by_role("button", name="Abrechnung einreichen"), "phone")
    expect(page.locator("#settlement-state")).to_have_text("eingereicht")
    expect(page.locator(".flashes")).to_contain_text("Die Abrechnung ist eingereicht.")
    expect(page.get_by_role("button", name="Abrechnung einreichen")).to_have_count(0)
    assert_accessible(page, "settlement submitted")
