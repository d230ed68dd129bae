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


def test_a_tap_that_leaves_the_address_field_lands_where_it_began(new_page):
    """Leaving the field by tapping the privacy box sends the check at the touch; its
    answer, arriving before the finger lifts, must not move the box away from it."""
    seminar = factories.seminar()
    factories.fill(seminar, 1)  # person0@example.org holds a place
    seminar_id = seminar.id

    page = new_page("phone")
    page.goto(f"/seminare/{seminar_id}")
    form = page.locator("#registration-form")
    field = form.get_by_label("E-Mail-Adresse")
    privacy = form.get_by_role("checkbox")
    error = page.locator("#email-error")

    field.fill("person0@example.org")
    privacy.scroll_into_view_if_needed()
    box = privacy.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    with page.expect_response("**/pruefen/e-mail"):
        page.mouse.down()  # the field loses the focus: its check is sent
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.mouse.up()

    expect(privacy).to_be_checked()
    expect(error).to_contain_text(DUPLICATE)  # the answer is shown once the tap is done
    assert len(registrations_of(seminar_id)) == 1
