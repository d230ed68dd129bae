"""The inline e-mail check on a phone: leaving the field with an address already
registered for the seminar shows the hint at once, before anything is sent."""

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_same_document, mark_page, registrations_of

DUPLICATE = "Mit dieser E-Mail-Adresse sind Sie bereits für dieses Seminar angemeldet."


def test_an_address_already_registered_is_named_when_leaving_the_field(new_page):
    seminar = factories.seminar()
    factories.fill(seminar, 1)  # person0@example.org holds a place
    other = factories.seminar()
    seminar_id, other_id = seminar.id, other.id

    page = new_page("phone")
    page.goto(f"/seminare/{seminar_id}")
    mark_page(page)
    form = page.locator("#registration-form")
    field = form.get_by_label("E-Mail-Adresse")
    error = page.locator("#email-error")

    field.fill("Person0@Example.org")
    field.press("Tab")
    expect(error).to_contain_text(DUPLICATE)
    expect(field).to_be_visible()
    expect(page.locator("#registration-outcome")).to_have_count(0)
    assert_same_document(page)
    assert len(registrations_of(seminar_id)) == 1  # nothing was sent

    # a new address clears the hint, again without sending the form
    field.fill("neu@example.org")
    field.press("Tab")
    expect(error).to_have_text("")
    assert len(registrations_of(seminar_id)) == 1

    # the same address is welcome at another seminar
    page.goto(f"/seminare/{other_id}")
    field = page.locator("#registration-form").get_by_label("E-Mail-Adresse")
    field.fill("person0@example.org")
    field.press("Tab")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#email-error")).to_have_text("")
