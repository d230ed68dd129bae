"""No input gives a 500: every route in the URL map, anonymously and as an admin, with
NUL characters, control characters, ids past the columns' range and over-long text in
the path, the query and the form. Runs on SQLite and on PostgreSQL (which refuses NUL
and out-of-range integers itself, so it is where a missing guard shows)."""

import re

import pytest

from tests import factories

HOSTILE_TEXT = ["\x00", "abc\x00def", "\x1b[31m", "x" * 5000, "<script>alert(1)</script>"]
HOSTILE_INT = ["2147483648", "99999999999999999999", "0"]
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
        value = value_for_int if type(converter).__name__ == "BoundedInt" else value_for_text
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
                query = {"q": text, "ids": f"{number},{text}", "modul": text, "next": text}
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
