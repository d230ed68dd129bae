"""Names and towns compare as people spell them: letters without a Unicode decomposition
(ı, İ, ł, ø, đ) count as their plain letter, and ß/ss and the umlaut spellings are equal,
in the public place search and in the organisers' people search alike."""

import html
import re

import pytest

from app.core.text import fold
from app.services.participants import search_people
from app.services.registrations import book_seat
from tests import factories

SPELLINGS = [
    ("Yıldız", "Yildiz"),
    ("İlhan", "Ilhan"),
    ("Łukasz", "Lukasz"),
    ("Søren", "Soren"),
    ("Đorđević", "Dordevic"),
    ("Straße", "Strasse"),
    ("STRASSE", "straße"),
    ("Müller", "Mueller"),
    ("Köln", "Koeln"),
    ("Gößweinstein", "Goessweinstein"),
    ("Äyşe", "Aeyse"),
    ("Ærø", "aero"),
]


@pytest.mark.parametrize(("written", "typed"), SPELLINGS)
def test_fold_makes_both_spellings_equal(written, typed):
    assert fold(written) == fold(typed)


def test_fold_keeps_different_names_apart():
    assert fold("Yildiz") != fold("Yilmaz")
    assert fold("Lukasz") != fold("Lukas")
    assert fold("Koln") != fold("Kiel")


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("town", "typed"),
    [
        ("Dortmund-Hörde", "horde"),
        ("Vettweiß", "VETTWEISS"),
        ("Mülheim an der Ruhr", "Muelheim"),
        ("Köln", "Koln"),
    ],
)
def test_the_public_place_search_folds_what_is_typed_and_what_is_stored(client, town, typed):
    vhs = factories.vhs(name=f"Volkshochschule {town}", town=town)
    factories.seminar(vhs=vhs, venue_town=town)
    factories.seminar(
        vhs=factories.vhs(name="Volkshochschule Siegen", town="Siegen"), venue_town="Siegen"
    )
    html_page = client.get("/", query_string={"ort": typed}).text
    page = _text(html_page.split('id="seminar-results"')[1])
    assert page.index(f"Volkshochschule {town}") < page.index("Volkshochschule Siegen")
    assert "in Ihrem Ort" in page


def _book(seminar, n, last_name, first_name="Alex", town="Köln"):
    return book_seat(
        seminar.id,
        factories.applicant(n, last_name=last_name, first_name=first_name, town=town),
    )


def test_the_people_search_folds_names_and_towns(app):
    seminar = factories.seminar()
    people = [
        _book(seminar, 1, "Yıldız", "İlhan"),
        _book(seminar, 2, "Kowalski", "Łukasz", town="Gdańsk"),
        _book(seminar, 3, "Jørgensen", "Søren"),
        _book(seminar, 4, "Đorđević", "Ana", town="Mülheim an der Ruhr"),
        _book(seminar, 5, "Weiß", "Eva"),
    ]
    yildiz, lukasz, soren, dordevic, weiss = people

    def found(needle):
        return [r.id for r in search_people(people, needle)]

    assert found("yildiz ilhan") == [yildiz.id]
    assert found("Lukasz gdansk") == [lukasz.id]
    assert found("soren JORGENSEN") == [soren.id]
    assert found("dordevic muelheim") == [dordevic.id]
    assert found("weiss") == [weiss.id]
    assert found("WEISS eva") == [weiss.id]


def test_the_organiser_page_finds_people_by_their_plain_spelling(client):
    seminar = factories.seminar()
    _book(seminar, 1, "Yıldız", "İlhan")
    _book(seminar, 2, "Kowalski", "Łukasz")
    _book(seminar, 3, "Đorđević", "Ana")
    admin = factories.user("admin")
    assert factories.login(client, admin).status_code == 303
    for typed, shown, hidden in [
        ("Yildiz Ilhan", "Yıldız", "Kowalski"),
        ("lukasz", "Kowalski", "Yıldız"),
        ("Dordevic", "Đorđević", "Kowalski"),
    ]:
        page = _text(client.get(f"/manage/seminare/{seminar.id}", query_string={"q": typed}).text)
        assert shown in page, typed
        assert hidden not in page, typed
