"""Finding a seminar when what was typed is not quite a place's name: a town with its
district ("Köln-Porz", "Essen-Steele"), a small typo ("Gütersloch", answered with
"Meinten Sie …?"); near me lists the seminars that take registrations first; a VHS in
the URL that nobody knows is said, not silently dropped."""

import html
import re
from datetime import timedelta

import pytest

from app.core.places import Gazetteer, How, Place, nrw_places, typo_distance
from app.core.timeutil import today_berlin
from app.models import SeminarState
from tests import factories


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _results(response) -> str:
    part = response.text.split('id="seminar-results"')[1]
    return _text(part.split('id="modules-heading"')[0])


def _cards(response) -> list[str]:
    part = response.text.split('id="seminar-results"')[1].split('id="modules-heading"')[0]
    return part.split('class="card"')[1:]


# -- the place data: districts and typos ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name", "how"),
    [
        ("Köln-Porz", "Porz am Rhein", How.DISTRICT),
        ("Koeln Porz", "Porz am Rhein", How.DISTRICT),
        ("51143 Köln-Porz", "Porz am Rhein", How.DISTRICT),
        ("Porz (Köln)", "Porz am Rhein", How.DISTRICT),
        ("Leverkusen-Opladen", "Opladen", How.DISTRICT),
        ("Essen-Steele", "Essen", How.TOWN),
        ("Koln", "Köln", How.NAME),
        ("Dusseldorf", "Düsseldorf", How.NAME),
        ("Gütersloch", "Gütersloh", How.GUESS),
        ("Düseldorf", "Düsseldorf", How.GUESS),
        ("Bielefled", "Bielefeld", How.GUESS),
        ("Bochun", "Bochum", How.GUESS),
    ],
)
def test_a_district_with_its_town_and_small_typos_find_the_place(typed, name, how):
    found = nrw_places().lookup(typed)
    assert found is not None, typed
    assert (found.place.name, found.how) == (name, how)


def test_koln_mulheim_is_the_mulheim_in_cologne_not_on_the_ruhr():
    found = nrw_places().lookup("Köln-Mülheim")
    assert found.place.name == "Mülheim" and found.place.latitude < 51.0  # Köln, not Ruhr
    assert nrw_places().lookup("Mülheim").place.latitude > 51.4  # alone: the larger one


def test_an_unknown_district_keeps_what_was_typed():
    found = nrw_places().lookup("Essen-Steele")
    assert found.unknown == "Steele"


@pytest.mark.parametrize("typed", ["Berlin", "Nirgendwo", "Köl", "Hamburg", "Xyzzy"])
def test_nothing_far_from_every_name_is_guessed(typed):
    assert nrw_places().find(typed) is None


def test_a_typo_as_close_to_two_places_is_not_guessed():
    places = Gazetteer(
        [(Place("Bergheim", 50.9, 6.6, 60_000), []), (Place("Bersheim", 51.0, 7.0, 500), [])]
    )
    assert places.lookup("Berheim") is None  # one letter from both
    assert places.lookup("Bergheimm").place.name == "Bergheim"


def test_typo_distance_counts_swaps_as_one_edit():
    assert typo_distance("bielefled", "bielefeld", 2) == 1
    assert typo_distance("gutersloch", "gutersloh", 1) == 1
    assert typo_distance("berlin", "beelen", 1) == 2  # above the limit: limit + 1


# -- the home page says how it read the place -------------------------------------------------


@pytest.fixture
def westfalia(app):
    """Seminars at Gütersloh, Köln and Essen, each open."""
    return {
        town: factories.seminar(
            vhs=factories.vhs(name=f"Volkshochschule {town}", town=town), venue_town=town
        )
        for town in ("Gütersloh", "Köln", "Essen")
    }


def test_a_typo_is_answered_with_meinten_sie_and_the_place_used(westfalia, client):
    response = client.get("/", query_string={"ort": "Gütersloch"})
    assert response.status_code == 200
    results = _results(response)
    assert "Meinten Sie Gütersloh? Wir zeigen Seminare in der Nähe von Gütersloh." in results
    assert "kennen wir leider nicht" not in results
    assert "Nach Entfernung von Gütersloh" in results
    assert f"/seminare/{westfalia['Gütersloh'].id}" in _cards(response)[0]
    assert "Gütersloh · in Ihrem Ort" in results


@pytest.mark.parametrize(
    ("typed", "first"), [("Köln-Porz", "Köln"), ("Köln-Mülheim", "Köln"), ("Essen-Steele", "Essen")]
)
def test_a_town_with_its_district_orders_by_distance(westfalia, client, typed, first):
    response = client.get("/", query_string={"ort": typed})
    results = _results(response)
    assert "Den Ort" not in results  # not "unknown place"
    assert "Nach Entfernung von" in results
    assert f"/seminare/{westfalia[first].id}" in _cards(response)[0]


def test_a_district_the_data_do_not_know_names_the_town_used(westfalia, client):
    results = _results(client.get("/", query_string={"ort": "Essen-Steele"}))
    assert "Den Stadtteil „Steele“ kennen wir leider nicht." in results
    assert "Wir zeigen Seminare in der Nähe von Essen." in results
    assert "Nach Entfernung von Essen" in results and "Essen · in Ihrem Ort" in results


def test_the_field_keeps_what_was_typed_for_a_district(westfalia, client):
    page = client.get("/", query_string={"ort": "Köln-Porz"}).text
    assert 'name="ort" value="Köln-Porz"' in page
    assert "Nach Entfernung von Köln-Porz" in page


# -- near me: open seminars first -----------------------------------------------------------


def test_near_me_lists_open_seminars_first_then_closed_and_cancelled_labelled(westfalia, client):
    gutersloh = westfalia["Gütersloh"].vhs
    today = today_berlin()
    closed = factories.seminar(
        vhs=gutersloh,
        venue_town="Gütersloh",
        day1=today + timedelta(days=3),
        registration_deadline=today - timedelta(days=1),
    )
    cancelled = factories.seminar(
        vhs=gutersloh, venue_town="Gütersloh", module=2, state=SeminarState.CANCELLED
    )
    response = client.get("/?ort=G%C3%BCtersloh")
    cards = _cards(response)
    order = [int(re.search(r'href="/seminare/(\d+)"', card)[1]) for card in cards]
    open_ids = [westfalia[town].id for town in ("Gütersloh", "Essen", "Köln")]
    assert order[:3] == open_ids  # by distance, all of them still taking registrations
    assert set(order[3:]) == {closed.id, cancelled.id}  # the nearest, but closed: after
    labels = {seminar_id: _text(card) for seminar_id, card in zip(order, cards, strict=True)}
    assert "Anmeldung geschlossen" in labels[closed.id]
    assert "Abgesagt" in labels[cancelled.id]
    assert "Anmeldung geschlossen" not in labels[westfalia["Gütersloh"].id]
    results = _results(response)
    assert results.index("Anmeldung geschlossen oder abgesagt") > results.index(
        "Volkshochschule Köln"
    )


# -- a VHS in the URL that leads nowhere -----------------------------------------------------


@pytest.mark.parametrize("asked", ["gibt-es-nicht", "../../etc", "Köln Süd"])
def test_an_unknown_vhs_in_the_url_is_said_not_silently_dropped(westfalia, client, asked):
    response = client.get("/", query_string={"vhs": asked})
    assert response.status_code == 200
    results = _results(response)
    assert "Diese Volkshochschule kennen wir nicht" in results
    assert len(_cards(response)) == 3  # and the whole list follows


def test_a_known_vhs_without_seminars_says_so(westfalia, client):
    factories.vhs(name="Volkshochschule Hürth", town="Hürth", slug="huerth")
    results = _results(client.get("/?vhs=huerth"))
    assert "An der Volkshochschule Hürth sind zurzeit keine Seminare ausgeschrieben." in results
    assert "kennen wir nicht" not in results


def test_a_known_vhs_in_the_url_shows_no_notice(westfalia, client):
    slug = westfalia["Köln"].vhs.slug
    response = client.get(f"/?vhs={slug}")
    assert 'id="vhs-notice"' not in response.text
    assert len(_cards(response)) == 1


def test_the_page_of_an_unknown_vhs_says_so(client):
    response = client.get("/vhs/gibt-es-nicht")
    assert response.status_code == 404
    page = _text(response.text)
    assert "Diese Volkshochschule kennen wir nicht" in page
    assert 'href="/"' in response.text
