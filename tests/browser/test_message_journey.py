"""A council's contact person writes to the seminar's people from a phone (360 px): the
form with the counts, the preview in place, sending, the notice; axe on every step.
Then the same without JavaScript, with a mistake on the way (axe needs JavaScript in the
page, so it runs in the first journey only)."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import OutboxMail
from tests import factories
from tests.browser.conftest import (
    activate,
    assert_accessible,
    assert_same_document,
    hand_over,
    log_in,
    mark_page,
)

SMALL_PHONE = {"width": 360, "height": 740}
SUBJECT = "Raumänderung am ersten Tag"


def _world(capacity: int = 3, people: int = 4) -> tuple[int, str]:
    """A seminar hosted for a council, ``people`` registered (the rest waiting), and the
    council's contact person."""
    council = factories.council(town="Hagen")
    vhs = factories.vhs(name="Volkshochschule Hagen", town="Hagen")
    seminar = factories.seminar(vhs=vhs, councils=[council], capacity=capacity)
    factories.fill(seminar, people)
    contact = factories.user("contact", council_id=council.id, name="Deniz Kaya")
    seminar_id, email = seminar.id, contact.email
    hand_over()
    return seminar_id, email


def _sent() -> list[tuple[str, str | None]]:
    """The messages' mails the server queued: (recipient, Reply-To)."""
    db.session.remove()
    rows = db.session.execute(
        sa.select(OutboxMail.recipient, OutboxMail.reply_to)
        .where(OutboxMail.kind == "broadcast")
        .order_by(OutboxMail.recipient)
    ).all()
    hand_over()
    return [tuple(row) for row in rows]


def _fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _write(page: Page, text: str) -> None:
    """Put ``text`` where the draft says "[Ihr Text]", keeping the rest of the draft."""
    body = page.get_by_label("Nachricht", exact=True)
    draft = body.input_value()
    assert "[Ihr Text]" in draft
    body.fill(draft.replace("[Ihr Text]", text))


def test_a_contact_person_writes_to_everyone_from_a_phone(new_page):
    seminar_id, email = _world()
    page = new_page("phone", viewport=SMALL_PHONE)
    log_in(page, email, factories.PASSWORD, "phone")

    page.goto(f"/manage/seminare/{seminar_id}")
    activate(page.get_by_role("link", name="Nachricht senden"), "phone")
    expect(page).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}/nachricht$"))
    expect(page.get_by_role("heading", name="Nachricht an Teilnehmende")).to_be_visible()
    expect(page.get_by_text("Stornierte Anmeldungen erhalten nichts.")).to_be_visible()
    assert_accessible(page, "message form")
    assert _fits_the_width(page)

    everyone = page.get_by_role("radio", name="Teilnehmende und Warteliste (4 Personen)")
    everyone.check()
    page.get_by_label("Betreff").fill(SUBJECT)
    _write(page, "wir treffen uns im Raum 4 <Erdgeschoss>.")
    mark_page(page)
    activate(page.get_by_role("button", name="Vorschau"), "phone")

    # the preview appears in place, with the count and the mail as the first person gets it
    preview = page.locator("#message-preview")
    expect(preview.get_by_role("heading", name="Vorschau")).to_be_focused()
    expect(preview).to_contain_text("Die Nachricht geht an 4 Personen")
    expect(preview.locator("#preview-subject")).to_have_text(SUBJECT)
    expect(preview.locator("#preview-text")).to_contain_text("Guten Tag Alex Muster0,")
    expect(preview.locator("#preview-text")).to_contain_text(
        "wir treffen uns im Raum 4 <Erdgeschoss>."
    )
    expect(page.get_by_label("Betreff")).to_have_value(SUBJECT)
    assert_same_document(page)
    assert_accessible(page, "message preview")
    assert _fits_the_width(page)
    assert _sent() == []

    activate(page.get_by_role("button", name="Senden"), "phone")

    expect(page).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Die Nachricht geht an 4 Personen, an jede als eigene E-Mail."
    )
    assert_accessible(page, "participants after sending")
    assert _sent() == [(f"person{n}@example.org", email) for n in range(4)]


def test_without_javascript_a_mistake_keeps_the_text_and_the_message_still_goes_out(
    new_page, watch
):
    seminar_id, email = _world(capacity=2, people=3)
    page = new_page("phone", viewport=SMALL_PHONE, java_script_enabled=False)
    log_in(page, email, factories.PASSWORD, "phone")
    page.goto(f"/manage/seminare/{seminar_id}/nachricht")
    watch.expect_status(422, f"/manage/seminare/{seminar_id}/nachricht")

    page.get_by_role("radio", name="Warteliste (1 Person)").check()
    _write(page, "ein Platz könnte frei werden.")
    activate(page.get_by_role("button", name="Vorschau"), "phone")  # no subject yet

    expect(page.locator("#subject-error")).to_have_text("Bitte geben Sie einen Betreff an.")
    expect(page.get_by_label("Nachricht", exact=True)).to_contain_text(
        "ein Platz könnte frei werden."
    )
    expect(page.get_by_role("radio", name="Warteliste (1 Person)")).to_be_checked()

    page.get_by_label("Betreff").fill("Warteliste")
    activate(page.get_by_role("button", name="Vorschau"), "phone")
    expect(page.locator("#message-preview")).to_contain_text("Die Nachricht geht an 1 Person")
    activate(page.get_by_role("button", name="Senden"), "phone")

    expect(page).to_have_url(re.compile(rf"/manage/seminare/{seminar_id}$"))
    expect(page.get_by_role("status")).to_contain_text("Die Nachricht geht an 1 Person")
    assert _sent() == [("person2@example.org", email)]
