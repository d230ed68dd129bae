"""axe-core on every public page, the organisers' main pages, the pages with charts and
after each htmx swap.

Zero violations of the WCAG 2.0/2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a,
wcag21aa). axe is injected with ``page.evaluate``, which the site's CSP does not
restrict, so the runs happen in the same contexts (no ``bypass_csp``) whose console is
checked for CSP violations. Public pages must not scroll sideways at 360 px either.
A test goes through all its pages and reports every violation at once.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.commands.demo import seed
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Seminar, SeminarState, Vhs
from app.services.registrations import book_seat
from tests import factories
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    axe_report,
    enter_address,
    fill_registration,
    hand_over,
    log_in,
)


@pytest.fixture
def world(app):
    """A VHS with an open, a full, a closed and a cancelled seminar, a registration, users."""
    today = today_berlin()
    council = factories.council(town="Münster")
    vhs = factories.vhs(
        name="Volkshochschule Münster", town="Münster", contact_phone="0251 492-4321"
    )
    open_ = factories.seminar(vhs=vhs, councils=[council], capacity=20, note="Barrierefrei.")
    factories.fill(open_, 3)
    full = factories.seminar(vhs=vhs, capacity=3, day1=today + timedelta(days=28))
    factories.fill(full, 5, start=100)
    closed = factories.seminar(
        vhs=vhs, day1=today + timedelta(days=2), registration_deadline=today - timedelta(days=1)
    )
    cancelled = factories.seminar(vhs=vhs, module=2, state=SeminarState.CANCELLED)
    # booked in advance, held yesterday and today: attendance can be recorded
    under_way = factories.seminar(vhs=vhs, councils=[council], capacity=20)
    factories.fill(under_way, 4, start=200)
    under_way.day1, under_way.day2 = today - timedelta(days=1), today
    under_way.registration_deadline = today - timedelta(days=8)
    db.session.commit()  # before the next booking, which starts its own transaction
    registration = book_seat(
        open_.id, factories.applicant(500, last_name="Nguyễn", first_name="Thị Lan")
    )
    values = {
        "vhs_slug": vhs.slug,
        "vhs_id": vhs.id,
        "council_id": council.id,
        "open": open_.id,
        "full": full.id,
        "closed": closed.id,
        "cancelled": cancelled.id,
        "under_way": under_way.id,
        "token": factories.link_token(registration),
    }
    hand_over()
    return values


PUBLIC_PAGES = {
    "home": "/",
    "vhs": "/vhs/{vhs_slug}",
    "seminar (open)": "/seminare/{open}",
    "seminar (full)": "/seminare/{full}",
    "seminar (closed)": "/seminare/{closed}",
    "seminar (cancelled)": "/seminare/{cancelled}",
    "personal link": "/anmeldung/{token}",
    "cancel confirmation": "/anmeldung/{token}/stornieren",
    "links again": "/anmeldung/link-senden",
    "invalid link": "/anmeldung/gibt-es-nicht",
    "Impressum": "/impressum",
    "Datenschutz": "/datenschutz",
    "Barrierefreiheit": "/barrierefreiheit",
    "Leichte Sprache": "/leichte-sprache",
    "404": "/gibt-es-nicht",
}
NOT_FOUND = {"invalid link", "404"}


def _public_urls(world) -> dict[str, str]:
    return {name: path.format(**world) for name, path in PUBLIC_PAGES.items()}


def expect_not_found(watch) -> None:
    for name in NOT_FOUND:
        watch.expect_status(404, PUBLIC_PAGES[name])


def test_public_pages_have_no_axe_violations(world, new_page, watch):
    expect_not_found(watch)
    page = new_page("desktop")
    reports = []
    for name, url in _public_urls(world).items():
        response = page.goto(url)
        assert response.status == (404 if name in NOT_FOUND else 200), url
        page.set_viewport_size(PHONE["viewport"])
        reports.append(axe_report(page, f"{name} at 390 px"))
        page.set_viewport_size({"width": 1280, "height": 800})
        reports.append(axe_report(page, f"{name} at 1280 px"))
    report = "\n".join(r for r in reports if r)
    print(report)
    assert report == "", f"axe found violations:\n{report}"


def test_public_pages_do_not_scroll_sideways_at_360_px(world, new_page, watch):
    expect_not_found(watch)
    page = new_page("phone", viewport={"width": 360, "height": 740})
    too_wide = {}
    for name, url in _public_urls(world).items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[name] = width
    assert too_wide == {}, f"pages wider than 360 px (scrollWidth): {too_wide}"


def test_the_checks_notice_a_violation_and_a_csp_breach(app, new_page, watch):
    """The harness itself: axe reports a missing alt text, the watch a blocked inline style."""
    page = new_page("desktop")
    page.goto("/impressum")
    assert axe_report(page, "Impressum") == ""
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
            document.querySelector("main").append(image);
        }"""
    )
    assert "[image-alt]" in axe_report(page, "Impressum with an image without alt")

    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
                const style = document.createElement("style");
                style.textContent = "main { color: red }";
                document.head.append(style);
            }"""
        )
    assert any("Content Security Policy" in problem for problem in watch.problems)
    watch.problems.clear()  # seen: the harness works; nothing else may go wrong


# ----------------------------------------------------------------------------- after swaps


def test_search_results_after_the_swap(world, new_page):
    page = new_page("desktop")
    page.goto("/")
    search = page.get_by_label("Ihr Wohnort")
    search.press_sequentially("Münster", delay=20)
    expect(page).to_have_url(re.compile(r"\?ort=M%C3%BCnster"))
    expect(page.locator("#near-heading")).to_have_text("Nach Entfernung von Münster")
    # open, full, closed, cancelled and the one under way (it ends today)
    expect(page.locator("#result-count")).to_have_text("5 Seminare gefunden.")
    assert_accessible(page, "home after a search")
    search.fill("Nirgendwo")
    expect(page.locator("#place-notice")).to_contain_text("„Nirgendwo“ kennen wir leider nicht")
    assert_accessible(page, "home after a search for an unknown place")
    page.get_by_label("Modul", exact=True).select_option(value="2")
    expect(page.locator("#result-count")).to_have_text("1 Seminar gefunden.")
    search.fill("")
    page.get_by_label("Monat", exact=True).select_option(index=1)
    expect(page).to_have_url(re.compile(r"monat=\d{4}-\d{2}"))
    assert_accessible(page, "home after choosing a month")


def test_form_with_errors_and_the_outcome_after_the_swap(world, new_page, watch):
    watch.expect_status(422, f"/seminare/{world['open']}/anmelden")
    page = new_page("phone")
    page.goto(f"/seminare/{world['open']}")
    fill_registration(page, "", "Ayşe", "Gelsenkirchen", "keine-adresse")
    page.get_by_role("button", name="Verbindlich anmelden").tap()
    expect(page.locator("#last_name-error")).to_have_text("Bitte geben Sie Ihren Namen an.")
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "seminar page with form errors")

    page.locator("#last_name").fill("Çelik")
    enter_address(page, page.locator("#email"), "ayse.celik@example.org")
    page.get_by_role("button", name="Verbindlich anmelden").tap()
    expect(
        page.get_by_role("heading", name="Fast geschafft: Bitte bestätigen Sie Ihren Platz")
    ).to_be_visible()
    assert_accessible(page, "seminar page with the outcome in place")


def test_waiting_list_outcome_after_the_swap_and_the_page_without_javascript(
    world, browser, new_page
):
    page = new_page("desktop")
    page.goto(f"/seminare/{world['full']}")
    fill_registration(page, "Çelik", "Ayşe", "Gelsenkirchen", "ayse.celik@example.org")
    page.get_by_role("button", name="Auf die Warteliste setzen").click()
    outcome = page.get_by_role("heading", name="Sie stehen auf der Warteliste – Platz 3")
    expect(outcome).to_be_visible()
    assert_accessible(page, "full seminar page with the waiting-list outcome")

    # The outcome page after a registration without JavaScript belongs to the session
    # that registered; axe needs JavaScript, so it looks with that session's cookies.
    without_js = new_page("phone", java_script_enabled=False)
    without_js.goto(f"/seminare/{world['open']}")
    fill_registration(without_js, "Nguyễn", "Văn Minh", "Köln", "minh.nguyen@example.org")
    without_js.get_by_role("button", name="Verbindlich anmelden").click()
    expect(without_js).to_have_url(re.compile(r"/angemeldet$"))
    looker = new_page("phone")
    looker.context.add_cookies(without_js.context.cookies())
    looker.goto(without_js.url)
    expect(
        looker.get_by_role("heading", name="Fast geschafft: Bitte bestätigen Sie Ihren Platz")
    ).to_be_visible()
    assert_accessible(looker, "outcome page after a registration without JavaScript")


# ----------------------------------------------------------------------------- organisers

ORGANISER_PAGES = {
    "dashboard": "/manage/",
    "participants": "/manage/seminare/{open}",
    "attendance": "/manage/seminare/{under_way}/anwesenheit/1",
    "attendance (future day)": "/manage/seminare/{open}/anwesenheit/1",
    "room needs": "/manage/seminare/{open}/raumbedarf",
    "sign-in sheet": "/manage/seminare/{open}/unterschriften/1",
}


def test_login_page_has_no_axe_violations(world, new_page, watch):
    watch.expect_status(422, "/manage/anmelden")
    page = new_page("phone")
    page.goto("/manage/anmelden")
    assert_accessible(page, "login page")
    page.get_by_label("E-Mail-Adresse").fill("niemand@example.org")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden", exact=True).tap()
    expect(page.get_by_role("alert")).to_contain_text("stimmen nicht")
    assert_accessible(page, "login page after a failed login")


def test_organiser_pages_have_no_axe_violations(world, new_page):
    email = factories.user("contact", council_id=world["council_id"]).email
    page = new_page("desktop")
    log_in(page, email, factories.PASSWORD, "desktop")
    reports = []
    for name, path in ORGANISER_PAGES.items():
        response = page.goto(path.format(**world))
        assert response.status == 200, path
        reports.append(axe_report(page, f"{name} at 1280 px"))
        page.set_viewport_size(PHONE["viewport"])
        reports.append(axe_report(page, f"{name} at 390 px"))
        page.set_viewport_size({"width": 1280, "height": 800})
    report = "\n".join(r for r in reports if r)
    print(report)
    assert report == "", f"axe found violations:\n{report}"


def test_attendance_after_a_toggle(world, new_page):
    email = factories.user("vhs", vhs_id=world["vhs_id"]).email
    page = new_page("phone")
    log_in(page, email, factories.PASSWORD, "phone")
    page.goto(f"/manage/seminare/{world['under_way']}/anwesenheit/1")
    toggle = page.locator(".attendance-item button").first
    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#present-count")).to_have_text("1 von 4 anwesend")
    assert_accessible(page, "attendance after a toggle")


# ----------------------------------------------------------------------------- charts


@pytest.fixture
def charted(app):
    """The demo data (interest declarations, a held seminar) with enough answers to the
    evaluation that its charts are shown."""
    seed()
    koeln = db.session.scalar(db.select(Vhs).where(Vhs.slug == "koeln"))
    held = db.session.scalars(
        db.select(Seminar).where(Seminar.vhs_id == koeln.id).order_by(Seminar.day1)
    ).first()
    factories.evaluation_answers(held, 6)
    values = {
        "held": held.id,
        "admin": factories.user("admin").email,
        "vhs": factories.user("vhs", vhs_id=koeln.id).email,
    }
    hand_over()
    return values


CHART_PAGES = {
    "vhs": {
        "evaluation results": "/manage/seminare/{held}/bewertung",
        "settlement": "/manage/seminare/{held}/abrechnung",
    },
    "admin": {
        "admin home": "/manage/admin/",
        "interest overview": "/manage/admin/interesse",
        "evaluation, all seminars": "/manage/admin/bewertung",
        "evaluation, one seminar": "/manage/admin/bewertung/seminare/{held}",
        "funding": "/manage/admin/foerderung",
        "seminar": "/manage/admin/seminare/{held}",
    },
}

# The contrast of every text of a chart against what it is drawn on (the first
# ancestor with a background colour), by WCAG's formula.
SVG_TEXT_CONTRAST = """() => {
    const rgb = (color) => color.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const luminance = ([r, g, b]) => {
        const [R, G, B] = [r, g, b].map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const background = (element) => {
        for (let node = element; node; node = node.parentElement) {
            const color = rgb(getComputedStyle(node).backgroundColor);
            if (color.length < 4 || color[3] > 0) return color;
        }
        return [255, 255, 255];
    };
    return [...document.querySelectorAll("svg text")].map((text) => {
        const style = getComputedStyle(text);
        const [a, b] = [luminance(rgb(style.fill)), luminance(background(text))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        return [text.textContent, style.fill, Math.round(ratio * 100) / 100];
    });
}"""


def test_pages_with_charts_have_no_axe_violations(charted, new_page):
    """The organisers' and admins' pages with charts (and the other admin pages their
    figures sit on): axe-clean at both widths, and every text of a chart, which axe
    does not measure inside SVG, at 4.5:1 or more against what it is drawn on."""
    reports, ratios = [], []
    for role, pages in CHART_PAGES.items():
        page = new_page("desktop")
        log_in(page, charted[role], factories.PASSWORD, "desktop")
        for name, path in pages.items():
            response = page.goto(path.format(**charted))
            assert response.status == 200, path
            reports.append(axe_report(page, f"{name} at 1280 px"))
            page.set_viewport_size(PHONE["viewport"])
            reports.append(axe_report(page, f"{name} at 390 px"))
            page.set_viewport_size({"width": 1280, "height": 800})
            found = page.evaluate(SVG_TEXT_CONTRAST)
            ratios += [ratio for _text, _fill, ratio in found]
            low = [t for t in found if t[2] < 4.5]
            if low:
                reports.append(f"{name}: chart text below 4.5:1: {low}")
    report = "\n".join(r for r in reports if r)
    print(report, f"{len(ratios)} chart texts, lowest contrast {min(ratios, default=0)}:1")
    assert len(ratios) >= 20, "the pages show their charts"
    assert report == "", f"axe found violations:\n{report}"
