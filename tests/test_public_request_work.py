"""A public GET and the live poll do no work their answer cannot depend on: no session
read or written, no login looked up, no rate-limit counter asked.

Counted, never timed: cookies and ``Vary`` as a browser or proxy sees them, SQL statements
as the database gets them, calls the rate limiter makes to the real Redis."""

import re
import secrets
from contextlib import contextmanager

import pytest

from app.extensions import limiter
from tests import factories
from tests.sqlcount import count_queries

REDIS = "redis://127.0.0.1:6379/0"
POLL = re.compile(r'hx-get="(/live/plaetze\?ids=[^"]+)"')


@pytest.fixture
def site(app_factory):
    """The site as it runs: CSRF on, rate limits counted in Redis under a prefix of its own."""
    prefix = f"test-work-{secrets.token_hex(4)}"
    app = app_factory(
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS,
        RATELIMIT_KEY_PREFIX=prefix,
        PAGE_SETTLE_SECONDS=0,
    )
    app.config["test_prefix"] = prefix
    with app.app_context():
        yield app


def _poll_url(client) -> str:
    return POLL.search(client.get("/").text).group(1).replace("&amp;", "&")


def _book(client, seminar, n: int):
    """A booking through the public form, with the token of the page this client sees."""
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get(f"/seminare/{seminar.id}").text,
    ).group(1)
    booked = client.post(
        f"/seminare/{seminar.id}/anmelden", data={**factories.form_data(n), "csrf_token": token}
    )
    booked.close()
    return booked


def _varies_on_cookie(response) -> bool:
    return "cookie" in response.headers.get("Vary", "").lower()


def test_public_pages_without_a_form_set_no_cookie(site):
    seminar = factories.seminar()
    client = site.test_client()
    for url in ("/", f"/vhs/{seminar.vhs.slug}", "/impressum", _poll_url(client)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
    assert client.get_cookie("session") is None
    # the seminar page carries the registration form: its CSRF token needs the session
    assert (
        client.get(f"/seminare/{seminar.id}").headers.get("Set-Cookie", "").startswith("session=")
    )


def test_the_poll_neither_reads_nor_writes_the_session_of_a_person_with_one(site):
    """Whoever has opened a seminar page carries a session: the poll's answer is the same
    for them as for anyone, so it does not vary on the cookie (a proxy may keep it)."""
    seminar = factories.seminar()
    client = site.test_client()
    client.get(f"/seminare/{seminar.id}")
    cookie = client.get_cookie("session").value
    poll = _poll_url(client)
    first = client.get(poll)
    unchanged = client.get(poll, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    for response in (first, unchanged):
        assert "Set-Cookie" not in response.headers
        assert not _varies_on_cookie(response)
    static = client.get("/static/css/app.css")
    static.close()
    assert "Set-Cookie" not in static.headers and not _varies_on_cookie(static)
    assert client.get_cookie("session").value == cookie  # kept as it was
    # the form still works with the session the poll left alone
    booked = _book(client, seminar, 1)
    assert booked.status_code == 303


def test_the_poll_of_a_logged_in_organiser_looks_no_one_up(site):
    account = factories.user("admin")
    seminar = factories.seminar()
    client = site.test_client()
    page = client.get("/manage/anmelden").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    logged_in = client.post(
        "/manage/anmelden",
        data={"email": account.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert logged_in.status_code == 303
    poll = f"/live/plaetze?ids={seminar.id}"
    etag = client.get(poll).headers["ETag"]
    with count_queries() as queries:
        unchanged = client.get(poll, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert len(queries) == 1, queries  # the public data's version, nothing else
    assert not any('"user"' in q or "FROM user" in q for q in queries)
    assert "Set-Cookie" not in unchanged.headers and not _varies_on_cookie(unchanged)
    assert client.get("/manage/").status_code == 200  # still logged in


def test_pages_from_the_cache_cost_the_version_query_only(site):
    seminar = factories.seminar()
    client = site.test_client()
    for url in ("/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}"):
        client.get(url)
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == 1, (url, queries)
        assert "changed_at" in queries[0] and "venue_town" not in queries[0]


@contextmanager
def storage_calls():
    """Every call the rate limiter makes to its store (the real Redis), counted on the
    way through."""
    storage = limiter.storage
    calls: list[str] = []
    names = [
        name
        for name in dir(type(storage))
        if not name.startswith("_")
        and not isinstance(getattr(type(storage), name), property)
        and callable(getattr(storage, name, None))
    ]
    for name in names:
        real = getattr(storage, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        setattr(storage, name, counted)
    try:
        yield calls
    finally:
        for name in names:
            delattr(storage, name)


def test_public_gets_ask_no_rate_limit_counter(site):
    seminar = factories.seminar()
    client = site.test_client()
    assert "Redis" in type(limiter.storage).__name__
    with storage_calls() as calls:
        poll = _poll_url(client)
        for url in ("/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}", poll):
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200  # and from the cache
    assert calls == []
    # a booking is limited, so it is counted: the count does see this site's store
    with storage_calls() as calls:
        booked = _book(client, seminar, 1)
    assert booked.status_code == 303
    assert calls


def test_public_gets_never_work_out_their_rate_limits(site, monkeypatch):
    """Every limit sits on its route: a page or a poll is not even looked up among them."""
    seminar = factories.seminar()
    client = site.test_client()
    looked_up = []
    real = limiter.identify_request
    monkeypatch.setattr(limiter, "identify_request", lambda: looked_up.append(1) or real())
    poll = _poll_url(client)
    for url in ("/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}", poll, "/impressum"):
        assert client.get(url).status_code == 200
    assert looked_up == []
    booked = _book(client, seminar, 2)
    assert booked.status_code == 303 and looked_up  # a limited route is checked
