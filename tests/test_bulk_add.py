"""Adding several people at once: the preview, the add, the rows left out, the limits,
who may do it. On the test database (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core import tables
from app.core.timeutil import today_berlin, utcnow
from app.extensions import db
from app.models import (
    Action,
    AuditEntry,
    OutboxMail,
    Registration,
    RegistrationState,
    SeminarState,
)
from app.organiser import bulk_add as bulk_routes
from app.services import bulk_add, messages
from app.services.registrations import book_seat, check_counts
from app.web import validators
from tests import factories

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED
HEADER = "Name;Vorname;Ort;E-Mail-Adresse"


# -- helpers -----------------------------------------------------------------------------


def _url(seminar, tail: str = "") -> str:
    return f"/manage/seminare/{seminar.id}/mehrere-hinzufuegen{tail}"


def _login(client, role: str, **scope):
    account = factories.user(role, **scope)
    assert factories.login(client, account).status_code == 303
    return account


def _lines(*people) -> str:
    return "\n".join([HEADER, *(";".join(person) for person in people)]) + "\n"


def _person(n: int, **changes) -> tuple[str, str, str, str]:
    values = {"last": f"Muster{n}", "first": "Alex", "town": "Köln", "email": f"p{n}@example.org"}
    values.update(changes)
    return values["last"], values["first"], values["town"], values["email"]


def _text(fragment: str) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", plain).strip()


def _table(page, caption: str) -> list[dict[str, str]]:
    """The rows of the table with this caption: column label -> visible text."""
    match = re.search(
        rf"<caption>{re.escape(caption)} \(\d+\)</caption>(.*?)</table>", page.text, re.S
    )
    if match is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1).split("</thead>")[1], re.S)
    return [
        {
            label: _text(cell)
            for label, cell in re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</t[hd]>', row, re.S)
        }
        for row in rows
    ]


def _token(page, tail: str) -> str:
    form = re.search(
        rf'<form[^>]*action="[^"]*/mehrere-hinzufuegen{re.escape(tail)}"(.*?)</form>',
        page.text,
        re.S,
    )
    assert form is not None, f"no form for {tail!r}"
    return html.unescape(re.search(r'name="token" value="([^"]*)"', form.group(1)).group(1))


def _upload(client, url: str, content: bytes, headers=None):
    """A multipart POST of one file, its body built here: the test client would spool a
    large body to a temporary file that an early 413 leaves open."""
    boundary = "----grenze7MA4YWxkTrZu0gW"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="liste.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers or {},
    )


def _field_error(page, field: str) -> str:
    return _text(re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', page.text, re.S).group(1))


def _registrations(seminar) -> list[Registration]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar.id)
            .order_by(Registration.id)
        )
    )


def _mails(kind: str = "confirmation") -> list[OutboxMail]:
    factories.compose_mails()
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
        )
    )


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def school(app):
    return factories.vhs(name="Volkshochschule Bochum")


@pytest.fixture
def staff(client, school):
    return _login(client, "vhs", vhs_id=school.id)


# -- the page ----------------------------------------------------------------------------


def test_the_page_has_the_form_and_htmx_gets_only_the_fragment(client, school, staff, htmx):
    seminar = factories.seminar(vhs=school)
    page = client.get(_url(seminar))
    assert page.status_code == 200
    assert "<html" in page.text and 'id="bulk"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "Zeilen einfügen" in page.text and "Oder eine Datei hochladen" in page.text
    fragment = client.get(_url(seminar), headers=htmx)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<section id="bulk"')
    assert "HX-Request" in page.headers["Vary"]


def test_the_participants_page_links_to_it(client, school, staff):
    seminar = factories.seminar(vhs=school)
    page = client.get(f"/manage/seminare/{seminar.id}")
    assert f'href="{_url(seminar)}"' in page.text


# -- preview -----------------------------------------------------------------------------


def test_the_preview_says_what_happens_to_each_row_and_writes_nothing(client, school, staff):
    seminar = factories.seminar(vhs=school, capacity=8)
    factories.fill(seminar, 6)  # person0..5@example.org, confirmed
    mails_before = len(_mails())
    text = _lines(
        ("Nguyễn", "Thị Minh", "Köln", "minh@example.org"),
        ("O'Neill", "Siobhán", "Düsseldorf", "siobhan@example.org"),
        ("Çelik", "Ayşe", "Gelsenkirchen", "ayse@example.org"),
        ("Zweimal", "Zoe", "Köln", "MINH@example.org"),
        ("Schon", "Da", "Köln", "Person0@Example.org"),
        ("<b>Fett</b>", "Eva", "Köln", "eva@example.org"),
        ("Ohne", "Adresse", "Köln", "kein-at-zeichen"),
        ("Dritte", "Person", "Bonn", "dritte@example.org"),
        ("=HYPERLINK(1)", "Eva", "Köln", "formel@example.org"),
        ("Zahl", "Olaf", "44787", "plz@example.org"),
    )
    page = client.post(_url(seminar), data={"rows": text})
    assert page.status_code == 200
    assert "Vorschau: 10 Zeilen gelesen" in _text(page.text)
    added = _table(page, "Werden hinzugefügt")
    assert [(r["Zeile"], r["Name"], r["Vorschau"]) for r in added] == [
        ("2", "Nguyễn", "bekommt einen Platz"),
        ("3", "O'Neill", "bekommt einen Platz"),
        ("4", "Çelik", "Warteliste"),
        ("9", "Dritte", "Warteliste"),
    ]
    left_out = {r["Zeile"]: r["Vorschau"] for r in _table(page, "Werden nicht hinzugefügt")}
    assert left_out == {
        "5": "doppelt " + messages.bulk_twice_in_list(2),
        "6": "doppelt " + messages.ALREADY_REGISTERED,
        "7": "ungültig Bitte keine spitzen Klammern (< oder >) eingeben.",
        "8": "ungültig " + "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel "
        "name@beispiel.de.",
        "10": "ungültig " + validators.FORMULA,
        "11": "ungültig " + validators.TOWN_WITHOUT_LETTERS,
    }
    assert "<b>Fett</b>" not in page.text and "&lt;b&gt;Fett&lt;/b&gt;" in page.text
    assert "4 Personen hinzufügen" in page.text
    # what was pasted stays in the form, for a correction and a new preview
    assert html.escape("Nguyễn;Thị Minh", quote=False) in page.text
    assert len(_registrations(seminar)) == 6
    assert len(_mails()) == mails_before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_is_previewed_like_pasted_rows(client, school, staff, kind):
    seminar = factories.seminar(vhs=school, capacity=8)
    people = [_person(n) for n in range(3)]
    if kind == "csv":
        data = ("\ufeff" + _lines(*people)).encode("utf-8")
    else:
        data = _xlsx([HEADER.split(";"), *people])
    page = client.post(_url(seminar), data={"file": (io.BytesIO(data), f"liste.{kind}")})
    assert page.status_code == 200, _text(page.text)[:500]
    assert [r["Name"] for r in _table(page, "Werden hinzugefügt")] == [p[0] for p in people]


def test_a_windows_file_is_read_and_the_preview_asks_to_check_the_umlauts(client, school, staff):
    seminar = factories.seminar(vhs=school)
    data = _lines(("Müller", "Jürgen", "Köln", "jm@example.org")).encode("cp1252")
    page = client.post(_url(seminar), data={"file": (io.BytesIO(data), "liste.csv")})
    assert page.status_code == 200
    assert messages.BULK_READ_AS_1252 in _text(page.text)
    assert _table(page, "Werden hinzugefügt")[0]["Name"] == "Müller"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"rows": "Liebe Frau Meier, anbei, wie besprochen, die Liste."},
            messages.BULK_NO_ADDRESSES,
        ),
        ({"rows": "nur eine Spalte\nund noch eine"}, messages.table_problem("not_a_table", 500)),
        ({"rows": "  \n "}, messages.BULK_NOTHING_CHOSEN),
        ({}, messages.BULK_NOTHING_CHOSEN),
    ],
)
def test_text_that_is_no_list_is_refused_beside_the_field_and_kept(
    client, school, staff, data, message
):
    seminar = factories.seminar(vhs=school)
    page = client.post(_url(seminar), data=data)
    assert page.status_code == 422
    assert _field_error(page, "rows") == message
    assert 'aria-invalid="true"' in page.text
    if data.get("rows", "").strip():
        assert html.escape(data["rows"], quote=False) in page.text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"%PDF-1.7\n\x00\x01", "not_a_table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "other_spreadsheet"),
        ("Yıldız;Ayşe;Köln;a@example.org\n".encode("cp1254"), "encoding"),
        (b"", "empty"),
    ],
)
def test_a_file_that_cannot_be_read_gets_its_reason_beside_the_file_field(
    client, school, staff, content, problem
):
    seminar = factories.seminar(vhs=school)
    upload = {"file": (io.BytesIO(content), "liste.csv")}
    page = client.post(_url(seminar), data=upload)
    assert page.status_code == 422
    assert _field_error(page, "file") == messages.table_problem(problem, bulk_add.MAX_PEOPLE)


def test_text_and_a_file_at_once_are_refused(client, school, staff):
    seminar = factories.seminar(vhs=school)
    data = {"rows": _lines(_person(1)), "file": (io.BytesIO(b"x;y;z;a@b.de"), "l.csv")}
    page = client.post(_url(seminar), data=data)
    assert page.status_code == 422
    assert _field_error(page, "file") == messages.BULK_BOTH_CHOSEN


def test_a_file_over_one_megabyte_gets_the_german_reason(client, school, staff):
    seminar = factories.seminar(vhs=school)
    big = _lines(_person(1)).encode() + b"x" * tables.MAX_BYTES
    page = _upload(client, _url(seminar), big)
    assert page.status_code == 422
    assert _field_error(page, "file") == messages.table_problem("too_large", 500)


def test_a_request_past_the_routes_limit_gets_the_form_with_the_reason_not_a_bare_413(
    client, school, staff, htmx
):
    seminar = factories.seminar(vhs=school)
    huge = b"x" * (bulk_routes.BODY_MAX + 1)
    for headers in ({}, htmx):
        page = _upload(client, _url(seminar), huge, headers)
        assert page.status_code == 413
        assert _field_error(page, "file") == messages.table_problem("too_large", 500)
        assert ("<html" in page.text) == (not headers)


def test_the_larger_limit_holds_for_these_routes_only(client, school, staff):
    seminar = factories.seminar(vhs=school)
    body = {"last_name": "x" * 100_000, "first_name": "A", "town": "B", "email": "c@d.de"}
    page = client.post(f"/manage/seminare/{seminar.id}/teilnehmende", data=body)
    assert page.status_code == 413
    assert "Die Eingabe ist zu groß" in page.text


# -- adding ------------------------------------------------------------------------------


def test_adding_books_every_row_with_the_places_free_then_and_mails_each_person(
    client, school, staff
):
    seminar = factories.seminar(vhs=school, capacity=8)
    factories.fill(seminar, 5)
    people = [
        ("Nguyễn", "Thị Minh", "Köln", "minh@example.org"),
        ("O'Neill", "Siobhán", "Düsseldorf", "siobhan@example.org"),
        ("Çelik", "Ayşe", "Gelsenkirchen", "ayse@example.org"),
        ("Dritte", "Person", "Bonn", "dritte@example.org"),
        ("Ungültig", "Ohne", "Köln", "ohne-adresse"),
    ]
    preview = client.post(_url(seminar), data={"rows": _lines(*people)})
    planned = [r["Vorschau"] for r in _table(preview, "Werden hinzugefügt")]
    assert planned == ["bekommt einen Platz"] * 3 + ["Warteliste"]
    # someone takes a place between the preview and the add: the add sees it
    book_seat(seminar.id, factories.applicant(99))
    result = client.post(_url(seminar, "/eintragen"), data={"token": _token(preview, "/eintragen")})
    assert result.status_code == 200
    assert "4 Personen hinzugefügt" in _text(result.text)
    added = _table(result, "Hinzugefügt")
    assert [(r["Name"], r["Ergebnis"]) for r in added] == [
        ("Nguyễn", "Platz bestätigt"),
        ("O'Neill", "Platz bestätigt"),
        ("Çelik", "Warteliste, Platz 1"),
        ("Dritte", "Warteliste, Platz 2"),
    ]
    assert [r["Name"] for r in _table(result, "Nicht hinzugefügt")] == ["Ungültig"]

    new = [
        r
        for r in _registrations(seminar)
        if r.email.endswith(
            ("minh@example.org", "siobhan@example.org", "ayse@example.org", "dritte@example.org")
        )
    ]
    assert [(r.last_name, r.first_name, r.town, r.state) for r in new] == [
        ("Nguyễn", "Thị Minh", "Köln", CONFIRMED),
        ("O'Neill", "Siobhán", "Düsseldorf", CONFIRMED),
        ("Çelik", "Ayşe", "Gelsenkirchen", WAITLISTED),
        ("Dritte", "Person", "Bonn", WAITLISTED),
    ]
    assert all(r.vouched for r in new)
    db.session.refresh(seminar)
    assert seminar.confirmed_count == seminar.capacity == 8
    assert check_counts(repair=False) == []
    # the usual confirmation: a calendar file for a place, none for the waiting list
    mails = {m.recipient: m for m in _mails() if m.registration_id in {r.id for r in new}}
    assert set(mails) == {r.email for r in new}
    assert mails["minh@example.org"].ics and not mails["ayse@example.org"].ics
    # the log: each person as added by this organiser, and the list with its counts
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.seminar_id == seminar.id)
    ).all()
    by_staff = [e for e in entries if e.actor_id == staff.id]
    assert sorted(
        e.registration_id for e in by_staff if e.action == "added_by_organiser"
    ) == sorted(r.id for r in new)
    [summary] = [e for e in by_staff if e.action == "bulk_added"]
    assert summary.detail == messages.bulk_added_detail(5, 2, 2, 1)
    assert summary.action_label == "mehrere hinzugefügt (Liste)"


def test_sending_the_same_preview_twice_adds_nobody_twice(client, school, staff):
    seminar = factories.seminar(vhs=school, capacity=8)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1), _person(2))})
    token = _token(preview, "/eintragen")
    assert client.post(_url(seminar, "/eintragen"), data={"token": token}).status_code == 200
    again = client.post(_url(seminar, "/eintragen"), data={"token": token})
    assert again.status_code == 200
    assert "0 Personen hinzugefügt" in _text(again.text)
    assert [r["Ergebnis"] for r in _table(again, "Nicht hinzugefügt")] == [
        "doppelt " + messages.ALREADY_REGISTERED
    ] * 2
    assert len(_registrations(seminar)) == 2
    assert len(_mails()) == 2
    summaries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "bulk_added")
    ).all()
    assert len(summaries) == 1  # the second add changed nothing


def test_more_rows_than_places_fill_the_places_and_queue_the_rest_in_list_order(app, school):
    seminar = factories.seminar(vhs=school, capacity=10)
    factories.fill(seminar, 7)
    admin = factories.user("admin")
    rows = [bulk_add.Row(n + 2, *_person(n)) for n in range(40)]
    results = bulk_add.add_rows(seminar.id, rows, actor_id=admin.id)
    assert [r.outcome for r in results] == ["confirmed"] * 3 + ["waitlisted"] * 37
    assert [r.position for r in results[3:]] == list(range(1, 38))
    db.session.refresh(seminar)
    assert (seminar.confirmed_count, seminar.waitlisted_count) == (10, 37)
    assert check_counts(repair=False) == []


def test_an_organiser_adds_after_the_public_deadline_as_for_one_person(client, school, staff):
    day1 = today_berlin() + timedelta(days=3)
    seminar = factories.seminar(
        vhs=school, day1=day1, registration_deadline=today_berlin() - timedelta(days=1)
    )
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1))})
    result = client.post(_url(seminar, "/eintragen"), data={"token": _token(preview, "/eintragen")})
    assert [r["Ergebnis"] for r in _table(result, "Hinzugefügt")] == ["Platz bestätigt"]


def test_a_cancelled_seminar_takes_no_list(client, school, staff):
    seminar = factories.seminar(vhs=school, state=SeminarState.CANCELLED)
    page = client.get(_url(seminar))
    assert "Das Seminar ist abgesagt. Es können keine Teilnehmenden hinzugefügt werden." in _text(
        page.text
    )
    assert 'id="bulk-form"' not in page.text
    refused = client.post(_url(seminar), data={"rows": _lines(_person(1))})
    assert refused.status_code == 409
    assert _registrations(seminar) == []


def test_a_seminar_withdrawn_between_preview_and_add_adds_nobody(client, school, staff):
    seminar = factories.seminar(vhs=school)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1), _person(2))})
    seminar.state = SeminarState.DRAFT
    db.session.commit()
    result = client.post(_url(seminar, "/eintragen"), data={"token": _token(preview, "/eintragen")})
    assert result.status_code == 409
    assert messages.CLOSED["not_published"] in _text(result.text)
    assert _registrations(seminar) == []


def test_a_seminar_that_is_over_takes_no_list(client, school, staff):
    day1 = today_berlin() - timedelta(days=5)
    seminar = factories.seminar(
        vhs=school, day1=day1, registration_deadline=day1 - timedelta(days=7)
    )
    page = client.post(_url(seminar), data={"rows": _lines(_person(1))})
    assert page.status_code == 409
    assert messages.SEMINAR_OVER in _text(page.text)


@pytest.mark.parametrize("how", ["altered", "other seminar", "other user", "expired", "missing"])
def test_a_preview_token_that_is_not_this_ones_adds_nobody(
    client, app, school, staff, how, monkeypatch
):
    seminar = factories.seminar(vhs=school)
    other = factories.seminar(vhs=school)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1))})
    token = _token(preview, "/eintragen")
    target = seminar
    if how == "altered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif how == "other seminar":
        target = other
    elif how == "other user":
        client = client.application.test_client()
        _login(client, "vhs", vhs_id=school.id)
    elif how == "expired":
        monkeypatch.setattr(bulk_routes, "PREVIEW_MAX_AGE", -1)
    elif how == "missing":
        token = ""
    result = client.post(_url(target, "/eintragen"), data={"token": token})
    assert result.status_code == 422
    assert messages.BULK_PREVIEW_EXPIRED in _text(result.text)
    assert _registrations(seminar) == [] and _registrations(other) == []


# -- the rows left out -------------------------------------------------------------------


def test_the_rows_left_out_download_as_csv_with_reason_and_no_formula_runs(client, school, staff):
    seminar = factories.seminar(vhs=school)
    factories.fill(seminar, 1)  # person0@example.org
    text = _lines(
        ('=HYPERLINK("http://x")', "+Eva", "-Köln", "@kein-at"),
        ("Schon", "Da", "Köln", "person0@example.org"),
        _person(5),
    )
    preview = client.post(_url(seminar), data={"rows": text})
    download = client.post(
        _url(seminar, "/nicht-hinzugefuegt.csv"),
        data={"token": _token(preview, "/nicht-hinzugefuegt.csv")},
    )
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert download.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Zeile", "Name", "Vorname", "Ort", "E-Mail-Adresse", "Grund"]
    assert rows[1][:5] == ["2", '\'=HYPERLINK("http://x")', "'+Eva", "'-Köln", "'@kein-at"]
    assert rows[1][5].startswith(validators.FORMULA + " ")  # the name, then the address
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in rows[1][5]
    assert rows[2] == [
        "3",
        "Schon",
        "Da",
        "Köln",
        "person0@example.org",
        messages.ALREADY_REGISTERED,
    ]
    assert len(rows) == 3
    # read again, the file's header is recognised and its extra columns left out
    again = bulk_add.read_upload(download.data)
    assert [r.last_name for r in again.rows] == ['\'=HYPERLINK("http://x")', "Schon"]


def test_the_download_needs_its_own_token(client, school, staff):
    seminar = factories.seminar(vhs=school)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1), ("X", "Y", "Z", "bad"))})
    wrong = client.post(
        _url(seminar, "/nicht-hinzugefuegt.csv"), data={"token": _token(preview, "/eintragen")}
    )
    assert wrong.status_code == 422
    assert messages.BULK_PREVIEW_EXPIRED in _text(wrong.text)


# -- who may ------------------------------------------------------------------------------


def test_the_contact_person_of_a_host_council_may_add_a_list(client, school):
    council = factories.council(town="Bochum")
    seminar = factories.seminar(vhs=school, councils=[council])
    _login(client, "contact", council_id=council.id)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1))})
    assert preview.status_code == 200
    result = client.post(_url(seminar, "/eintragen"), data={"token": _token(preview, "/eintragen")})
    assert result.status_code == 200
    assert [r.email for r in _registrations(seminar)] == ["p1@example.org"]


@pytest.mark.parametrize("who", ["other_vhs", "other_contact", "observer"])
def test_nobody_outside_the_seminars_scope_sees_or_adds(client, school, who):
    seminar = factories.seminar(vhs=school)
    staff_client = client.application.test_client()
    _login(staff_client, "vhs", vhs_id=school.id)
    preview = staff_client.post(
        _url(seminar), data={"rows": _lines(_person(1), ("X", "Y", "Z", "bad"))}
    )
    tokens = {tail: _token(preview, tail) for tail in ("/eintragen", "/nicht-hinzugefuegt.csv")}
    if who == "other_vhs":
        _login(client, "vhs", vhs_id=factories.vhs().id)
    elif who == "other_contact":
        _login(client, "contact", council_id=factories.council().id)
    else:
        _login(client, "observer")
    assert client.get(_url(seminar)).status_code in (403, 404)
    assert client.post(_url(seminar), data={"rows": _lines(_person(2))}).status_code in (403, 404)
    for tail, token in tokens.items():
        response = client.post(_url(seminar, tail), data={"token": token})
        assert response.status_code in (403, 404)
        assert "p1@example.org" not in response.text
    assert _registrations(seminar) == []


def test_anonymous_visitors_are_sent_to_the_login(client, school):
    seminar = factories.seminar(vhs=school)
    for method, tail in (("get", ""), ("post", ""), ("post", "/eintragen")):
        response = getattr(client, method)(_url(seminar, tail))
        assert response.status_code == 302
        assert "/manage/anmelden" in response.headers["Location"]


# -- the hourly cap and refusing early ------------------------------------------------------


def _added_by_hand(account, how_many: int, ago: timedelta = timedelta(0)) -> None:
    """Log entries of people this account added (as the booking service writes them)."""
    at = utcnow() - ago
    db.session.add_all(
        AuditEntry(actor_id=account.id, action=Action.ADDED_BY_ORGANISER, at=at)
        for _ in range(how_many)
    )
    db.session.commit()


def test_an_account_adds_at_most_500_people_an_hour(client, school, staff):
    seminar = factories.seminar(vhs=school, capacity=20)
    _added_by_hand(staff, 300, ago=timedelta(hours=2))  # long enough ago: not counted
    _added_by_hand(staff, 497)
    four = client.post(_url(seminar), data={"rows": _lines(*map(_person, (1, 2, 3, 4)))})
    assert four.status_code == 429
    assert messages.bulk_hourly_cap(497, 4, 500) in _text(four.text)
    assert "jetzt sind noch 3 möglich" in _text(four.text)
    preview = client.post(_url(seminar), data={"rows": _lines(_person(1), _person(2))})
    assert preview.status_code == 200
    # between preview and add the account adds one person by hand: 498, then 2 would be 500
    by_hand = client.post(f"/manage/seminare/{seminar.id}/teilnehmende", data=_form(9))
    assert by_hand.status_code == 303
    _added_by_hand(staff, 1)  # and one more elsewhere: 499 + 2 is past the cap
    token = _token(preview, "/eintragen")
    refused = client.post(_url(seminar, "/eintragen"), data={"token": token})
    assert refused.status_code == 429
    assert "In der letzten Stunde waren es schon 499" in _text(refused.text)
    assert [r.email for r in _registrations(seminar)] == ["p9@example.org"]
    # an hour later the same preview adds its rows
    db.session.execute(sa.update(AuditEntry).values(at=utcnow() - timedelta(hours=1, minutes=1)))
    db.session.commit()
    added = client.post(_url(seminar, "/eintragen"), data={"token": token})
    assert added.status_code == 200
    assert len(_registrations(seminar)) == 3


def _form(n: int) -> dict:
    return {
        "last_name": f"Muster{n}",
        "first_name": "Alex",
        "town": "Köln",
        "email": f"p{n}@example.org",
    }


class _WatchedBody(io.BytesIO):
    """A request body that notes whether anyone read from it."""

    touched = False

    def read(self, *args):
        self.touched = True
        return super().read(*args)

    def read1(self, *args):
        self.touched = True
        return super().read1(*args)

    def readinto(self, *args):
        self.touched = True
        return super().readinto(*args)

    def readline(self, *args):
        self.touched = True
        return super().readline(*args)


@pytest.mark.parametrize("who", ["other_vhs", "observer", "anonymous"])
@pytest.mark.parametrize("tail", ["", "/eintragen"])
def test_a_request_the_user_may_not_make_is_refused_before_its_body_is_read(
    app, client, school, who, tail
):
    seminar = factories.seminar(vhs=school)
    if who == "other_vhs":
        _login(client, "vhs", vhs_id=factories.vhs().id)
    elif who == "observer":
        _login(client, "observer")
    boundary = "grenze"
    payload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="rows"\r\n\r\n'.encode()
        + b"x" * 1_500_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    body = _WatchedBody(payload)
    app.config["WTF_CSRF_ENABLED"] = True  # the check that reads the form first
    try:
        response = client.post(
            _url(seminar, tail),
            input_stream=body,
            content_length=len(payload),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (302, 403, 404), response.status_code
    assert not body.touched
    assert _registrations(seminar) == []
