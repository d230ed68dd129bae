"""Journey 7: the personal link from the mail, a cancellation, and the waiting list moving up.

This module runs its own gunicorn that sends its mail to a real SMTP server on loopback
(``tests.smtp.SmtpServer``), with ``BASE_URL`` set to that gunicorn's address, so that the
links in the mails lead back to it. Mails are delivered right after the response that
queued them; the test waits for them, bounded, in the SMTP server's inbox.
"""

import re
import time
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import (
    POLL_SECONDS,
    activate,
    assert_accessible,
    fill_registration,
)
from tests.server import LiveServer
from tests.smtp import SmtpServer

CONFIRMED = "Ihr Platz ist bestätigt"
HELD = "Fast geschafft: Bitte bestätigen Sie Ihren Platz"
CANCELLED = "Diese Anmeldung ist storniert"
MAIL_WAIT_SECONDS = 10.0


class MailSite:
    """A gunicorn whose mail goes to ``smtp`` and whose links point at itself."""

    def __init__(self, server: LiveServer, smtp: SmtpServer):
        self.server = server
        self.smtp = smtp
        self.url = server.url


@pytest.fixture(scope="module")
def mail_site(migrated_database):
    smtp = SmtpServer().start()
    try:
        # LiveServer picks its port in __init__, so its URL is known before it starts.
        server = LiveServer(migrated_database, workers=2, threads=4)
        server.extra_env = {
            **{key: str(value) for key, value in smtp.settings().items()},
            "BASE_URL": server.url,
            "POLL_SECONDS": str(POLL_SECONDS),
        }
        with server:
            yield MailSite(server, smtp)
    finally:
        smtp.stop()


def wait_for_mail(smtp: SmtpServer, address: str, subject_start: str) -> EmailMessage:
    """The first mail to ``address`` whose subject starts so; fails after a bounded wait."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        for message in smtp.to(address):
            if str(message["Subject"]).startswith(subject_start):
                return message
        if time.monotonic() >= deadline:
            got = [str(m["Subject"]) for m in smtp.to(address)]
            pytest.fail(
                f"no mail to {address} with a subject starting {subject_start!r} "
                f"within {MAIL_WAIT_SECONDS:.0f} s; it got: {got}",
                pytrace=False,
            )
        time.sleep(0.1)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def has_calendar(message: EmailMessage) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())


def personal_link(message: EmailMessage, base_url: str) -> str:
    """The one personal link (``BASE_URL/anmeldung/<token>``) in the mail's text part."""
    links = set(re.findall(re.escape(base_url) + r"/anmeldung/[A-Za-z0-9_-]+", text_of(message)))
    assert len(links) == 1, f"expected one personal link in the mail, found {sorted(links)}"
    return links.pop()


def register(page: Page, seminar_id: int, person: tuple[str, str, str, str], viewport: str):
    page.goto(f"/seminare/{seminar_id}")
    fill_registration(page, *person)
    button = re.compile(r"^(Verbindlich anmelden|Auf die Warteliste setzen)$")
    activate(page.get_by_role("button", name=button), viewport)


def test_cancel_through_the_mailed_link_moves_the_waiting_person_up(new_page, mail_site, viewport):
    site = mail_site
    a_email = f"lan.nguyen.{viewport}@example.org"
    b_email = f"ayse.celik.{viewport}@example.org"
    seminar_id = factories.seminar(capacity=1).id

    with site.server.log_shown_on_failure() as log_start:
        # A takes the only place, B goes onto the waiting list.
        a = new_page(viewport, base_url=site.url)
        register(a, seminar_id, ("Nguyễn", "Thị Lan", "Münster", a_email), viewport)
        expect(a.locator("#registration-outcome").get_by_role("heading", name=HELD)).to_be_visible()

        b = new_page(viewport, base_url=site.url)
        register(b, seminar_id, ("Çelik", "Ayşe", "Gelsenkirchen", b_email), viewport)
        expect(
            b.get_by_role("heading", name="Sie stehen auf der Warteliste – Platz 1")
        ).to_be_visible()

        # A opens the personal link from the mail and presses its button: that proves the
        # address and confirms (opening it alone, as a mail scanner does, changes nothing).
        a_mail = wait_for_mail(site.smtp, a_email, "Bitte bestätigen")
        a_link = personal_link(a_mail, site.url)
        b_mail = wait_for_mail(site.smtp, b_email, "Warteliste Platz 1")
        b_link = personal_link(b_mail, site.url)
        assert a_link != b_link

        a.goto(a_link)
        expect(a.get_by_role("heading", level=1)).to_have_text("Ihre Anmeldung")
        expect(a.get_by_role("heading", name="Ihr Platz ist vorgemerkt")).to_be_visible()
        activate(a.get_by_role("button", name="Platz bestätigen"), viewport)
        expect(a).to_have_url(a_link)
        expect(a.get_by_role("heading", name=CONFIRMED)).to_be_visible()
        assert_accessible(a, "self-service page")

        activate(a.get_by_role("link", name="Anmeldung stornieren …"), viewport)
        expect(a).to_have_url(f"{a_link}/stornieren")
        expect(a.get_by_role("heading", level=1)).to_have_text("Anmeldung wirklich stornieren?")
        assert_accessible(a, "cancel confirmation page")

        activate(a.get_by_role("button", name="Ja, Anmeldung stornieren"), viewport)
        expect(a).to_have_url(a_link)
        expect(a.get_by_role("heading", name=CANCELLED)).to_be_visible()
        expect(a.get_by_role("link", name="Anmeldung stornieren …")).to_have_count(0)

        # B moves up: the place is held for B; B's own link confirms it, and the
        # confirmation brings the calendar entry.
        moved = wait_for_mail(site.smtp, b_email, "Sie sind nachgerückt")
        assert not has_calendar(moved)
        # each mail carries a link of its own; the one from B's first mail still works
        assert personal_link(moved, site.url) != b_link
        wait_for_mail(site.smtp, a_email, "Anmeldung storniert")

        b.goto(b_link)
        activate(b.get_by_role("button", name="Platz bestätigen"), viewport)
        expect(b.get_by_role("heading", name=CONFIRMED)).to_be_visible()
        expect(b.locator("#registration-outcome")).to_contain_text("Ayşe Çelik, Gelsenkirchen")
        assert has_calendar(wait_for_mail(site.smtp, b_email, "Anmeldung bestätigt"))

        # Nothing went wrong on the server, not even in the delivery after a response.
        assert site.server.unhandled_errors_since(log_start) == []
