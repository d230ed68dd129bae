"""The organisers' pages: dashboard, participants, audit log, attendance, room needs,
sign-in sheets."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.formatting import date_long
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Attendance, Registration, RegistrationState, SeminarState, TrainerKind
from app.services.registrations import book_seat, cancel_registration
from app.services.trainers import set_tandem
from tests import factories

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationState.CONFIRMED,
    RegistrationState.WAITLISTED,
    RegistrationState.CANCELLED,
)


# -- helpers -----------------------------------------------------------------------


def _login(client, role: str, **scope):
    account = factories.user(role, **scope)
    assert factories.login(client, account).status_code == 303
    return account


def _book(seminar, last_name, first_name="Alex", town="Köln", email=None):
    if email is None:
        local = re.sub(r"\W", "", f"{last_name}.{first_name}".casefold(), flags=re.ASCII)
        email = f"{local}@example.org"
    return book_seat(
        seminar.id,
        factories.applicant(last_name=last_name, first_name=first_name, town=town, email=email),
    )


def _registrations(seminar) -> list[Registration]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar.id)
            .order_by(Registration.id)
        )
    )


def _state_of(registration) -> RegistrationState:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).state


def _text(fragment: str) -> str:
    """Visible text: tags dropped, entities decoded, spaces collapsed."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", plain).strip()


def _follow(client, response):
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"])


def _flashes(page) -> str:
    match = re.search(r'<div class="flashes"[^>]*>(.*?)</div>', page.text, re.DOTALL)
    return _text(match.group(1)) if match else ""


def _field_error(page, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', page.text, re.DOTALL)
    return _text(match.group(1))


# -- dashboard ---------------------------------------------------------------------


@pytest.fixture
def school(app):
    return factories.vhs(name="Volkshochschule Bochum")


def _dashboard_rows(text: str) -> dict[int, str]:
    body = text.split('<tbody id="dashboard-rows"', 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        found = re.search(r'href="/manage/seminare/(\d+)"', row)
        if found:
            rows[int(found.group(1))] = row
    return rows


def _cell(row: str, label: str) -> str:
    return _text(re.search(rf'data-label="{label}">(.*?)</t[dh]>', row, re.DOTALL).group(1))


def test_dashboard_lists_the_seminars_in_scope_with_counts_and_funding_state(client, school):
    seven = factories.seminar(vhs=school, capacity=20)
    factories.fill(seven, 8)
    first = _registrations(seven)[0]
    cancel_registration(first.id)
    eight = factories.seminar(vhs=school, capacity=20)
    factories.fill(eight, 8)
    twelve = factories.seminar(vhs=school, capacity=20)
    factories.fill(twelve, 12)
    full = factories.seminar(vhs=school, capacity=10)
    factories.fill(full, 12)
    elsewhere = factories.seminar(capacity=20)
    factories.fill(elsewhere, 3)

    _login(client, "vhs", vhs_id=school.id)
    response = client.get("/manage/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = _dashboard_rows(response.text)
    assert set(rows) == {seven.id, eight.id, twelve.id, full.id}

    expected = {
        seven.id: ("7 von 20", "0", "1", "es fehlt 1 Anmeldung"),
        eight.id: ("8 von 20", "0", "0", "1 Trainer*in gefördert"),
        twelve.id: ("12 von 20", "0", "0", "2 Trainer*innen gefördert"),
        full.id: ("10 von 10", "2", "0", "Ausgebucht"),
    }
    for seminar_id, (confirmed, waitlisted, cancelled, state) in expected.items():
        row = rows[seminar_id]
        assert _cell(row, "Bestätigt") == confirmed
        assert _cell(row, "Warteliste") == waitlisted
        assert _cell(row, "Storniert") == cancelled
        assert state in _cell(row, "Stand")
    assert "Unter Mindestzahl" in _cell(rows[seven.id], "Stand")
    assert "Findet statt" in _cell(rows[eight.id], "Stand")
    assert "es fehlen" not in _cell(rows[eight.id], "Stand")


def test_contact_person_sees_the_seminars_hosted_for_their_council(client, school):
    council = factories.council(town="Herne")
    hosted = factories.seminar(vhs=school, councils=[council])
    factories.seminar(vhs=school)
    _login(client, "contact", council_id=council.id)
    rows = _dashboard_rows(client.get("/manage/").text)
    assert set(rows) == {hosted.id}


def test_dashboard_poll_returns_only_the_rows_and_304_while_unchanged(client, school, htmx):
    seminar = factories.seminar(vhs=school, capacity=20)
    factories.fill(seminar, 2)
    _login(client, "vhs", vhs_id=school.id)

    fragment = client.get("/manage/", headers=htmx)
    assert fragment.status_code == 200
    assert fragment.text.startswith('<tbody id="dashboard-rows"')
    assert "<html" not in fragment.text
    assert 'hx-trigger="every 10s"' in fragment.text
    assert 'hx-get="/manage/"' in fragment.text
    etag = fragment.headers["ETag"]

    unchanged = client.get("/manage/", headers={**htmx, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""

    factories.fill(seminar, 1, start=50)
    changed = client.get("/manage/", headers={**htmx, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert _cell(_dashboard_rows(changed.text)[seminar.id], "Bestätigt") == "3 von 20"


# -- participants ----------------------------------------------------------------------


@pytest.fixture
def listed(app, school):
    """Three confirmed, one waitlisted and one cancelled person."""
    seminar = factories.seminar(vhs=school, capacity=3)
    people = {
        "schmidt": _book(seminar, "Schmidt", "Jonas", "Köln"),
        "nguyen": _book(seminar, "Nguyễn", "Thị Lan", "Essen"),
        "mueller": _book(seminar, "Müller", "Jörg", "Köln"),
        "yilmaz": _book(seminar, "Yılmaz", "Ayşe", "Bochum"),
        "weber": _book(seminar, "Weber", "Tina", "Köln"),
    }
    cancel_registration(people["weber"].id)
    return seminar, people


def _sections(text: str) -> dict[str, str]:
    """Caption word ('Bestätigt', 'Warteliste', 'Storniert') -> that table's HTML."""
    tables = re.findall(r'<table class="table-cards">(.*?)</table>', text, re.DOTALL)
    result = {}
    for table in tables:
        caption = _text(re.search(r"<caption>(.*?)</caption>", table, re.DOTALL).group(1))
        result[caption.split(" (")[0]] = table
    return result


def _names_in(table: str) -> list[str]:
    return [_text(name) for name in re.findall(r'data-label="Name">(.*?)</th>', table)]


def test_participant_page_lists_confirmed_waitlisted_and_cancelled(client, listed, school):
    seminar, _people = listed
    _login(client, "vhs", vhs_id=school.id)
    response = client.get(f"/manage/seminare/{seminar.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sections = _sections(response.text)
    assert _names_in(sections["Bestätigt"]) == ["Schmidt", "Nguyễn", "Müller"]
    assert _names_in(sections["Warteliste"]) == ["Yılmaz"]
    assert _names_in(sections["Storniert"]) == ["Weber"]
    assert "<caption>Bestätigt (3)</caption>" in response.text
    assert "3 von 3 Plätzen belegt · Warteliste: 1" in _text(response.text)


@pytest.mark.parametrize(
    ("needle", "confirmed", "waitlisted", "cancelled"),
    [
        ("köln", ["Schmidt", "Müller"], [], ["Weber"]),
        ("KOELN", ["Schmidt", "Müller"], [], ["Weber"]),
        ("nguyen", ["Nguyễn"], [], []),
        ("mueller jörg", ["Müller"], [], []),
        ("ayse bochum", [], ["Yılmaz"], []),
        ("jonas köln", ["Schmidt"], [], []),
        ("niemand", [], [], []),
    ],
)
def test_participant_search_by_name_or_town(
    client, listed, school, htmx, needle, confirmed, waitlisted, cancelled
):
    seminar, _people = listed
    _login(client, "vhs", vhs_id=school.id)
    page = client.get(f"/manage/seminare/{seminar.id}", query_string={"q": needle})
    fragment = client.get(
        f"/manage/seminare/{seminar.id}", query_string={"q": needle}, headers=htmx
    )
    assert "<html" in page.text
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Teilnehmende hinzufügen" not in fragment.text
    assert fragment.headers["Cache-Control"] == "no-store"
    for response in (page, fragment):
        sections = _sections(response.text)
        assert _names_in(sections["Bestätigt"]) == confirmed
        assert _names_in(sections["Warteliste"]) == waitlisted
        assert _names_in(sections["Storniert"]) == cancelled
    if not (confirmed or waitlisted or cancelled):
        assert "Niemand passt zur Suche." in fragment.text


def _add(client, seminar, **data):
    values = {"last_name": "Muster", "first_name": "Alex", "town": "Köln", "email": ""}
    values.update(data)
    return client.post(f"/manage/seminare/{seminar.id}/teilnehmende", data=values)


def test_adding_a_participant_confirms_while_free_then_waitlists(client, school):
    seminar = factories.seminar(vhs=school, capacity=1)
    _login(client, "vhs", vhs_id=school.id)

    first = _add(client, seminar, last_name="Adler", first_name="Ida", email="ida@example.org")
    assert first.headers["Location"] == f"/manage/seminare/{seminar.id}"
    assert first.headers["Cache-Control"] == "no-store"
    page = _follow(client, first)
    assert "Ida Adler ist angemeldet (Platz bestätigt)." in _flashes(page)

    second = _add(client, seminar, last_name="Berg", first_name="Ole", email="ole@example.org")
    page = _follow(client, second)
    assert "Ole Berg steht auf der Warteliste." in _flashes(page)
    sections = _sections(page.text)
    assert _names_in(sections["Bestätigt"]) == ["Adler"]
    assert _names_in(sections["Warteliste"]) == ["Berg"]
    assert [r.state for r in _registrations(seminar)] == [CONFIRMED, WAITLISTED]


def test_adding_a_known_address_in_other_case_is_refused_at_the_field(client, school):
    seminar = factories.seminar(vhs=school, capacity=5)
    _book(seminar, "Adler", "Ida", email="ida.adler@example.org")
    _login(client, "vhs", vhs_id=school.id)
    response = _add(
        client, seminar, last_name="Adler", first_name="Ida", email="Ida.Adler@EXAMPLE.org"
    )
    assert response.status_code == 422
    assert _field_error(response, "email") == (
        "Diese E-Mail-Adresse ist für dieses Seminar bereits angemeldet."
    )
    assert len(_registrations(seminar)) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Bitte geben Sie den Vornamen an."),
        ({"last_name": "  "}, "last_name", "Bitte geben Sie den Namen an."),
        ({"town": ""}, "town", "Bitte geben Sie den Ort an."),
        ({"email": "kein-at-zeichen"}, "email", "Bitte geben Sie eine gültige E-Mail-Adresse an"),
        ({"last_name": "<b>Fett</b>"}, "last_name", "Bitte keine spitzen Klammern"),
        ({"last_name": "=1+1"}, "last_name", "Tabellenprogramme würden den Eintrag als Formel"),
        ({"first_name": "@SUM(A1)"}, "first_name", "als Formel lesen"),
        ({"town": "+49 211"}, "town", "als Formel lesen"),
        ({"town": "59065"}, "town", "nicht die Postleitzahl"),
    ],
)
def test_bad_participant_input_keeps_what_was_typed(client, school, data, field, message):
    seminar = factories.seminar(vhs=school)
    _login(client, "vhs", vhs_id=school.id)
    typed = {
        "last_name": "Becker",
        "first_name": "Paula",
        "town": "Hamm",
        "email": "paula@example.org",
    }
    typed.update(data)
    response = _add(client, seminar, **typed)
    assert response.status_code == 422
    assert message in _field_error(response, field)
    assert 'aria-invalid="true"' in response.text
    for name, value in typed.items():
        if name != field:
            assert f'value="{value}"' in response.text, name
    if typed[field].strip():  # kept as typed, shown as text
        assert f'value="{html.escape(typed[field])}"' in response.text
    assert _registrations(seminar) == []


def test_no_participants_can_be_added_to_a_cancelled_seminar(client, school):
    seminar = factories.seminar(vhs=school, state=SeminarState.CANCELLED)
    _login(client, "vhs", vhs_id=school.id)
    response = _add(client, seminar, email="spaet@example.org")
    assert response.status_code == 409
    assert "Das Seminar ist abgesagt." in response.text
    assert _registrations(seminar) == []


@pytest.fixture
def full_with_queue(app, school):
    """Capacity 2: Anna and Bert confirmed, Carla then Dora on the waiting list."""
    seminar = factories.seminar(vhs=school, capacity=2)
    people = [
        _book(seminar, "Arndt", "Anna"),
        _book(seminar, "Brandt", "Bert"),
        _book(seminar, "Claassen", "Carla"),
        _book(seminar, "Dorn", "Dora"),
    ]
    return seminar, people


def test_cancelling_a_confirmed_person_moves_the_first_waitlisted_up_once(
    client, school, full_with_queue
):
    _seminar, (anna, bert, carla, dora) = full_with_queue
    _login(client, "vhs", vhs_id=school.id)
    page = _follow(client, client.post(f"/manage/anmeldungen/{anna.id}/stornieren"))
    assert _flashes(page) == (
        "Die Anmeldung von Anna Arndt ist storniert. "
        "Von der Warteliste nachgerückt: Carla Claassen."
    )
    assert [_state_of(p) for p in (anna, bert, carla, dora)] == [
        CANCELLED,
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
    ]
    sections = _sections(page.text)
    assert _names_in(sections["Warteliste"]) == ["Dorn"]
    assert _names_in(sections["Storniert"]) == ["Arndt"]

    again = _follow(client, client.post(f"/manage/anmeldungen/{anna.id}/stornieren"))
    assert _flashes(again) == "Die Anmeldung von Anna Arndt ist storniert."
    assert _state_of(dora) == WAITLISTED


def test_move_up_by_hand_only_when_a_place_is_free(client, school, full_with_queue):
    seminar, (_anna, bert, carla, dora) = full_with_queue
    _login(client, "vhs", vhs_id=school.id)
    assert "Nachrücken lassen" not in client.get(f"/manage/seminare/{seminar.id}").text

    refused = _follow(client, client.post(f"/manage/anmeldungen/{dora.id}/nachruecken"))
    assert "Es ist kein Platz frei" in _flashes(refused)
    assert (_state_of(carla), _state_of(dora)) == (WAITLISTED, WAITLISTED)

    seminar.capacity = 3
    db.session.commit()
    assert "Nachrücken lassen" in client.get(f"/manage/seminare/{seminar.id}").text

    moved = _follow(client, client.post(f"/manage/anmeldungen/{dora.id}/nachruecken"))
    assert _flashes(moved) == "Dora Dorn ist nachgerückt (Platz bestätigt)."
    assert (_state_of(carla), _state_of(dora)) == (WAITLISTED, CONFIRMED)

    full_again = _follow(client, client.post(f"/manage/anmeldungen/{carla.id}/nachruecken"))
    assert "Es ist kein Platz frei" in _flashes(full_again)
    assert _state_of(carla) == WAITLISTED

    not_waiting = _follow(client, client.post(f"/manage/anmeldungen/{bert.id}/nachruecken"))
    assert _flashes(not_waiting) == "Diese Person steht nicht (mehr) auf der Warteliste."
    assert _state_of(bert) == CONFIRMED


# -- audit log --------------------------------------------------------------------------


def _audit_rows(text: str) -> list[tuple[str, str, str]]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        if 'data-label="Wer"' in row:
            rows.append((_cell(row, "Wer"), _cell(row, "Was"), _cell(row, "Anmeldung")))
    return rows


def test_every_change_appears_in_the_audit_log_with_who_and_what(app, client, school):
    seminar = factories.seminar(vhs=school, capacity=1)
    self_registered = _book(seminar, "Selbst", "Sina")
    waiting = _book(seminar, "Warte", "Wim")
    organiser = _login(client, "vhs", vhs_id=school.id)

    _add(client, seminar, last_name="Telefon", first_name="Tara", email="tara@example.org")
    client.post(f"/manage/anmeldungen/{self_registered.id}/stornieren")  # Wim moves up
    _under_way(seminar)  # attendance is recorded from the seminar day on
    client.post(f"/manage/anmeldungen/{waiting.id}/anwesenheit/1", data={"present": "1"})
    seminar.capacity = 2
    db.session.commit()
    tara = next(r for r in _registrations(seminar) if r.last_name == "Telefon")
    client.post(f"/manage/anmeldungen/{tara.id}/nachruecken")

    for role in ("vhs", "contact"):
        scope = {"vhs_id": school.id} if role == "vhs" else {"council_id": factories.council().id}
        other = app.test_client()
        _login(other, role, **scope)
        denied = other.get("/manage/admin/protokoll")
        assert denied.status_code == 403
        assert "Kein Zugriff" in denied.text

    admin = app.test_client()
    _login(admin, "admin")
    log = admin.get("/manage/admin/protokoll")
    assert log.status_code == 200
    assert log.headers["Cache-Control"] == "no-store"
    rows = _audit_rows(log.text)
    by_hand = organiser.email
    expected = [
        ("Teilnehmende*r selbst", "selbst angemeldet", "Selbst, Sina"),
        ("Teilnehmende*r selbst", "selbst angemeldet", "Warte, Wim"),
        (by_hand, "hinzugefügt", "Telefon, Tara"),
        (by_hand, "storniert", "Selbst, Sina"),
        (by_hand, "nachgerückt", "Warte, Wim"),
        (by_hand, "Anwesenheit", "Warte, Wim"),
        (by_hand, "von Hand nachgerückt", "Telefon, Tara"),
    ]
    assert len(rows) == len(expected)
    for who, what, whom in expected:
        assert any(row[0] == who and row[1].startswith(what) and row[2] == whom for row in rows), (
            who,
            what,
            whom,
            rows,
        )
    # newest first
    assert rows[0][1].startswith("von Hand nachgerückt")


# -- attendance ---------------------------------------------------------------------------


def _under_way(seminar) -> None:
    """Move a seminar booked in advance to yesterday and today: attendance can be
    recorded on both days (from each day on, never before)."""
    today = today_berlin()
    seminar.day1, seminar.day2 = today - timedelta(days=1), today
    seminar.registration_deadline = today - timedelta(days=2)
    db.session.commit()


@pytest.fixture
def day_list(app, school):
    """Capacity 3: three confirmed, one waitlisted; hosted for a council; day 1 was
    yesterday, day 2 is today."""
    council = factories.council(town="Gelsenkirchen")
    seminar = factories.seminar(vhs=school, capacity=3, councils=[council])
    people = [
        _book(seminar, "Arndt", "Anna"),
        _book(seminar, "Brandt", "Bert"),
        _book(seminar, "Claassen", "Carla"),
        _book(seminar, "Dorn", "Dora"),
    ]
    _under_way(seminar)
    return seminar, council, people


def _person(text: str, registration) -> str:
    return re.search(rf'<li id="person-{registration.id}".*?</li>', text, re.DOTALL).group(0)


def _count(text: str) -> str:
    return _text(re.search(r'<p id="present-count".*?</p>', text, re.DOTALL).group(0))


def test_attendance_page_lists_confirmed_people_not_yet_present(client, school, day_list):
    seminar, _council, (anna, bert, carla, dora) = day_list
    _login(client, "vhs", vhs_id=school.id)
    page = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/1")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    for person in (anna, bert, carla):
        assert 'aria-pressed="false"' in _person(page.text, person)
    assert f'id="person-{dora.id}"' not in page.text
    assert _count(page.text) == "0 von 3 anwesend"


def test_toggling_attendance_without_javascript_redirects_back(client, school, day_list):
    seminar, _council, (anna, bert, _carla, _dora) = day_list
    _login(client, "vhs", vhs_id=school.id)
    response = client.post(f"/manage/anmeldungen/{bert.id}/anwesenheit/1", data={"present": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/manage/seminare/{seminar.id}/anwesenheit/1#person-{bert.id}"
    )
    page = client.get(response.headers["Location"])
    assert 'aria-pressed="true"' in _person(page.text, bert)
    assert "anwesend" in _text(_person(page.text, bert))
    assert 'aria-pressed="false"' in _person(page.text, anna)
    assert _count(page.text) == "1 von 3 anwesend"
    # day 2 is a separate list
    day2 = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/2")
    assert _count(day2.text) == "0 von 3 anwesend"

    client.post(f"/manage/anmeldungen/{bert.id}/anwesenheit/1", data={"present": "0"})
    page = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/1")
    assert 'aria-pressed="false"' in _person(page.text, bert)
    assert _count(page.text) == "0 von 3 anwesend"


def test_toggling_attendance_with_htmx_answers_the_item_and_the_count(
    client, school, day_list, htmx
):
    _seminar, _council, (anna, bert, _carla, _dora) = day_list
    _login(client, "vhs", vhs_id=school.id)
    client.post(f"/manage/anmeldungen/{anna.id}/anwesenheit/1", data={"present": "1"})
    response = client.post(
        f"/manage/anmeldungen/{bert.id}/anwesenheit/1", data={"present": "1"}, headers=htmx
    )
    assert response.status_code == 200
    assert response.text.startswith(f'<li id="person-{bert.id}"')
    assert "<html" not in response.text
    assert 'aria-pressed="true"' in _person(response.text, bert)
    assert f'id="person-{anna.id}"' not in response.text
    assert re.search(r'<p id="present-count"[^>]*hx-swap-oob="true"', response.text)
    assert _count(response.text) == "2 von 3 anwesend"
    # the next press on the person marks them absent, explicitly
    assert re.search(
        rf'<button type="submit" name="present" value="0" id="toggle-{bert.id}-1"', response.text
    )


def test_waitlisted_people_cannot_be_marked_and_day_three_does_not_exist(client, school, day_list):
    seminar, _council, (anna, _bert, _carla, dora) = day_list
    _login(client, "vhs", vhs_id=school.id)
    refused = client.post(f"/manage/anmeldungen/{dora.id}/anwesenheit/1", data={"present": "1"})
    assert refused.status_code == 409
    assert client.get(f"/manage/seminare/{seminar.id}/anwesenheit/3").status_code == 404
    no_day = client.post(f"/manage/anmeldungen/{anna.id}/anwesenheit/3", data={"present": "1"})
    assert no_day.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_vhs_and_contact_person_can_both_record_attendance(app, school, day_list):
    seminar, council, (anna, bert, _carla, _dora) = day_list
    vhs_client, contact_client = app.test_client(), app.test_client()
    vhs_user = _login(vhs_client, "vhs", vhs_id=school.id)
    contact = _login(contact_client, "contact", council_id=council.id)

    url = "/manage/anmeldungen/{}/anwesenheit/2"
    assert vhs_client.post(url.format(anna.id), data={"present": "1"}).status_code == 303
    assert contact_client.post(url.format(bert.id), data={"present": "1"}).status_code == 303

    db.session.expire_all()
    recorded = {
        a.registration_id: (a.day, a.present, a.recorded_by_id)
        for a in db.session.scalars(sa.select(Attendance))
    }
    assert recorded == {anna.id: (2, True, vhs_user.id), bert.id: (2, True, contact.id)}
    page = contact_client.get(f"/manage/seminare/{seminar.id}/anwesenheit/2")
    assert _count(page.text) == "2 von 3 anwesend"


# -- room needs and sign-in sheets -----------------------------------------------------------


def _needs(text: str) -> list[list[str]]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def _budget(text: str) -> str:
    match = re.search(r"<dt>Verpflegungsbudget für das Seminar</dt><dd>(.*?)</dd>", text)
    return _text(match.group(1))


# the trainers in the room are those assigned, funded or not (rule 5); before anyone is
# assigned, the tandem of two
@pytest.mark.parametrize(
    ("confirmed", "assigned", "trainers", "budget"),
    [
        (7, 0, 2, "84,00 € (7 Teilnehmende × 12,00 €)"),
        (8, 2, 2, "96,00 € (8 Teilnehmende × 12,00 €)"),
        (12, 1, 1, "144,00 € (12 Teilnehmende × 12,00 €)"),
    ],
)
def test_room_needs_numbers(client, school, confirmed, assigned, trainers, budget):
    seminar = factories.seminar(vhs=school, capacity=20)
    factories.fill(seminar, confirmed)
    kinds = [TrainerKind.ADULT_EDUCATOR, TrainerKind.COUNCIL_FIELD][:assigned]
    set_tandem(seminar.id, {kind: (factories.trainer(kind.value).id, 0) for kind in kinds})
    _login(client, "vhs", vhs_id=school.id)
    page = client.get(f"/manage/seminare/{seminar.id}/raumbedarf")
    assert page.status_code == 200
    rows = _needs(page.text)
    assert len(rows) == 2  # both seminar days
    people = confirmed + trainers
    for row in rows:
        assert row[0] == "9:00–17:00 Uhr"
        assert row[1:5] == [str(confirmed), str(trainers), str(people), f"{people} Personen"]
    assert _budget(page.text) == budget


def test_room_needs_show_what_changed_since_the_last_visit(app, client, school):
    seminar = factories.seminar(vhs=school, capacity=20)
    factories.fill(seminar, 8)
    set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 0)})
    _login(client, "vhs", vhs_id=school.id)
    url = f"/manage/seminare/{seminar.id}/raumbedarf"

    first = client.get(url)
    assert "Änderungen seit Ihrem letzten Besuch" not in first.text

    factories.fill(seminar, 1, start=100)
    second = _text(client.get(url).text)
    assert "Änderungen seit Ihrem letzten Besuch" in second
    assert "Teilnehmende: 8 → 9" in second
    assert "Personen im Raum: 9 → 10" in second
    assert "Verpflegung für Personen: 9 → 10" in second
    assert "Trainer*innen:" not in second  # still one trainer

    third = _text(client.get(url).text)
    assert "Änderungen seit Ihrem letzten Besuch" in third
    assert "Keine Änderungen." in third and "Teilnehmende: 8 → 9" not in third

    # what one person saw says nothing about another
    other = app.test_client()
    _login(other, "admin")
    assert "Änderungen seit Ihrem letzten Besuch" not in other.get(url).text


def _sheet_names(text: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(last), html.unescape(first))
        for last, first in re.findall(
            r"<tr><td>\d+</td><td>([^<]+)</td><td>([^<]+)</td><td>[^<]*</td>"
            r'<td class="attendance-state">[^<]*</td><td class="signature"></td></tr>',
            text,
        )
    ]


def test_sign_in_sheet_lists_confirmed_people_by_name(client, school):
    seminar = factories.seminar(vhs=school, capacity=4)
    for last, first in [("Zimmermann", "Anna"), ("becker", "paul"), ("Adler", "Jan")]:
        _book(seminar, last, first)
    _book(seminar, "Becker", "Anna")
    _book(seminar, "Aal", "Waltraud")  # waiting list
    cancelled = _book(seminar, "Abel", "Kurt")  # waiting list, then cancelled
    cancel_registration(cancelled.id)
    _login(client, "vhs", vhs_id=school.id)

    page = client.get(f"/manage/seminare/{seminar.id}/unterschriften/1")
    assert page.status_code == 200
    assert _sheet_names(page.text) == [
        ("Adler", "Jan"),
        ("Becker", "Anna"),
        ("becker", "paul"),
        ("Zimmermann", "Anna"),
    ]
    assert '<th scope="col" class="signature">Unterschrift</th>' in page.text
    header = _text(page.text.split('<header class="sheet-header">', 1)[1].split("</header>")[0])
    assert "Unterschriftenliste – 1. Seminartag" in header
    assert "Basismodul: Lebenswelt und Handlungsfeld Kommune" in header
    assert f"{date_long(seminar.day1)}, 9:00–17:00 Uhr" in header
    assert "Volkshochschule Bochum" in header
    assert re.search(
        r'<link rel="stylesheet" href="/static/css/print\.css\?v=[0-9a-f]{10}">', page.text
    )
    stylesheet = client.get("/static/css/print.css")
    assert stylesheet.status_code == 200
    stylesheet.close()

    day2 = client.get(f"/manage/seminare/{seminar.id}/unterschriften/2")
    assert "Unterschriftenliste – 2. Seminartag" in day2.text
    assert date_long(seminar.day2) in _text(day2.text)
    assert client.get(f"/manage/seminare/{seminar.id}/unterschriften/3").status_code == 404
