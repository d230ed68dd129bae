"""The participant list as CSV and XLSX: German Excel conventions, no formula injection."""

import csv
import io
import re
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.tabular import safe_cell
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Registration
from app.services.exports import HEADER
from app.services.registrations import Applicant, book_seat
from app.web.validators import looks_like_formula
from tests import factories

HEADER_LINE = (
    "Name;Vorname;Ort;E-Mail-Adresse;Status;Angemeldet am;Anwesenheit Tag 1;Anwesenheit Tag 2"
)
MOMENT = re.compile(r"\d\d\.\d\d\.\d{4}, \d{1,2}:\d\d Uhr")

HYPERLINK = '=HYPERLINK("https://evil.example/";"Klick")'
# (last name, first name, town, e-mail) as typed into the organisers' form
PEOPLE = [
    (HYPERLINK, "+49 170 1234567", "-1", "=1+1@example.org"),
    # a full-width equals sign, which some spreadsheets take for "="
    ("@SUM(1+1)", "Zoë", "\uff1d1+1", "sum@example.org"),
    ("Nguyễn", "Thị Lan", "Düsseldorf", "lan@example.org"),
    # typed with a combining cedilla: stored and exported as one character
    ("C\u0327elik", "Ays\u0327e", "Münster", "ayse@example.org"),
]


@pytest.fixture
def exported(app, client):
    """A seminar with three places, filled through the organisers' form before it began;
    on its first day (today) Nguyễn is present, the first person absent."""
    school = factories.vhs()
    seminar = factories.seminar(vhs=school, capacity=3)
    account = factories.user("vhs", vhs_id=school.id)
    assert factories.login(client, account).status_code == 303
    for last, first, town, email in PEOPLE:
        if looks_like_formula(last):
            # the forms refuse such names now; the lists still neutralise any kept before
            book_seat(seminar.id, Applicant(last, first, town, email), actor_id=account.id)
            continue
        response = client.post(
            f"/manage/seminare/{seminar.id}/teilnehmende",
            data={"last_name": last, "first_name": first, "town": town, "email": email},
        )
        assert response.status_code == 303, response.text
    today = today_berlin()
    seminar.day1, seminar.day2 = today, today + timedelta(days=1)
    seminar.registration_deadline = today - timedelta(days=1)
    db.session.commit()
    people = {
        r.email: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.seminar_id == seminar.id)
        )
    }
    for email, present in (("lan@example.org", "1"), ("=1+1@example.org", "0")):
        marked = client.post(
            f"/manage/anmeldungen/{people[email].id}/anwesenheit/1", data={"present": present}
        )
        assert marked.status_code == 303
    return seminar


# each row as typed (what the XLSX holds); the CSV holds it formula-safe (safe_cell)
EXPECTED = {
    HYPERLINK: [
        HYPERLINK,
        "+49 170 1234567",
        "-1",
        "=1+1@example.org",
        "bestätigt",
        "abwesend",
        "nicht erfasst",
    ],
    "@SUM(1+1)": [
        "@SUM(1+1)",
        "Zoë",
        "\uff1d1+1",
        "sum@example.org",
        "bestätigt",
        "nicht erfasst",
        "nicht erfasst",
    ],
    "Nguyễn": [
        "Nguyễn",
        "Thị Lan",
        "Düsseldorf",
        "lan@example.org",
        "bestätigt",
        "anwesend",
        "nicht erfasst",
    ],
    "Çelik": ["Çelik", "Ayşe", "Münster", "ayse@example.org", "Warteliste", "", ""],
}
# the LIR's list: confirmed people only, unless the waiting list is asked for
CONFIRMED = {name: row for name, row in EXPECTED.items() if row[4] == "bestätigt"}
CSV_EXPECTED = {
    safe_cell(name): [safe_cell(value) for value in row] for name, row in CONFIRMED.items()
}


def _check_rows(rows: list[list[str]], expected: dict[str, list[str]]) -> None:
    assert len(rows) == len(expected)
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == set(expected)
    for name, wanted in expected.items():
        row = by_name[name]
        assert row[:5] + row[6:] == wanted, row
        assert MOMENT.fullmatch(row[5]), row[5]
    for row in rows:
        for value in row:
            assert unicodedata.is_normalized("NFC", value)


def rows_by_name(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows}


def test_csv_export_for_german_excel(client, exported):
    response = client.get(f"/manage/seminare/{exported.id}/teilnehmende.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="teilnehmende-seminar-{exported.id}-{exported.day1.isoformat()}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode() + b"\r\n")
    text = body.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header == HEADER
    _check_rows(rows, CSV_EXPECTED)
    assert rows_by_name(rows)["'" + HYPERLINK][:4] == [
        "'" + HYPERLINK,
        "'+49 170 1234567",
        "'-1",
        "'=1+1@example.org",
    ]
    assert rows_by_name(rows)["'@SUM(1+1)"][2] == "'\uff1d1+1"


def test_xlsx_export_has_text_cells_only(client, exported):
    response = client.get(f"/manage/seminare/{exported.id}/teilnehmende.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == f"Seminar {exported.id}"
    values = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    # the text as typed, in string cells: no formula, no added apostrophe
    _check_rows(values[1:], CONFIRMED)
    assert values[1:][[row[0] for row in values[1:]].index(HYPERLINK)][:4] == list(PEOPLE[0])
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_tabs_and_line_breaks_never_reach_the_export_unneutralised(client, app):
    school = factories.vhs()
    seminar = factories.seminar(vhs=school)
    assert factories.login(client, factories.user("vhs", vhs_id=school.id)).status_code == 303
    url = f"/manage/seminare/{seminar.id}/teilnehmende"
    for inner in ("Max\tMuster", "Max\r=1+1", "Max\n=1+1"):
        refused = client.post(
            url, data={"last_name": inner, "first_name": "A", "town": "B", "email": "t@example.org"}
        )
        assert refused.status_code == 422
        assert "Bitte keine Steuerzeichen" in refused.text
    # at the start, whitespace is trimmed away and what is left is refused as a formula
    refused = client.post(
        url,
        data={"last_name": "\t=1+1", "first_name": "\r\n+1", "town": "B", "email": "t@example.org"},
    )
    assert refused.status_code == 422
    assert refused.text.count("Tabellenprogramme würden den Eintrag als Formel lesen.") == 2
    text = client.get(f"/manage/seminare/{seminar.id}/teilnehmende.csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1:] == []


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+49", "'+49"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b49", "'\uff0b49"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("Nguyễn", "Nguyễn"),
        ("Anne-Marie", "Anne-Marie"),
        ("O'Neill", "O'Neill"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe


def test_the_list_for_the_lir_holds_the_waiting_list_only_when_asked(client, exported):
    default = client.get(f"/manage/seminare/{exported.id}/teilnehmende.xlsx")
    names = [row[0].value for row in load_workbook(io.BytesIO(default.data)).active.iter_rows()]
    assert "Çelik" not in names
    asked = client.get(f"/manage/seminare/{exported.id}/teilnehmende.xlsx?warteliste=1")
    rows = [[c.value or "" for c in row] for row in load_workbook(io.BytesIO(asked.data)).active]
    _check_rows(rows[1:], EXPECTED)
    assert rows[-1][0] == "Çelik"  # after the confirmed people
