"""Fixtures of the browser tests: one headless Chromium, one gunicorn, fresh contexts.

The browser is Debian's Chromium driven by Playwright's sync API (Playwright's own
browser download is not used). The server is ``tests.server.LiveServer`` on the test
database. Tests write their data with the factories inside the ``app`` fixture, which
empties the tables afterwards, and call ``hand_over()`` before the browser acts, so
that everything the test wrote is committed and no transaction of this process is
left open while the server works on the same database.

Every page a test opens is watched: console errors (Chromium reports CSP violations
there), uncaught page errors and failed responses fail the test, unless the test said
it expects that status (a 404 page, a 422 form with errors).
"""

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
    sync_playwright,
)

from app.extensions import db
from app.models import Registration
from tests.browser.chromium import CHROMIUM, ChromiumMissing, launch
from tests.server import LiveServer

# The browser tests' server polls every 2 s (production: 10 s), so that waiting for a
# poll costs little; a change must show within one interval plus slack.
POLL_SECONDS = 2
POLL_WAIT_MS = (POLL_SECONDS + 8) * 1000
# Upper bounds for every action and expectation: generous for a busy CI machine,
# and a passing test never waits for them.
TIMEOUT_MS = 10_000

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


# ----------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Browser:
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        try:
            chromium = launch(playwright)
        except ChromiumMissing as missing:
            pytest.fail(str(missing), pytrace=False)
        except Exception as error:
            pytest.fail(f"Chromium at {CHROMIUM} could not be started: {error}", pytrace=False)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def live_server(migrated_database):
    extra = {"POLL_SECONDS": str(POLL_SECONDS)}
    with LiveServer(migrated_database, workers=2, threads=4, extra_env=extra) as server:
        yield server


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def _server_log_on_failure(request, live_server):
    """Show what gunicorn logged during a failing test."""
    start = live_server.log_offset()
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        with live_server.log_path.open("rb") as log:
            log.seek(start)
            text = log.read().decode("utf-8", errors="replace")
        print(f"----- gunicorn log during the test -----\n{text}")


# ----------------------------------------------------------------------------- pages


class Watch:
    """What went wrong in the pages of one test: console errors, page errors, HTTP errors."""

    def __init__(self):
        self.problems: list[str] = []
        self.expected: list[tuple[int, str]] = []

    def expect_status(self, status: int, path: str) -> None:
        """A response with this status for this path is part of the test (a 404 page...)."""
        self.expected.append((status, path))

    def _is_expected(self, status: int, url: str) -> bool:
        return (status, urlsplit(url).path) in self.expected

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        failed = FAILED_LOAD.search(message.text)
        if failed and self._is_expected(int(failed.group(1)), where):
            return
        self.problems.append(f"console error: {message.text} ({where})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not self._is_expected(response.status, response.url):
            request = response.request
            self.problems.append(f"HTTP {response.status}: {request.method} {response.url}")


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def new_page(app, browser, live_server, watch):
    """``new_page("phone" | "desktop", **context_options)``: a page in a fresh context.

    The options override the device's (e.g. ``viewport``, ``java_script_enabled``).

    Depends on ``app`` so that every context is closed (and stops polling) before the
    tables are emptied. What the watch saw is checked once the contexts are closed.
    """
    contexts: list[BrowserContext] = []

    def make(device: str = "desktop", **options) -> Page:
        hand_over()
        context = browser.new_context(
            **{
                **VIEWPORTS[device],
                "base_url": live_server.url,
                "locale": "de-DE",
                "timezone_id": "Europe/Berlin",
                **options,
            }
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert watch.problems == [], "problems in the browser:\n" + "\n".join(watch.problems)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


# ----------------------------------------------------------------------------- helpers


def hand_over() -> None:
    """End this process's transaction, so that the server may write (see above)."""
    db.session.commit()


def registrations_of(seminar_id: int) -> list[sa.Row]:
    """The registrations the server committed, read in a fresh session, as plain rows."""
    db.session.remove()
    rows = db.session.execute(
        sa.select(
            Registration.last_name,
            Registration.first_name,
            Registration.town,
            Registration.email,
            Registration.state,
            Registration.id,
        )
        .where(Registration.seminar_id == seminar_id)
        .order_by(Registration.id)
    ).all()
    hand_over()
    return rows


def activate(target: Locator, viewport: str) -> None:
    """Tap on the phone, click on the desktop."""
    if viewport == "phone":
        target.tap()
    else:
        target.click()


def mark_page(page: Page) -> None:
    """Leave a mark in the page's window: a reload or navigation would wipe it."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def fill_registration(page: Page, last: str, first: str, town: str, email: str) -> None:
    form = page.locator("#registration-form")
    form.get_by_label("Name", exact=True).fill(last)
    form.get_by_label("Vorname", exact=True).fill(first)
    form.get_by_label("Ort", exact=True).fill(town)
    enter_address(page, form.get_by_label("E-Mail-Adresse"), email)
    form.get_by_role("checkbox", name="Ich habe die Datenschutzhinweise gelesen.").check()


def enter_address(page: Page, field, email: str) -> None:
    """Type the address and leave the field as a person would, letting its inline check
    answer first: the message it shows or takes away moves what lies below, and a click
    that Playwright aimed before the move would land beside its target (a press already
    down when the answer comes is the page's own business: static/js/steady.js)."""
    field.fill(email)
    field.press("Tab")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def log_in(page: Page, email: str, password: str, viewport: str) -> None:
    page.goto("/manage/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    activate(page.get_by_role("button", name="Anmelden", exact=True), viewport)
    page.wait_for_url(re.compile(r"/manage/$"))


# ----------------------------------------------------------------------------- axe

_axe = Axe()


def axe_report(page: Page, where: str) -> str:
    """The page's violations of the WCAG 2.0/2.1 A and AA rules, as text; empty if none."""
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    lines = []
    for violation in violations:
        lines.append(
            f"{where} ({page.url}): [{violation['id']}] ({violation['impact']}) "
            f"{violation['help']} – {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    report = axe_report(page, where)
    if report:
        print(report)
        pytest.fail(f"axe found violations:\n{report}", pytrace=False)
