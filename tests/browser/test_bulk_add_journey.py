"""Adding a list of people in a real browser: the contact person on a phone pastes rows
from a spreadsheet, checks the preview and adds them; the VHS uploads a file with
JavaScript off (axe needs JavaScript: it checks the pages of the first journey, which
show the same markup)."""

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import (
    activate,
    assert_accessible,
    assert_same_document,
    log_in,
    mark_page,
    registrations_of,
)

PASTED = "\n".join(
    [
        "Name\tVorname\tOrt\tE-Mail",
        "Nguyễn\tThị Minh\tKöln\tminh.nguyen@example.org",
        "Çelik\tAyşe\tGelsenkirchen\tayse.celik@example.org",
        "O'Neill\tSiobhán\tDüsseldorf\tsiobhan.oneill@example.org",
        "Ohne\tAdresse\tBochum\tkeine-adresse",
    ]
)


def _fits_the_width(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_contact_person_pastes_rows_on_the_phone_checks_and_adds_them(new_page):
    council = factories.council(town="Gelsenkirchen")
    seminar = factories.seminar(councils=[council], capacity=8)
    factories.fill(seminar, 6)  # two places free
    seminar_id = seminar.id
    email = factories.user("contact", council_id=council.id).email

    page = new_page("phone")
    log_in(page, email, factories.PASSWORD, "phone")
    page.goto(f"/manage/seminare/{seminar_id}")
    activate(page.get_by_role("link", name="Mehrere Personen auf einmal hinzufügen"), "phone")
    expect(page).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}/mehrere-hinzufuegen$"))
    expect(page.get_by_role("heading", name="Mehrere Teilnehmende hinzufügen")).to_be_visible()
    assert_accessible(page, "bulk add form")
    _fits_the_width(page)

    mark_page(page)
    page.get_by_label("Zeilen einfügen").fill(PASTED)
    activate(page.get_by_role("button", name="Vorschau zeigen"), "phone")
    heading = page.get_by_role("heading", name="Vorschau: 4 Zeilen gelesen")
    expect(heading).to_be_focused()
    assert_same_document(page)  # htmx swapped the preview in
    kept = page.get_by_role("table", name=re.compile("Werden hinzugefügt"))
    expect(kept.get_by_role("row")).to_have_count(4)  # the header row and three people
    expect(kept).to_contain_text("Nguyễn")
    expect(kept).to_contain_text("bekommt einen Platz")
    expect(kept.get_by_role("row").filter(has_text="O'Neill")).to_contain_text("Warteliste")
    left_out = page.get_by_role("table", name=re.compile("Werden nicht hinzugefügt"))
    expect(left_out).to_contain_text("gültige E-Mail-Adresse")
    assert_accessible(page, "bulk add preview")
    _fits_the_width(page)
    assert len(registrations_of(seminar_id)) == 6  # nothing added yet

    activate(page.get_by_role("button", name="3 Personen hinzufügen"), "phone")
    expect(page.get_by_role("heading", name="3 Personen hinzugefügt")).to_be_focused()
    assert_same_document(page)
    added = page.get_by_role("table", name=re.compile("^Hinzugefügt"))
    expect(added.get_by_role("row").filter(has_text="Çelik")).to_contain_text("Platz bestätigt")
    expect(added.get_by_role("row").filter(has_text="O'Neill")).to_contain_text(
        "Warteliste, Platz 1"
    )
    assert_accessible(page, "bulk add result")
    _fits_the_width(page)

    people = {row.email: row for row in registrations_of(seminar_id)}
    assert people["minh.nguyen@example.org"].last_name == "Nguyễn"
    assert people["ayse.celik@example.org"].state == "confirmed"
    assert people["siobhan.oneill@example.org"].state == "waitlisted"
    assert "keine-adresse" not in people


def test_the_vhs_uploads_a_file_without_javascript_and_downloads_the_rows_left_out(
    new_page, tmp_path
):
    school = factories.vhs(name="Volkshochschule Essen")
    seminar = factories.seminar(vhs=school, capacity=20)
    seminar_id = seminar.id
    email = factories.user("vhs", vhs_id=school.id).email
    listing = tmp_path / "anmeldungen.csv"
    listing.write_bytes(
        "Nachname;Vorname;Wohnort;E-Mail-Adresse\r\n"
        "Müller;Jürgen;Essen;j.mueller@example.org\r\n"
        "=SUMME(1);Eva;Essen;eva@example.org\r\n"
        "Ohne;Adresse;Essen;\r\n".encode("cp1252")
    )

    page = new_page("desktop", java_script_enabled=False)
    log_in(page, email, factories.PASSWORD, "desktop")
    page.goto(f"/manage/seminare/{seminar_id}/mehrere-hinzufuegen")
    page.get_by_label("Oder eine Datei hochladen").set_input_files(str(listing))
    page.get_by_role("button", name="Vorschau zeigen").click()
    expect(page.get_by_role("heading", name="Vorschau: 3 Zeilen gelesen")).to_be_visible()
    expect(page.get_by_text("als Windows-1252 (Westeuropäisch) gelesen")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Werden hinzugefügt"))).to_contain_text(
        "Müller"
    )

    with page.expect_download() as waiting:
        page.get_by_role(
            "button", name=re.compile("Nicht hinzugefügte Zeilen herunterladen")
        ).click()
    saved = tmp_path / "nicht-hinzugefuegt.csv"
    waiting.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "Zeile;Name;Vorname;Ort;E-Mail-Adresse;Grund"
    # a name that a spreadsheet would run as a formula is left out, and written safely
    assert text.splitlines()[1].startswith("3;'=SUMME(1);Eva;Essen;eva@example.org;Bitte")
    assert text.splitlines()[2].startswith("4;Ohne;Adresse;Essen;;Bitte geben Sie Ihre E-Mail")

    page.get_by_role("button", name="1 Person hinzufügen").click()
    expect(page.get_by_role("heading", name="1 Person hinzugefügt")).to_be_visible()
    assert [r.last_name for r in registrations_of(seminar_id)] == ["Müller"]
