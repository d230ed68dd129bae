"""The live capacity indicators: cheap when unchanged, silent once registration closes."""

import re
from datetime import timedelta

import pytest

from app.core.timeutil import today_berlin
from tests import factories
from tests.sqlcount import count_queries


@pytest.fixture
def seminar(app):
    return factories.seminar(capacity=10)


def _poll(client, *seminars, headers=None):
    ids = ",".join(str(s.id) for s in seminars)
    return client.get(f"/live/plaetze?ids={ids}", headers=headers or {})


@pytest.mark.parametrize("with_htmx", [False, True])
def test_poll_answers_with_the_indicators_out_of_band(client, seminar, htmx, with_htmx):
    factories.fill(seminar, 3)
    response = _poll(client, seminar, headers=htmx if with_htmx else None)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="seats-{seminar.id}" hx-swap-oob="true"' in response.text
    assert "7 von 10 Plätzen frei" in response.text
    assert 'hx-trigger="every 10s"' in response.text
    assert response.headers["Cache-Control"] == "no-cache"


def test_unchanged_poll_is_answered_with_304_and_no_body(client, seminar):
    first = _poll(client, seminar)
    etag = first.headers["ETag"]
    again = _poll(client, seminar, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    factories.fill(seminar, 1)
    changed = _poll(client, seminar, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "9 von 10 Plätzen frei" in changed.text
    assert changed.headers["ETag"] != etag


def test_unchanged_poll_costs_one_query(app, client, seminar):
    app.config["PAGE_SETTLE_SECONDS"] = 0  # the data's last change is old enough
    url = f"/live/plaetze?ids={seminar.id}"
    etag = client.get(url).headers["ETag"]
    with count_queries() as queries:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(queries) == 1, queries  # the seminars' version, no seminar loaded
    assert "seminar.venue_town" not in queries[0] and "max(changed_at) FROM seminar" in queries[0]


def test_poll_right_after_a_change_answers_304_without_loading_seminars(client, seminar):
    """The seminar was just made: the version adds the fingerprint of the latest changes
    (so that one committed late under an older stamp is not missed) and still decides alone."""
    url = f"/live/plaetze?ids={seminar.id}"
    etag = client.get(url).headers["ETag"]
    with count_queries() as queries:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(queries) == 2, queries
    assert all("venue_town" not in query for query in queries)


@pytest.mark.parametrize("settle", [0, 2, 60])
def test_poll_sees_a_booking_at_once(app, client, seminar, settle):
    app.config["PAGE_SETTLE_SECONDS"] = settle
    url = f"/live/plaetze?ids={seminar.id}"
    etag = client.get(url).headers["ETag"]
    factories.fill(seminar, 1)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "9 von 10 Plätzen frei" in changed.text


def test_gzip_poll_validator_is_weak_and_still_gives_304(client, seminar):
    factories.fill(seminar, 1)
    url = f"/live/plaetze?ids={seminar.id}"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_polling_stops_once_registration_is_closed(client):
    today = today_berlin()
    closed = factories.seminar(
        day1=today + timedelta(days=2), registration_deadline=today - timedelta(days=1)
    )
    page = client.get(f"/seminare/{closed.id}")
    assert "hx-trigger" not in page.text.split('id="live-seats"', 1)[1].split(">", 1)[0]
    poll = _poll(client, closed)
    assert 'id="live-seats"' in poll.text and "every" not in poll.text


def test_open_seminar_pages_poll(client, seminar):
    page = client.get(f"/seminare/{seminar.id}")
    poller = page.text.split('id="live-seats"', 1)[1].split(">", 1)[0]
    assert f"/live/plaetze?ids={seminar.id}" in poller and "every 10s" in poller
    home = client.get("/")
    assert f"/live/plaetze?ids={seminar.id}" in home.text


@pytest.mark.parametrize("query", ["", "ids=", "ids=abc", "ids=" + ",".join(map(str, range(400)))])
def test_bad_poll_requests_get_400_not_500(client, query):
    assert client.get(f"/live/plaetze?{query}").status_code == 400


def test_a_long_listing_polls_the_seminars_of_its_page_within_the_limit(app, client):
    from app.public.listing import PER_PAGE
    from app.public.routes import MAX_POLLED
    from tests.test_page_budget import _many_seminars

    _many_seminars(MAX_POLLED + 20)
    page = client.get("/?seite=2").text
    poller = page.split('id="live-seats"', 1)[1].split(">", 1)[0]
    url = poller.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    polled = url.split("ids=", 1)[1].split(",")
    shown = re.findall(r'href="/seminare/(\d+)"', page.split('id="seminar-results"')[1])
    assert len(polled) == PER_PAGE <= MAX_POLLED
    assert set(polled) == set(shown)
    assert client.get(url).status_code == 200
