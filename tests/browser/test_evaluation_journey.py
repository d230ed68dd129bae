"""The evaluation and the personal data in a real browser at phone size, checked with axe:
a participant answers the questionnaire (with and without JavaScript), the VHS reads the
results, and a state organiser finds, tells and erases what is stored about an address."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import EvaluationAnswer, Registration
from tests import factories
from tests.browser.conftest import activate, assert_accessible, hand_over, log_in


@pytest.fixture
def questionnaire_path():
    """The questionnaire path of a person who attended day 1: their personal link."""

    def path(registration: Registration) -> str:
        factories.attend(registration, 1)
        return f"/bewertung/{factories.link_token(registration)}"

    return path


def _stored_answers() -> list[EvaluationAnswer]:
    db.session.remove()
    answers = list(db.session.scalars(sa.select(EvaluationAnswer)))
    hand_over()
    return answers


def _answer(page: Page, viewport: str) -> None:
    first = page.get_by_role("group", name=re.compile(r"^1\. Was ich im Seminar gelernt habe"))
    activate(first.get_by_text("4 – trifft eher zu"), viewport)
    expect(first.get_by_label("4 – trifft eher zu")).to_be_checked()
    second = page.get_by_role("group", name=re.compile(r"^2\. "))
    activate(second.get_by_text("5 – trifft voll zu"), viewport)
    # a slip is undone with "keine Angabe"
    activate(second.get_by_text("keine Angabe"), viewport)
    page.get_by_label("Was hat Ihnen besonders gefallen?").fill("Die Übungen in kleinen Gruppen.")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_participant_answers_on_the_phone(new_page, questionnaire_path, javascript):
    seminar = factories.held_seminar(today_berlin())
    person = factories.book_before(seminar, 1)
    path = questionnaire_path(person)

    page = new_page("phone", java_script_enabled=javascript)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Meinung zum Seminar")
    if javascript:  # axe and the width check run in the page: they need JavaScript
        assert_accessible(page, "questionnaire")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _answer(page, "phone")
    activate(page.get_by_role("button", name="Antworten senden"), "phone")
    expect(page).to_have_url(re.compile(re.escape(path) + "/danke$"))
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Antworten!")).to_be_visible()
    if javascript:
        assert_accessible(page, "thank-you page")

    (stored,) = _stored_answers()
    assert stored.scores == {"useful": 4}
    assert stored.liked == "Die Übungen in kleinen Gruppen."

    page.goto(path)
    expect(
        page.get_by_role("heading", name="Sie haben den Fragebogen schon beantwortet")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Antworten senden")).to_have_count(0)


def test_an_empty_questionnaire_is_explained_in_place(new_page, questionnaire_path, watch):
    seminar = factories.held_seminar(today_berlin())
    path = questionnaire_path(factories.book_before(seminar, 1))
    watch.expect_status(422, path)

    page = new_page("phone")
    page.goto(path)
    activate(page.get_by_role("button", name="Antworten senden"), "phone")
    expect(page.get_by_role("alert")).to_contain_text("Bitte beantworten Sie mindestens eine Frage")
    assert_accessible(page, "questionnaire with its notice")
    assert _stored_answers() == []


def test_the_vhs_reads_the_results_on_the_phone(new_page):
    seminar = factories.held_seminar(today_berlin() - timedelta(days=3))
    factories.evaluation_answers(seminar, 6, liked="Gute Beispiele")
    email = factories.user("vhs", vhs_id=seminar.vhs_id).email

    page = new_page("phone")
    log_in(page, email, factories.PASSWORD, "phone")
    page.goto(f"/manage/seminare/{seminar.id}/bewertung")
    expect(page.get_by_role("heading", name="Bewertung durch die Teilnehmenden")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Verteilung der Antworten"))).to_have_count(6)
    expect(page.get_by_text("Gute Beispiele")).to_have_count(6)
    assert_accessible(page, "evaluation results")


def test_an_admin_finds_and_erases_an_address(new_page, watch):
    past = factories.held_seminar(today_berlin() - timedelta(days=30))
    person = factories.book_before(
        past, 1, email="quirinus@beispiel.example", last_name="Wackelpudding"
    )
    factories.attend(person, 1, 2)
    person_id = person.id
    email = factories.user("admin").email

    page = new_page("phone")
    log_in(page, email, factories.PASSWORD, "phone")
    for path, heading in (
        ("/manage/admin/bewertung", "Bewertung der Seminare"),
        ("/manage/admin/personen", "Personen in der Reihe"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, heading)
    page.goto("/manage/admin/personen/auskunft")
    assert_accessible(page, "personal data search")
    page.get_by_label("E-Mail-Adresse").fill("Quirinus@Beispiel.example")
    activate(page.get_by_role("button", name="Suchen"), "phone")
    found = page.get_by_role("heading", name="Gespeichert zu quirinus@beispiel.example")
    expect(found).to_be_visible()
    expect(page.locator("#found-registrations")).to_contain_text("Wackelpudding")
    assert_accessible(page, "personal data found")

    watch.expect_status(422, "/manage/admin/personen/auskunft/loeschen")
    activate(page.get_by_role("button", name="Weiter: Löschung prüfen"), "phone")
    expect(page.locator("#reason-error")).to_contain_text("Bitte nennen Sie den Grund")
    page.get_by_label("Grund der Löschung").fill("Antrag per Brief vom 2. Mai")
    activate(page.get_by_role("button", name="Weiter: Löschung prüfen"), "phone")
    expect(page.get_by_role("heading", name="Diese Änderungen werden ausgeführt")).to_be_visible()
    expect(page.locator("#erasure-plan")).to_contain_text("Wackelpudding")
    assert_accessible(page, "erasure preview")
    activate(page.get_by_role("button", name="Genau diese Daten endgültig löschen"), "phone")
    expect(page.get_by_text(re.compile("^Die Daten sind gelöscht: 1 Anmeldung"))).to_be_visible()
    assert_accessible(page, "after the erasure")

    db.session.remove()
    erased = db.session.get(Registration, person_id)
    assert (erased.last_name, erased.state) == ("gelöscht", "confirmed")
    hand_over()


def test_the_vhs_prints_codes_and_a_person_answers_with_one(new_page):
    seminar = factories.held_seminar(today_berlin())
    for n in range(2):
        factories.attend(factories.book_before(seminar, n), 1)
    email = factories.user("vhs", vhs_id=seminar.vhs_id).email

    desk = new_page("desktop")
    log_in(desk, email, factories.PASSWORD, "desktop")
    desk.goto(f"/manage/seminare/{seminar.id}/bewertung/codes")
    expect(desk.get_by_label("Anzahl der Codes")).to_have_value("2")
    assert_accessible(desk, "one-time codes")
    activate(desk.get_by_role("button", name="Codes erstellen und drucken"), "desktop")
    expect(desk.get_by_role("img", name=re.compile("QR-Code zum Fragebogen"))).to_have_count(2)
    assert_accessible(desk, "sheet of one-time codes")
    code = desk.locator(".code").first.inner_text()

    phone = new_page("phone")
    phone.goto("/bewertung")
    assert_accessible(phone, "code entry")
    phone.get_by_label("Code").fill(code.lower().replace("-", " "))
    activate(phone.get_by_role("button", name="Zum Fragebogen"), "phone")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ihre Meinung zum Seminar")
    _answer(phone, "phone")
    activate(phone.get_by_role("button", name="Antworten senden"), "phone")
    expect(phone).to_have_url(re.compile("/bewertung/danke$"))
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Antworten!")).to_be_visible()
    (stored,) = _stored_answers()
    assert stored.liked == "Die Übungen in kleinen Gruppen."
