"""No input gives a 500: every route in the URL map, anonymously and as an admin, with
NUL characters, control characters, ids past the columns' range and over-long text in
the path, the query and the form. Runs on SQLite and on PostgreSQL (which refuses NUL
and out-of-range integers itself, so it is where a missing guard shows)."""

import re

import pytest
import sqlalchemy as sa
from werkzeug.routing.converters import NumberConverter

from app.extensions import db
from app.models import Registration
from app.web.inputs import IdConverter
from tests import factories

HOSTILE_TEXT = ["\x00", "abc\x00def", "\x1b[31m", "x" * 5000, "<script>alert(1)</script>"]
HOSTILE_INT = ["2147483648", "99999999999999999999", "0"]
# the integers that query strings carry (filters, pages)
INT_PARAMETERS = ["seminar", "person", "seite", "programm", "vhs", "modul"]
FIELDS = [
    "email",
    "password",
    "confirm",
    "last_name",
    "first_name",
    "town",
    "privacy",
    "name",
    "role",
    "vhs_id",
    "council_id",
    "q",
    "present",
    "capacity",
    "day1",
    "title",
    "slug",
]


def _urls(rule, value_for_int: str, value_for_text: str) -> str:
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        value = value_for_int if isinstance(converter, IdConverter) else value_for_text
        url = re.sub(rf"<(?:[a-z]+:)?{argument}>", value, url)
    return url


def _probe(client, app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue  # logging out would end the admin's probe early
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for text in HOSTILE_TEXT:
            for number in HOSTILE_INT:
                url = _urls(rule, number, text.replace("\x00", "%00"))
                query = {"q": text, "ids": f"{number},{text}", "next": text}
                query |= dict.fromkeys(INT_PARAMETERS, number)
                for method in methods:
                    data = dict.fromkeys(FIELDS, text) if method == "POST" else None
                    response = client.open(url, method=method, query_string=query, data=data)
                    assert response.status_code < 500, f"{method} {url} -> {response.status_code}"
                    response.close()


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_no_route_answers_hostile_input_with_a_server_error(app, who):
    seminar = factories.seminar()
    factories.fill(seminar, 2)
    client = app.test_client()
    if who == "admin":
        factories.login(client, factories.user("admin"))
    _probe(client, app)


def test_an_id_past_the_column_range_is_not_found(client):
    assert client.get("/seminare/2147483648").status_code == 404
    assert client.get("/live/plaetze?ids=2147483648").status_code == 400


def test_a_nul_in_a_path_or_field_is_refused_plainly(client):
    assert client.get("/vhs/%00").status_code == 400
    assert client.get("/anmeldung/%00abc").status_code == 400
    refused = client.post("/manage/anmelden", data={"email": "a\x00@example.org", "password": "x"})
    assert refused.status_code == 422  # beside the field, with what was typed
    assert "gültige E-Mail-Adresse" in refused.text


def _arabic_indic(number: int) -> str:
    return "".join(chr(0x660 + int(digit)) for digit in str(number))


def test_ids_in_paths_are_ascii_digits_only(app, client):
    seminar = factories.seminar()
    assert client.get(f"/seminare/{seminar.id}").status_code == 200
    for other in (_arabic_indic(seminar.id), f"0{seminar.id}", f"{seminar.id}\u0660", "²"):
        assert client.get(f"/seminare/{other}").status_code == 404, other
        posted = client.post(f"/seminare/{other}/anmelden", data=factories.form_data(1))
        assert posted.status_code == 404, other
    assert client.get(f"/live/plaetze?ids={_arabic_indic(seminar.id)}").status_code == 400
    assert client.get(f"/seminare/{'9' * 5000}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_every_route_reads_ids_with_the_id_converter(app):
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            assert not isinstance(converter, NumberConverter), f"{rule.rule}: {name}"


@pytest.mark.parametrize("role", ["admin", "observer"])
def test_odd_integers_in_query_strings_are_ignored_not_a_server_error(app, role):
    seminar = factories.seminar()
    client = app.test_client()
    factories.login(client, factories.user(role))
    pages = ["/manage/admin/foerderung", "/manage/admin/foerderung.csv", "/manage/admin/bewertung"]
    if role == "admin":
        pages += ["/manage/admin/protokoll", "/manage/admin/interesse"]
    for page in pages:
        for odd in ("²", _arabic_indic(seminar.id), "2147483648", "9" * 30, "-1", "0"):
            query = dict.fromkeys(INT_PARAMETERS, odd)
            response = client.get(page, query_string=query)
            assert response.status_code == 200, f"{page} {odd} -> {response.status_code}"
