"""Rule 10 (two different days of eight hours, places between minimum and maximum) and
telling people about changes: mails with updated calendar files when dates, times or
place change, calendar cancellations when a registration or the seminar is cancelled."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.extensions import db
from app.models import OutboxMail, RegistrationState, Seminar, SeminarState
from app.services import registrations as registration_service
from app.services import seminars as seminar_service
from app.services.outbox import build_message
from tests import factories
from tests.admin_helpers import login_admin, mails, registrations, seminar_form, text

CONFIRMED = RegistrationState.CONFIRMED
WAITLISTED = RegistrationState.WAITLISTED


@pytest.fixture
def programme(app):
    return factories.programme(title="Reihe 2025–2026")


@pytest.fixture
def admin(client):
    return login_admin(client)


def _seminar(seminar_id: int) -> Seminar:
    db.session.expire_all()
    return db.session.get(Seminar, seminar_id)


def _data(seminar: Seminar, **changes) -> seminar_service.SeminarData:
    values = {
        name: getattr(seminar, name)
        for name in seminar_service.SeminarData.__dataclass_fields__
        if name != "council_ids"
    }
    values.update(changes)
    return seminar_service.SeminarData(**values)


def _events(ics: str) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(ics)
    return calendar, sorted(calendar.walk("VEVENT"), key=lambda e: str(e["UID"]))


def _mail_for(kind: str, registration_id: int) -> OutboxMail:
    return next(m for m in mails(kind) if m.registration_id == registration_id)


# -- rule 10: two different days, eight hours, places between minimum and maximum -----


def test_the_service_refuses_the_same_day_twice_under_the_lock(app):
    seminar = factories.seminar()
    same_day = _data(seminar, day2=seminar.day1)

    with pytest.raises(seminar_service.RulesBroken) as refused:
        seminar_service.update_seminar(seminar.id, same_day, seminar.capacity)

    assert "zwei verschiedene Tage" in refused.value.errors["day2"]
    assert _seminar(seminar.id).day2 == seminar.day1 + timedelta(days=1)


def test_the_service_refuses_places_below_the_programme_minimum(app):
    seminar = factories.seminar(state=SeminarState.DRAFT)
    with pytest.raises(seminar_service.RulesBroken) as refused:
        seminar_service.create_seminar(_data(seminar, module=2), 7)
    assert refused.value.errors["capacity"] == (
        "Bitte geben Sie zwischen 8 und 20 Plätze an (Mindest- und Höchstzahl des Programms)."
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) == 1


def test_a_short_day_is_saved_with_a_warning_everywhere_it_matters(client, admin, programme):
    data = seminar_form(programme, factories.vhs(), day1_starts="09:00", day1_ends="15:00")

    form_page = client.post("/manage/admin/seminare/neu", data=dict(data, capacity="5"))
    assert form_page.status_code == 422  # refused for the places: the warning shows already
    assert "Der 1. Tag dauert nur 6 Stunden." in text(form_page.text)

    response = client.post("/manage/admin/seminare/neu", data=data)

    assert response.status_code == 303
    seminar = db.session.scalars(sa.select(Seminar)).one()
    assert (seminar.day1_starts, seminar.day1_ends) == (time(9), time(15))
    warning = (
        "Der 1. Tag dauert nur 6 Stunden. Ein Seminartag ist mit 8 Stunden geplant, "
        "und das Honorar ist für 8 Stunden berechnet."
    )
    after_saving = text(client.get(response.headers["Location"]).text)
    assert after_saving.count(warning) == 2  # the notice after saving, and the page's own
    assert text(client.get(f"/manage/admin/seminare/{seminar.id}").text).count(warning) == 1
    edit = text(client.get(f"/manage/admin/seminare/{seminar.id}/bearbeiten").text)
    assert warning in edit
    assert "Der 2. Tag dauert" not in edit


def test_seminars_that_break_rule_10_are_listed_on_the_admin_home_unchanged(client, admin):
    programme = factories.programme()
    ahead = date.today() + timedelta(days=40)
    same_day = factories.seminar(programme=programme, day1=ahead, day2=ahead)
    short = factories.seminar(programme=programme, day1=ahead, day2_ends=time(13, 30))
    small = factories.seminar(programme=programme, day1=ahead, capacity=5)
    fine = factories.seminar(programme=programme, day1=ahead)
    gone = factories.seminar(programme=programme, day1=ahead, capacity=3)
    seminar_service.cancel_seminar(gone.id)

    home = text(client.get("/manage/admin/").text)

    section = home.split("Seminare außerhalb der Regeln")[1].split("Hinweise zu Trainer*innen")[0]
    assert f"(Nr. {same_day.id}," in section and "zwei verschiedene Tage" in section
    assert (
        f"(Nr. {short.id}," in section and "Der 2. Tag dauert nur 4 Stunden 30 Minuten" in section
    )
    assert f"(Nr. {small.id}," in section
    assert "Das Seminar hat 5 Plätze; das Programm sieht 8 bis 20 Plätze vor." in section
    assert f"(Nr. {fine.id}," not in section and f"(Nr. {gone.id}," not in section
    assert (_seminar(same_day.id).day2, _seminar(small.id).capacity) == (ahead, 5)


# -- a change of dates, times or place -------------------------------------------------


def test_moving_the_dates_tells_everyone_with_an_updated_calendar_entry(client, admin, programme):
    seminar = factories.seminar(programme=programme, capacity=8)
    factories.fill(seminar, 9)  # 8 confirmed, 1 waiting
    people = registrations(seminar.id)
    first, waiting = people[0], people[-1]
    assert waiting.state == WAITLISTED
    original, original_events = _events(_mail_for("confirmation", first.id).ics)
    before = seminar.day1
    later = before + timedelta(days=7)
    data = seminar_form(
        programme,
        seminar.vhs,
        first_day=later,
        capacity="8",
        registration_deadline=seminar.registration_deadline.isoformat(),
        day2_starts="10:00",
    )

    response = client.post(f"/manage/admin/seminare/{seminar.id}/bearbeiten", data=data)

    assert response.status_code == 303
    assert "9 Angemeldete werden per E-Mail benachrichtigt" in text(
        client.get(response.headers["Location"]).text
    )
    assert _seminar(seminar.id).calendar_sequence == 1
    changed = mails("seminar_changed")
    assert sorted(m.registration_id for m in changed) == sorted(r.id for r in people)
    update, events = _events(_mail_for("seminar_changed", first.id).ics)
    assert str(update["METHOD"]) == str(original["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in events] == [str(e["UID"]) for e in original_events]
    assert [e["SEQUENCE"] for e in original_events] == [0, 0]
    assert [e["SEQUENCE"] for e in events] == [1, 1]
    day1, day2 = sorted(events, key=lambda e: e.decoded("DTSTART"))
    assert day1.decoded("DTSTART").date() == later
    assert day1.decoded("DTSTART").hour == 9
    assert day2.decoded("DTSTART").date() == later + timedelta(days=1)
    assert day2.decoded("DTSTART").hour == 10
    assert str(day1.decoded("DTSTART").tzinfo) == "Europe/Berlin"
    letter = _mail_for("seminar_changed", first.id)
    assert f"1. Tag: bisher {before:%d.%m.%Y}, jetzt {later:%d.%m.%Y}" in letter.text_body
    assert "Beginn am 2. Tag: bisher 9:00, jetzt 10:00" in letter.text_body
    waiting_letter = _mail_for("seminar_changed", waiting.id)
    assert waiting_letter.ics is None  # nothing in their calendar to update
    assert "Warteliste" in waiting_letter.text_body


def test_a_second_change_raises_the_sequence_again_and_a_moved_place_tells_too(app):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    person = registrations(seminar.id)[0]
    seminar_service.update_seminar(seminar.id, _data(seminar, venue_name="Rathaus"), 20)
    seminar_service.update_seminar(seminar.id, _data(seminar, venue_name="Stadthalle"), 20)

    latest = [m for m in mails("seminar_changed") if m.registration_id == person.id]
    assert len(latest) == 2
    _calendar, events = _events(latest[-1].ics)
    assert [e["SEQUENCE"] for e in events] == [2, 2]
    assert all(str(e["LOCATION"]).startswith("Stadthalle") for e in events)


def test_a_change_that_is_not_in_the_calendar_tells_nobody(app):
    seminar = factories.seminar()
    factories.fill(seminar, 3)
    update = seminar_service.update_seminar(
        seminar.id, _data(seminar, note="Bitte Ausweis mitbringen."), 20
    )
    assert update.told == [] and not update.calendar_changed
    assert mails("seminar_changed") == []
    assert _seminar(seminar.id).calendar_sequence == 0


# -- cancellations take the days out of the calendar --------------------------------


def _assert_cancels(ics: str, original_ics: str, sequence: int) -> None:
    calendar, events = _events(ics)
    _original, original_events = _events(original_ics)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert [str(e["UID"]) for e in events] == [str(e["UID"]) for e in original_events]
    assert all(str(e["STATUS"]) == "CANCELLED" for e in events)
    assert [e["SEQUENCE"] for e in events] == [sequence, sequence]


def test_cancelling_oneself_sends_a_calendar_cancellation(app):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    person = registrations(seminar.id)[0]

    registration_service.cancel_registration(person.id)

    cancelled = _mail_for("cancelled", person.id)
    _assert_cancels(cancelled.ics, _mail_for("confirmation", person.id).ics, 1)
    assert "Kalender-Absage" in cancelled.text_body
    message = build_message(cancelled, "Seminare <anmeldung@example.org>")
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"


def test_an_organiser_cancelling_after_a_change_sends_a_higher_sequence(app):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    person = registrations(seminar.id)[0]
    organiser = factories.user("admin")
    seminar_service.update_seminar(seminar.id, _data(seminar, day1_starts=time(8)), 20)

    registration_service.cancel_registration(person.id, actor_id=organiser.id)

    _assert_cancels(
        _mail_for("cancelled", person.id).ics, _mail_for("confirmation", person.id).ics, 2
    )


def test_a_waiting_person_who_cancels_gets_no_calendar_file(app):
    seminar = factories.seminar(capacity=1)
    factories.fill(seminar, 2)
    waiting = registrations(seminar.id)[1]
    registration_service.cancel_registration(waiting.id)
    assert _mail_for("cancelled", waiting.id).ics is None


def test_cancelling_the_seminar_sends_calendar_cancellations(app):
    seminar = factories.seminar(capacity=8)
    factories.fill(seminar, 9)
    people = registrations(seminar.id)

    seminar_service.cancel_seminar(seminar.id)

    for person in people[:8]:
        _assert_cancels(
            _mail_for("seminar_cancelled", person.id).ics,
            _mail_for("confirmation", person.id).ics,
            1,
        )
    assert _mail_for("seminar_cancelled", people[8].id).ics is None


def test_the_calendar_time_zone_is_the_compact_yearly_rule(app):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    ics = mails("confirmation")[0].ics
    zones = Calendar.from_ical(ics).walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    parts = {part.name: part for part in zones[0].subcomponents}
    assert sorted(parts) == ["DAYLIGHT", "STANDARD"]
    assert len(zones[0].subcomponents) == 2
    assert "RDATE" not in ics
    assert parts["DAYLIGHT"]["RRULE"]["BYMONTH"] == [3]
    assert parts["STANDARD"]["RRULE"]["BYMONTH"] == [10]
    attachment = next(build_message(mails("confirmation")[0], "x@example.org").iter_attachments())
    assert attachment.get_param("method") == "PUBLISH"


# -- the demo ------------------------------------------------------------------------------


def test_the_demos_cancelled_seminar_leaves_nobody_registered(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    cancelled = db.session.scalars(
        sa.select(Seminar).where(Seminar.state == SeminarState.CANCELLED)
    ).all()
    assert cancelled
    for seminar in cancelled:
        states = {r.state for r in registrations(seminar.id)}
        assert states == {RegistrationState.CANCELLED}
