"""Ready answers: a public page or poll asked again without a cookie is answered whole
before Flask builds a request, and never with data out of date, with another visitor's
CSRF token, or to a visitor whose page may hold something of their own.

Counted, never timed: whether Flask's request hooks ran, SQL statements as the database
gets them, headers and bodies as a browser gets them."""

import gzip
import re
from datetime import timedelta

import pytest
from flask import request
from prometheus_client.parser import text_string_to_metric_families

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Registration
from app.services.registrations import book_seat
from app.web.page_cache import version
from tests import factories
from tests.sqlcount import count_queries

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
POLL = re.compile(r'hx-get="(/live/plaetze\?ids=[^"]+)"')
PER_REQUEST = {"X-Request-ID", "Set-Cookie", "Content-Length"}


@pytest.fixture
def site(app_factory):
    """The site as it runs (CSRF on, the version one query), and the paths Flask itself
    answered (its request hooks ran)."""
    app = app_factory(WTF_CSRF_ENABLED=True, PAGE_SETTLE_SECONDS=0, METRICS_TOKEN="s3cret-token")
    through_flask: list[str] = []
    app.before_request(lambda: through_flask.append(request.path))
    app.config["test_through_flask"] = through_flask
    with app.app_context():
        yield app


def _flask_saw(site) -> list[str]:
    return site.config["test_through_flask"]


def _visitor(site):
    """A first-time visitor: no cookie kept between requests."""
    return site.test_client(use_cookies=False)


def _headers(response) -> dict:
    return {name: value for name, value in response.headers if name not in PER_REQUEST}


def test_a_page_asked_again_is_answered_before_flask_with_one_query(site):
    seminar = factories.seminar()
    visitor = _visitor(site)
    for url, queries_expected in (
        ("/", 1),
        (f"/vhs/{seminar.vhs.slug}", 1),
        ("/?modul=1&ort=K%C3%B6ln", 1),
        ("/impressum", 0),  # shows nothing of the database
    ):
        first = visitor.get(url)
        seen = len(_flask_saw(site))
        db.session.expire_all()
        with count_queries() as queries:
            again = visitor.get(url)
        assert again.status_code == first.status_code == 200, url
        assert len(_flask_saw(site)) == seen, url  # no request hook of Flask ran
        assert len(queries) == queries_expected, (url, queries)
        assert again.data == first.data, url
        assert _headers(again) == _headers(first), url
        assert again.headers["Content-Length"] == str(len(again.data))
        assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_a_booking_shows_on_the_next_answer_and_the_next_poll(site):
    seminar = factories.seminar(capacity=10)
    visitor = _visitor(site)
    home = visitor.get("/").text
    assert "10 von 10 Plätzen frei" in visitor.get("/").text  # answered before Flask
    poll = POLL.search(home).group(1).replace("&amp;", "&")
    etag = visitor.get(poll).headers["ETag"]
    assert visitor.get(poll, headers={"If-None-Match": etag}).status_code == 304
    assert visitor.get(poll, headers={"If-None-Match": etag}).status_code == 304

    book_seat(seminar.id, factories.applicant(1))

    for url in ("/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}"):
        assert "9 von 10 Plätzen frei" in visitor.get(url).text, url
        assert "9 von 10 Plätzen frei" in visitor.get(url).text, url
    changed = visitor.get(poll, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "9 von 10" in changed.text
    assert changed.headers["ETag"] != etag


def test_each_visitor_of_a_form_gets_a_token_of_their_own_that_books(site):
    seminar = factories.seminar(capacity=10)
    url = f"/seminare/{seminar.id}"
    made_by_flask = _visitor(site).get(url)
    seen = len(_flask_saw(site))
    first, second = _visitor(site).get(url), _visitor(site).get(url)
    assert len(_flask_saw(site)) == seen  # both answered before Flask
    tokens = [TOKEN.search(r.text).group(1) for r in (made_by_flask, first, second)]
    cookies = [r.headers["Set-Cookie"] for r in (made_by_flask, first, second)]
    assert len(set(tokens)) == 3 and len(set(cookies)) == 3
    # the same cookie as Flask's own, but for its value
    assert {c.split(";", 1)[1] for c in cookies} == {cookies[0].split(";", 1)[1]}
    assert TOKEN.sub("", first.text) == TOKEN.sub("", made_by_flask.text)
    assert _headers(first) == _headers(made_by_flask)

    # the token and cookie given before Flask book a seat, through Flask's own CSRF check
    booked = _visitor(site).post(
        f"{url}/anmelden",
        data={**factories.form_data(1), "csrf_token": tokens[2]},
        headers={"Cookie": cookies[2].split(";", 1)[0]},
    )
    assert booked.status_code == 303
    assert db.session.query(Registration).filter_by(seminar_id=seminar.id).count() == 1
    # another visitor's token does not
    refused = _visitor(site).post(
        f"{url}/anmelden",
        data={**factories.form_data(2), "csrf_token": tokens[1]},
        headers={"Cookie": cookies[2].split(";", 1)[0]},
    )
    assert refused.status_code == 400


def test_a_visitor_with_a_cookie_is_answered_by_flask_the_poll_by_either(site):
    seminar = factories.seminar()
    browser = site.test_client()  # keeps its cookies
    browser.get(f"/seminare/{seminar.id}")  # the form's token: a session cookie
    assert browser.get_cookie("session") is not None
    browser.get("/")
    seen = len(_flask_saw(site))
    assert browser.get("/").status_code == 200
    assert _flask_saw(site)[seen:] == ["/"]  # the session may hold a message for them
    # the poll never reads the session: answered before Flask, cookie or not
    poll = POLL.search(browser.get("/").text).group(1).replace("&amp;", "&")
    etag = browser.get(poll).headers["ETag"]
    browser.get(poll, headers={"If-None-Match": etag})
    seen = len(_flask_saw(site))
    unchanged = browser.get(poll, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and len(_flask_saw(site)) == seen
    assert "Set-Cookie" not in unchanged.headers


def test_fragments_and_compressed_answers_are_kept_apart(site, htmx):
    factories.seminar()
    visitor = _visitor(site)
    gz = {"Accept-Encoding": "gzip"}
    for round_ in range(2):  # the second round is answered before Flask
        seen = len(_flask_saw(site))
        page = visitor.get("/")
        fragment = visitor.get("/", headers=htmx)
        packed = visitor.get("/", headers=gz)
        assert "<html" in page.text and "<html" not in fragment.text
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Content-Encoding" not in page.headers
        assert gzip.decompress(packed.data) == page.data
        assert len(_flask_saw(site)) == seen + (3 if round_ == 0 else 0)


def test_answers_before_flask_are_counted_and_carry_the_given_request_id(site):
    visitor = _visitor(site)
    visitor.get("/impressum")
    seen = len(_flask_saw(site))
    given = visitor.get("/impressum", headers={"X-Request-ID": "proxy-1234-abcd"})
    hostile = visitor.get("/impressum", headers={"X-Request-ID": "<script>x</script>"})
    assert len(_flask_saw(site)) == seen
    assert given.headers["X-Request-ID"] == "proxy-1234-abcd"
    assert len(hostile.headers["X-Request-ID"]) == 32
    scraped = visitor.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).text
    counted = [
        sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "seminare_http_requests_total"
        and sample.labels.get("endpoint") == "public.imprint"
    ]
    assert counted and counted[0] >= 3


def test_nothing_is_answered_before_flask_when_the_cache_is_off(app_factory):
    app = app_factory(PAGE_CACHE_ENTRIES=0)
    through_flask: list[str] = []
    app.before_request(lambda: through_flask.append(request.path))
    visitor = app.test_client(use_cookies=False)
    for _ in range(3):
        assert visitor.get("/impressum").status_code == 200
    assert through_flask == ["/impressum"] * 3


def test_a_new_day_is_answered_by_flask_again(site, monkeypatch):
    """What a page shows depends on the date (deadlines, what is upcoming): an answer kept
    yesterday is not given today."""
    factories.seminar()
    visitor = _visitor(site)
    visitor.get("/")
    seen = len(_flask_saw(site))
    visitor.get("/")
    assert len(_flask_saw(site)) == seen
    tomorrow = today_berlin() + timedelta(days=1)
    monkeypatch.setattr(version, "today_berlin", lambda: tomorrow)
    visitor.get("/")
    assert len(_flask_saw(site)) == seen + 1
