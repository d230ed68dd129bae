"""Counts a user notices as speed: SQL statements per page and bytes on first view."""

import gzip
import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Programme, Seminar, SeminarState, Vhs
from tests import factories
from tests.sqlcount import count_queries

BYTE_BUDGET = 30 * 1024  # home page HTML + CSS + JS, gzip
REQUEST_BUDGET = 4


def _many_seminars(how_many: int) -> None:
    """Published seminars spread over VHS, inserted in bulk (this is about reading)."""
    programme = Programme.current() or factories.programme()
    start = db.session.scalar(db.select(db.func.count()).select_from(Vhs))
    places = [
        Vhs(
            slug=f"bulk-{start + n}",
            name=f"Volkshochschule Ort {start + n}",
            town=f"Ort {start + n}",
        )
        for n in range(max(how_many // 2, 1))
    ]
    db.session.add_all(places)
    day1 = today_berlin() + timedelta(days=30)
    db.session.add_all(
        Seminar(
            programme=programme,
            vhs=places[n % len(places)],
            module=1 + n % 2,
            state=SeminarState.PUBLISHED,
            capacity=20,
            venue_name="Raum",
            venue_street="Weg 1",
            venue_postcode="40210",
            venue_town=places[n % len(places)].town,
            day1=day1,
            day1_starts=time(9),
            day1_ends=time(17),
            day2=day1 + timedelta(days=1),
            day2_starts=time(9),
            day2_ends=time(17),
            registration_deadline=day1 - timedelta(days=7),
        )
        for n in range(how_many)
    )
    db.session.commit()
    for seminar in db.session.scalars(db.select(Seminar).order_by(Seminar.id.desc()).limit(3)):
        factories.fill(seminar, 2, start=seminar.id * 100)


def _queries_for(client, url: str) -> int:
    client.get(url)  # warm caches (templates), as any running server has them
    db.session.expire_all()
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/?modul=1&ort=Ort", "/?ort=K%C3%B6ln&modul=1"])
def test_queries_per_page_do_not_grow_with_the_number_of_seminars(app, client, url):
    _many_seminars(10)
    with_ten = _queries_for(client, url)
    _many_seminars(990)
    with_thousand = _queries_for(client, url)
    assert with_ten == with_thousand
    assert with_ten <= 3


@pytest.mark.parametrize("url", ["/", "/?modul=1", "/?ort=K%C3%B6ln"])
def test_the_home_page_lists_seminars_without_loading_them_as_objects(app, client, url):
    """The list reads every upcoming seminar to filter, count and page them: as plain
    records, not ORM objects (at a thousand seminars that halves a fresh render)."""
    _many_seminars(120)
    app.config["PAGE_CACHE_ENTRIES"] = 0
    loaded = []
    listener = lambda target, _context: loaded.append(target)  # noqa: E731
    sa.event.listen(Seminar, "load", listener)
    try:
        db.session.expire_all()
        page = client.get(url)
    finally:
        sa.event.remove(Seminar, "load", listener)
    assert page.status_code == 200 and "Plätzen frei" in page.text
    assert loaded == []


def test_seminar_and_vhs_pages_need_a_fixed_number_of_queries(app, client):
    seminar = factories.seminar()
    factories.fill(seminar, 5)
    assert _queries_for(client, f"/seminare/{seminar.id}") <= 4
    assert _queries_for(client, f"/vhs/{seminar.vhs.slug}") <= 3


def test_home_page_first_view_stays_within_its_byte_and_request_budget(runner, client):
    runner.invoke(args=["seed-demo"])
    page = client.get("/")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) + 1 <= REQUEST_BUDGET, assets
    total = len(gzip.compress(page.data, 6))
    for asset in assets:
        response = client.get(asset)
        total += len(gzip.compress(response.data, 6))
        response.close()
    assert total <= BYTE_BUDGET, f"{total} bytes gzip"
