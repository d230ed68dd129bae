"""Rendered public pages served from memory while their data is unchanged: one cheap
version query per request, the CSRF token and anything personal never shared."""

import gzip
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from app.core.timeutil import utcnow
from app.extensions import db
from app.models import Seminar
from app.web.page_cache import page_cache, public_data_version
from tests import factories
from tests.sqlcount import count_queries
from tests.test_page_budget import _many_seminars

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def settled(app):
    """As on a running site, where the last change is seconds old: the version is one
    query (right after a change it adds a second, see ``public_data_version``)."""
    app.config["PAGE_SETTLE_SECONDS"] = 0
    return app


def _queries(client, url: str, **kwargs) -> tuple[list[str], bytes]:
    db.session.expire_all()
    with count_queries() as queries:
        response = client.get(url, **kwargs)
        assert response.status_code == 200
    return queries, response.data


PAGES = ["/", "/?modul=1&ort=K%C3%B6ln", "/impressum", "/datenschutz", "/barrierefreiheit"]


@pytest.mark.parametrize("url", PAGES)
def test_an_unchanged_page_costs_one_query_however_much_data(settled, client, url):
    _many_seminars(10)
    client.get(url)
    small, _ = _queries(client, url)
    _many_seminars(500)
    client.get(url)
    large, _ = _queries(client, url)
    expected = 0 if url.startswith(("/impressum", "/datenschutz", "/barrierefreiheit")) else 1
    assert len(small) == len(large) == expected, small
    if expected:
        assert "max(changed_at) FROM seminar" in small[0]


def test_seminar_and_vhs_pages_cost_one_query_when_unchanged(settled, client):
    seminar = factories.seminar()
    factories.fill(seminar, 3)
    for url in (f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}"):
        fresh = client.get(url).data
        queries, cached = _queries(client, url)
        assert len(queries) == 1, queries
        assert cached == fresh


def test_the_cache_key_holds_the_htmx_header(client, htmx):
    factories.seminar()
    page = client.get("/").text
    fragment = client.get("/", headers=htmx).text
    assert "<html" in page and "<html" not in fragment
    assert "<html" in client.get("/").text and "<html" not in client.get("/", headers=htmx).text


def test_a_booking_changes_what_the_cached_pages_show(client):
    seminar = factories.seminar(capacity=10)
    urls = ["/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}"]
    for url in urls:
        client.get(url)
        assert "10 von 10 Plätzen frei" in client.get(url).text
    factories.fill(seminar, 1)
    for url in urls:
        assert "9 von 10 Plätzen frei" in client.get(url).text, url


def test_a_page_is_kept_once_however_often_its_data_changes(client):
    seminar = factories.seminar(capacity=30)
    urls = ["/", f"/seminare/{seminar.id}"]
    for booked in range(1, 6):
        factories.fill(seminar, 1, start=booked)
        for url in urls:
            assert f"{30 - booked} von 30 Plätzen frei" in client.get(url).text
        assert len(page_cache()) == len(urls)  # the rendering of the new data replaced the old


def test_a_vhs_removed_is_gone_from_its_cached_page_at_once(client):
    removed = factories.vhs(name="VHS Lippstadt")
    factories.seminar()  # another VHS, stamped later: the newest stamp stays where it was
    url = f"/vhs/{removed.slug}"
    assert "VHS Lippstadt" in client.get(url).text
    assert "VHS Lippstadt" in client.get(url).text  # from the cache
    db.session.delete(removed)
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_council_removed_moves_the_public_pages_version(app):
    removed = factories.council(town="Marl")
    factories.seminar(councils=[factories.council(town="Herten")])
    before = public_data_version()
    db.session.delete(removed)
    db.session.commit()
    assert public_data_version().key != before.key


def test_changing_only_a_seminars_councils_changes_its_page(client):
    seminar = factories.seminar()
    url = f"/seminare/{seminar.id}"
    client.get(url)
    assert "Veranstaltet gemeinsam mit" not in client.get(url).text
    seminar.councils = [factories.council(town="Gelsenkirchen")]
    db.session.commit()
    assert "Gelsenkirchen" in client.get(url).text


def test_a_page_is_kept_right_after_a_change(client):
    """While people book, the data changes every few seconds: the page rendered after a
    change is kept at once and serves the next requests with one query."""
    seminar = factories.seminar()
    factories.fill(seminar, 1)  # a booking this very moment
    client.get("/")
    queries, _ = _queries(client, "/")
    assert len(page_cache()) == 1
    # the version and the fingerprint of the latest changes; nothing rendered anew
    assert len(queries) == 2, queries
    assert all("changed_at" in query and "venue_town" not in query for query in queries)


def test_a_change_committed_after_a_newer_one_is_seen_at_once(app, client):
    """On PostgreSQL two transactions run side by side: the one stamped first may commit
    last, its stamp older than the newest. The pages show it on the next request all the
    same, also those kept since the newer change."""
    app.config["PAGE_SETTLE_SECONDS"] = 60  # the window a change may take to commit
    late, newer = factories.seminar(), factories.seminar()
    newest = utcnow()
    _stamp(newer, newest)
    url = f"/seminare/{late.id}"
    assert "Saal B" not in client.get(url).text  # rendered and kept
    _stamp(late, newest - timedelta(milliseconds=300), venue_name="Saal B")
    assert "Saal B" in client.get(url).text
    assert "Saal B" in client.get(url).text  # and kept anew


def _stamp(seminar, at, **values) -> None:
    """Commit a change of ``seminar`` under the stamp ``at`` (as a slow transaction would)."""
    db.session.execute(
        sa.update(Seminar).where(Seminar.id == seminar.id).values(changed_at=at, **values)
    )
    db.session.commit()


def _get(client, url, **kwargs):
    """A request as in production, where ``g`` is new for each one (the tests' shared app
    context would otherwise hand the CSRF token of one client's request to the next)."""
    g.pop("csrf_token", None)
    return client.get(url, **kwargs)


def _without_token(html: str) -> str:
    return TOKEN.sub('name="csrf_token" type="hidden" value="TOKEN"', html)


@pytest.mark.parametrize("with_htmx", [False, True])
def test_a_cached_seminar_page_equals_a_fresh_render_but_for_its_own_csrf_token(
    app, app_factory, htmx, with_htmx
):
    app.config["WTF_CSRF_ENABLED"] = True
    seminar = factories.seminar()
    factories.fill(seminar, 2)
    url = f"/seminare/{seminar.id}"
    headers = htmx if with_htmx else {}
    first, second = app.test_client(), app.test_client()
    stored = _get(first, url, headers=headers)
    cached = _get(second, url, headers=headers)
    assert len(page_cache()) == 1 and page_cache().hits == 1
    fresh_app = app_factory(WTF_CSRF_ENABLED=True, PAGE_CACHE_ENTRIES=0)
    fresh = fresh_app.test_client().get(url, headers=headers)

    tokens = [TOKEN.search(r.text).group(1) for r in (stored, cached, fresh)]
    assert len(set(tokens)) == 3  # each person their own
    assert cached.data != fresh.data
    assert _without_token(cached.text) == _without_token(fresh.text)
    # the cached page's token is the one its session holds: the form can be sent
    g.pop("csrf_token", None)
    sent = second.post(f"{url}/anmelden", data={**factories.form_data(7), "csrf_token": tokens[1]})
    assert sent.status_code != 400, sent.text
    assert "csrf" not in sent.text.lower()


def test_a_gzip_cached_page_decompresses_to_the_same_page(app):
    app.config["WTF_CSRF_ENABLED"] = True
    seminar = factories.seminar()
    url = f"/seminare/{seminar.id}"
    _get(app.test_client(), url)
    client = app.test_client()
    response = _get(client, url, headers={"Accept-Encoding": "gzip"})
    assert page_cache().hits == 1
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.data).decode()
    plain = _get(client, url).text  # the same session, so the same token
    assert html == plain and TOKEN.search(html)


def test_flashed_messages_are_never_stored_or_shown_to_others(client, app):
    factories.seminar()
    with client.session_transaction() as session:
        session["_flashes"] = [("error", "Nur für diese Person")]
    assert "Nur für diese Person" in client.get("/").text
    assert len(page_cache()) == 0
    other = app.test_client()
    assert "Nur für diese Person" not in other.get("/").text
    assert "Nur für diese Person" not in other.get("/").text


def test_pages_of_a_logged_in_organiser_are_never_stored(client, app):
    factories.seminar()
    account = factories.user("admin")
    with client.session_transaction() as session:
        session["_user_id"] = f"{account.id}:{account.session_version}"
    for url in ("/", "/impressum"):
        assert client.get(url).status_code == 200
    assert len(page_cache()) == 0


PLACES = ["Köln", "Bonn", "Hürth", "Pulheim", "Essen", "Aachen", "Siegen", "Unna", "Hamm", "Soest"]


def test_the_cache_is_bounded(app, app_factory):
    small = app_factory(PAGE_CACHE_ENTRIES=3)
    factories.seminar()
    client = small.test_client()
    with small.app_context():
        for place in PLACES:
            assert client.get(f"/?ort={place}").status_code == 200
        assert len(page_cache()) == 3
