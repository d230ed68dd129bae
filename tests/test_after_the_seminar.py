"""After the seminar: attendance from each seminar day on, in three states that look
different everywhere; the evidence that outlives the purge; the demo's finished seminar."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import rules
from app.core.formatting import date_long, date_short
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Attendance, Registration, Seminar, SeminarEvidence, TrainerKind
from app.services import funding
from app.services.attendance import NotYet, set_presence
from app.services.registrations import book_seat
from app.services.retention import purge
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import login_admin, text


def _people(seminar) -> list[Registration]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar.id)
            .order_by(Registration.id)
        )
    )


def _move(seminar, day1) -> None:
    """Move a seminar booked in advance to ``day1`` (day 2 the day after)."""
    seminar.day1, seminar.day2 = day1, day1 + timedelta(days=1)
    seminar.registration_deadline = day1 - timedelta(days=7)
    db.session.commit()


def _login_vhs(client, seminar):
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    assert factories.login(client, account).status_code == 303
    return account


# -- attendance from the seminar day on ----------------------------------------------------


def test_the_service_records_a_day_from_that_day_on_never_before(app):
    today = today_berlin()
    begins_today = factories.seminar()
    begins_tomorrow = factories.seminar()
    factories.fill(begins_today, 1)
    factories.fill(begins_tomorrow, 1, start=10)
    _move(begins_today, today)
    _move(begins_tomorrow, today + timedelta(days=1))
    (first,), (second,) = _people(begins_today), _people(begins_tomorrow)

    set_presence(first.id, 1, True, None, today=today)
    with pytest.raises(NotYet) as tomorrow:
        set_presence(first.id, 2, True, None, today=today)
    tomorrow_text = date_short(today + timedelta(days=1))
    assert tomorrow.value.message == (
        "Die Anwesenheit für den 2. Tag lässt sich erst ab dem Seminartag erfassen, "
        f"also ab dem {tomorrow_text}."
    )
    with pytest.raises(NotYet):
        set_presence(second.id, 1, True, None, today=today)
    # on the day itself it is allowed
    set_presence(second.id, 1, False, None, today=today + timedelta(days=1))

    recorded = {
        (a.registration_id, a.day): a.present for a in db.session.scalars(sa.select(Attendance))
    }
    assert recorded == {(first.id, 1): True, (second.id, 1): False}


def test_the_page_for_a_future_day_says_from_when_and_has_no_toggles(client, app):
    seminar = factories.seminar()
    factories.fill(seminar, 2)
    today = today_berlin()
    _move(seminar, today)
    _login_vhs(client, seminar)

    day1 = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/1").text
    assert 'name="present"' in day1
    assert "erst ab dem Seminartag" not in day1

    day2 = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/2").text
    assert 'name="present"' not in day2 and "<button" not in day2.split('id="attendance-list"')[1]
    assert (
        "Die Anwesenheit für den 2. Tag lässt sich erst ab dem Seminartag erfassen, "
        f"ab {date_long(today + timedelta(days=1))}." in text(day2)
    )

    # a post made anyway is refused with the reason, and nothing is recorded
    person = _people(seminar)[0]
    refused = client.post(f"/manage/anmeldungen/{person.id}/anwesenheit/2", data={"present": "1"})
    assert refused.status_code == 303
    page = text(client.get(refused.headers["Location"]).text)
    assert "lässt sich erst ab dem Seminartag erfassen" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


# -- three states, everywhere ----------------------------------------------------------------


@pytest.fixture
def three_states(app, client):
    """Yesterday's seminar: Arndt present, Brandt absent (set directly from "not
    recorded"), Claassen not recorded on day 1; nobody recorded on day 2."""
    seminar = factories.seminar()
    for n, name in enumerate(["Arndt", "Brandt", "Claassen"]):
        book_seat(seminar.id, factories.applicant(n, last_name=name))
    _move(seminar, today_berlin() - timedelta(days=1))
    _login_vhs(client, seminar)
    arndt, brandt, claassen = _people(seminar)
    url = "/manage/anmeldungen/{}/anwesenheit/1"
    assert client.post(url.format(arndt.id), data={"present": "1"}).status_code == 303
    # a person not yet recorded offers "als abwesend erfassen"
    page = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/1").text
    assert f'name="present" value="0" id="absent-{brandt.id}-1"' in page
    assert client.post(url.format(brandt.id), data={"present": "0"}).status_code == 303
    return seminar, arndt, brandt, claassen


def _item(page: str, person) -> str:
    return text(re.search(rf'<li id="person-{person.id}".*?</li>', page, re.DOTALL).group(0))


def test_the_attendance_page_shows_three_states_in_words(client, three_states):
    seminar, arndt, brandt, claassen = three_states
    page = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/1").text
    assert _item(page, arndt).endswith("✓ anwesend")
    assert "Als abwesend erfassen" not in _item(page, brandt)  # recorded already
    assert "✗ abwesend" in _item(page, brandt)
    assert "– nicht erfasst" in _item(page, claassen)
    assert "1 von 3 anwesend" in text(page)
    assert "1 abwesend, 1 noch nicht erfasst" in text(page)
    recorded = {
        a.registration_id: a.present
        for a in db.session.scalars(sa.select(Attendance).where(Attendance.day == 1))
    }
    assert recorded == {arndt.id: True, brandt.id: False}


def test_the_sign_in_sheet_shows_three_states(client, three_states):
    seminar = three_states[0]
    page = client.get(f"/manage/seminare/{seminar.id}/unterschriften/1").text
    rows = dict(
        re.findall(
            r"<tr><td>\d+</td><td>([^<]+)</td><td>[^<]+</td><td>[^<]*</td>"
            r'<td class="attendance-state">([^<]*)</td>',
            page,
        )
    )
    assert rows == {
        "Arndt": "✓ anwesend",
        "Brandt": "✗ abwesend",
        "Claassen": "– nicht erfasst",
    }


def test_the_exports_show_three_states(client, three_states):
    seminar = three_states[0]
    response = client.get(f"/manage/seminare/{seminar.id}/teilnehmende.csv")
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    days = header.index("Anwesenheit Tag 1"), header.index("Anwesenheit Tag 2")
    csv_states = {row[0]: (row[days[0]], row[days[1]]) for row in rows}
    expected = {
        "Arndt": ("anwesend", "nicht erfasst"),
        "Brandt": ("abwesend", "nicht erfasst"),
        "Claassen": ("nicht erfasst", "nicht erfasst"),
    }
    assert csv_states == expected

    xlsx = client.get(f"/manage/seminare/{seminar.id}/teilnehmende.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert {row[0]: (row[days[0]], row[days[1]]) for row in values[1:]} == expected


# -- the purge keeps the evidence -----------------------------------------------------------


def _csv_rows(client) -> dict[str, dict[str, str]]:
    body = client.get("/manage/admin/foerderung.csv").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_funding_overview_shows_the_same_numbers_before_and_after_the_purge(client, app):
    seminar = factories.seminar()
    factories.fill(seminar, 9)
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (factories.trainer("adult_educator").id, 45_00),
            TrainerKind.COUNCIL_FIELD: (
                factories.trainer("council_field", name="Cem Rat").id,
                80_00,
            ),
        },
    )
    # it ended 13 months ago; 7 were present on day 1, 6 on day 2, one absent
    _move(seminar, today_berlin() - timedelta(days=400))
    people = _people(seminar)
    for n, person in enumerate(people[:7]):
        set_presence(person.id, 1, True, None)
        set_presence(person.id, 2, n < 6, None)
    recent = factories.seminar()
    factories.fill(recent, 8, start=100)
    login_admin(client)

    before = funding.overview()
    before_csv = _csv_rows(client)
    (line,) = [li for li in before.lines if li.seminar.id == seminar.id]
    assert line.frozen_at is None
    assert line.figures == (
        9,
        rules.seminar_funding(seminar.programme.rules, 9, [45_00, 80_00]),
        (7, 6),
        7,
    )

    done = purge(today_berlin(), 12)
    assert (done["frozen"], done["registrations"]) == (1, 9)
    db.session.expire_all()
    assert _people(seminar) == []

    after = funding.overview()
    (frozen,) = [li for li in after.lines if li.seminar.id == seminar.id]
    assert frozen.figures == line.figures
    assert [li.figures for li in after.lines] == [li.figures for li in before.lines]
    assert after.totals == before.totals
    assert frozen.frozen_on == today_berlin()
    assert [t.name for t in frozen.unfunded] == ["Cem Rat"]

    after_csv = _csv_rows(client)
    marker = f"eingefroren am {date_short(today_berlin())}"
    assert before_csv[str(seminar.id)]["Stand der Zahlen"] == "laufend"
    assert after_csv[str(seminar.id)]["Stand der Zahlen"] == marker
    before_csv[str(seminar.id)].pop("Stand der Zahlen")
    after_csv[str(seminar.id)].pop("Stand der Zahlen")
    assert after_csv == before_csv
    assert after_csv[str(seminar.id)]["Anwesend Tag 1"] == "7"
    assert after_csv[str(seminar.id)]["Nicht gefördert"] == "Cem Rat"

    page = text(client.get("/manage/admin/foerderung").text)
    assert marker in page
    assert "9 1 900,00 € 45,00 € 108,00 € 1.053,00 €" in page
    detail = text(client.get(f"/manage/admin/seminare/{seminar.id}").text)
    assert marker in detail and "Honorare 900,00 €" in detail

    evidence = db.session.get(SeminarEvidence, seminar.id)
    assert (evidence.confirmed_at_start, evidence.attended_day1, evidence.attended_day2) == (
        9,
        7,
        6,
    )
    assert (evidence.trainers_assigned, evidence.trainers_funded) == (2, 1)
    assert (evidence.trainer_fees_cents, evidence.travel_cents, evidence.catering_cents) == (
        900_00,
        45_00,
        108_00,
    )

    # a second purge changes nothing of it
    purge(today_berlin(), 12)
    db.session.expire_all()
    assert funding.overview().totals == before.totals


# -- the demo's finished seminar ------------------------------------------------------------


def test_the_demo_holds_a_finished_seminar_with_attendance_on_both_days(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    today = today_berlin()
    (finished,) = db.session.scalars(sa.select(Seminar).where(Seminar.day2 < today)).all()
    assert finished.state == "published"
    assert finished.programme.period_start <= finished.day1
    rows = db.session.execute(
        sa.select(Attendance.day, Attendance.present)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.seminar_id == finished.id)
    ).all()
    for day in (1, 2):
        states = [present for d, present in rows if d == day]
        assert states and sum(states) > len(states) / 2, day
    assert not all(present for _day, present in rows)  # a few were absent
