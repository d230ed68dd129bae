"""Two real servers on one database: a booking through one is seen on the other's next
request, though each keeps rendered pages in its own workers' memory."""

import re

import pytest
import requests

from tests import factories
from tests.server import LiveServer

pytestmark = pytest.mark.server

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_a_booking_on_one_server_shows_on_the_other_at_once(app, migrated_database):
    seminar = factories.seminar(capacity=10)
    factories.fill(seminar, 1)
    seminar_url, poll_url = f"/seminare/{seminar.id}", f"/live/plaetze?ids={seminar.id}"
    with (
        LiveServer(migrated_database, workers=2, threads=2) as one,
        LiveServer(migrated_database, workers=2, threads=2) as other,
    ):
        before = {}
        for url in ("/", seminar_url, f"/vhs/{seminar.vhs.slug}"):
            for _ in range(4):  # every worker of the other server renders and keeps it
                page = requests.get(other.url + url, timeout=10)
                assert "9 von 10 Plätzen frei" in page.text, url
            before[url] = page.text
        etag = requests.get(other.url + poll_url, timeout=10).headers["ETag"]
        unchanged = requests.get(other.url + poll_url, headers={"If-None-Match": etag}, timeout=10)
        assert unchanged.status_code == 304

        person = requests.Session()
        form = person.get(one.url + seminar_url, timeout=10).text
        sent = person.post(
            f"{one.url}{seminar_url}/anmelden",
            data={**factories.form_data(99), "csrf_token": TOKEN.search(form).group(1)},
            allow_redirects=False,
            timeout=10,
        )
        assert sent.status_code in (200, 303), one.read_log()

        for url in before:
            for _ in range(4):
                page = requests.get(other.url + url, timeout=10)
                assert "8 von 10 Plätzen frei" in page.text, url
        poll = requests.get(other.url + poll_url, headers={"If-None-Match": etag}, timeout=10)
        assert poll.status_code == 200 and "8 von 10 Plätzen frei" in poll.text
