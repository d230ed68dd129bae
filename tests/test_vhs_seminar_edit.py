"""VHS staff change their own seminar's dates, times, place and note until the registration
deadline: the same service, rules, mails and log as an admin's edit; nothing else of the
seminar, nobody else's seminar, nothing after the deadline."""

import json
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.core.formatting import date_long, date_short
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, OutboxMail, RegistrationState, Seminar
from app.services import seminars as seminar_service
from app.services.registrations import SeminarNotFound, book_seat, cancel_registration
from tests import factories
from tests.admin_helpers import field_error, field_value, registrations, text

CONFIRMED = RegistrationState.CONFIRMED
WAITLISTED = RegistrationState.WAITLISTED


@pytest.fixture
def vhs(app):
    return factories.vhs(name="Volkshochschule Bochum", town="Bochum")


@pytest.fixture
def seminar(vhs):
    return factories.seminar(vhs=vhs, capacity=8)


@pytest.fixture
def staff(client, vhs):
    account = factories.user("vhs", vhs_id=vhs.id)
    assert factories.login(client, account).status_code == 303
    return account


def _url(seminar) -> str:
    return f"/manage/seminare/{seminar.id}/bearbeiten"


def _form(seminar, **changes) -> dict:
    """The VHS form as the seminar stands, with ``changes`` typed in."""
    data = {
        "day1": seminar.day1.isoformat(),
        "day1_starts": "09:00",
        "day1_ends": "17:00",
        "day2": seminar.day2.isoformat(),
        "day2_starts": "09:00",
        "day2_ends": "17:00",
        "venue_name": seminar.venue_name,
        "venue_street": seminar.venue_street,
        "venue_postcode": seminar.venue_postcode,
        "venue_town": seminar.venue_town,
        "note": seminar.note or "",
    }
    data.update(changes)
    return data


def _fresh(seminar_id: int) -> Seminar:
    db.session.expire_all()
    return db.session.get(Seminar, seminar_id)


def _entries(seminar_id: int, action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.seminar_id == seminar_id, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def _changed_mails() -> list[OutboxMail]:
    factories.compose_mails()
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.kind == "seminar_changed")
            .order_by(OutboxMail.recipient)
        )
    )


def _people(seminar) -> None:
    """Two confirmed, one waiting, one place held (unproven), one cancelled."""
    factories.fill(seminar, 2)
    seminar.capacity = 3
    db.session.commit()
    book_seat(seminar.id, factories.applicant(2), hold_hours=48)  # held: the third place
    factories.fill(seminar, 1, start=3)  # waitlisted
    cancelled = book_seat(seminar.id, factories.applicant(4))
    cancel_registration(cancelled.id)


# -- the journey: a VHS edit that notifies and audits -----------------------------------


def test_a_vhs_edit_tells_the_people_and_is_in_the_log(client, staff, seminar):
    _people(seminar)
    old_day1, new_day1 = seminar.day1, seminar.day1 + timedelta(days=2)
    form = _form(
        seminar,
        day1=new_day1.isoformat(),
        day2=(new_day1 + timedelta(days=1)).isoformat(),
        day2_starts="10:00",
        day2_ends="18:00",
        venue_name="Stadtbücherei, Saal 1",
        note="Bitte Ausweis mitbringen.",
    )

    response = client.post(_url(seminar), data=form)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/manage/seminare/{seminar.id}"
    page = text(client.get(response.headers["Location"]).text)
    assert "Das Seminar ist gespeichert." in page
    assert "4 Angemeldete werden per E-Mail benachrichtigt" in page
    changed = _fresh(seminar.id)
    assert (changed.day1, changed.day2_starts, changed.venue_name) == (
        new_day1,
        time(10),
        "Stadtbücherei, Saal 1",
    )
    assert changed.note == "Bitte Ausweis mitbringen."
    assert changed.capacity == 3 and changed.calendar_sequence == 1

    # the confirmed, the held and the waiting people are told; the cancelled are not
    mails = _changed_mails()
    assert [m.recipient for m in mails] == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
        "person3@example.org",
    ]
    assert "Stadtbücherei, Saal 1" in mails[0].text_body
    calendar = Calendar.from_ical(mails[0].ics)
    assert {int(event["SEQUENCE"]) for event in calendar.walk("VEVENT")} == {1}
    assert mails[2].ics is None and mails[3].ics is None  # nothing in their calendars
    assert "Ihr Platz bleibt vorgemerkt" in mails[2].text_body

    # the log: who, and old and new value of every field changed
    (entry,) = _entries(seminar.id, "seminar_changed")
    assert entry.actor_id == staff.id
    changes = {name: (old, new) for name, old, new in json.loads(entry.changes)}
    assert changes["day1"] == (date_short(old_day1), date_short(new_day1))
    assert changes["day2_starts"] == ("9:00", "10:00")
    assert changes["venue_name"] == ("Bildungszentrum, Raum 2", "Stadtbücherei, Saal 1")
    assert changes["note"] == ("–", "Bitte Ausweis mitbringen.")
    assert set(changes) <= set(seminar_service.VenueAndDates.__dataclass_fields__)
    assert _entries(seminar.id, "capacity_changed") == []


def test_the_form_shows_what_vhs_staff_may_change_and_nothing_else(client, staff, seminar):
    page = client.get(_url(seminar))

    assert page.status_code == 200
    assert field_value(page.text, "venue_name") == "Bildungszentrum, Raum 2"
    assert field_value(page.text, "day1") == seminar.day1.isoformat()
    for name in ("capacity", "module", "programme_id", "vhs_id", "registration_deadline"):
        assert f'name="{name}"' not in page.text
    shown = text(page.text)
    assert f"Bis zum Anmeldeschluss am {date_long(seminar.registration_deadline)}" in shown
    assert "Modul, Plätze und Anmeldeschluss ändert die Landesebene." in shown


def test_a_note_alone_is_logged_and_mails_nobody(client, staff, seminar):
    factories.fill(seminar, 2)

    response = client.post(_url(seminar), data=_form(seminar, note="Eingang über den Hof."))

    assert response.status_code == 303
    assert _changed_mails() == []
    (entry,) = _entries(seminar.id, "seminar_changed")
    assert json.loads(entry.changes) == [["note", "–", "Eingang über den Hof."]]


def test_htmx_gets_a_redirect_to_the_seminar(client, staff, seminar, htmx):
    response = client.post(_url(seminar), data=_form(seminar, venue_town="Herne"), headers=htmx)

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/manage/seminare/{seminar.id}"
    assert _fresh(seminar.id).venue_town == "Herne"


# -- bad input: German messages, what was typed stays, nothing written ---------------------


def test_the_same_day_twice_is_refused_and_the_typed_values_stay(client, staff, seminar):
    factories.fill(seminar, 1)
    form = _form(seminar, day2=seminar.day1.isoformat(), venue_name="Neuer Raum")

    response = client.post(_url(seminar), data=form)

    assert response.status_code == 422
    assert "zwei verschiedene Tage" in field_error(response.text, "day2")
    assert field_value(response.text, "venue_name") == "Neuer Raum"
    assert _fresh(seminar.id).venue_name == "Bildungszentrum, Raum 2"
    assert _changed_mails() == [] and _entries(seminar.id, "seminar_changed") == []


def test_a_first_day_before_the_deadline_is_said_beside_the_first_day(client, staff, seminar):
    deadline = seminar.registration_deadline
    form = _form(seminar, day1=deadline.isoformat())

    response = client.post(_url(seminar), data=form)

    assert response.status_code == 422
    assert field_error(response.text, "day1") == (
        f"Der 1. Tag muss nach dem Anmeldeschluss ({date_short(deadline)}) liegen."
    )
    assert _fresh(seminar.id).day1 == seminar.day1


def test_broken_input_never_ends_in_a_server_error(client, staff, seminar):
    form = _form(seminar, day1="morgen", day1_starts="25:99", venue_postcode="12", venue_town="<b>")

    response = client.post(_url(seminar), data=form)

    assert response.status_code == 422
    assert field_error(response.text, "day1") == "Bitte geben Sie ein Datum an (TT.MM.JJJJ)."
    assert "Uhrzeit" in field_error(response.text, "day1_starts")
    assert "fünf Ziffern" in field_error(response.text, "venue_postcode")
    assert field_value(response.text, "day1") == "morgen"


def test_a_short_day_is_saved_with_its_warning(client, staff, seminar):
    response = client.post(_url(seminar), data=_form(seminar, day1_ends="15:00"))

    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]).text)
    assert "Der 1. Tag dauert nur 6 Stunden." in page


# -- until the deadline ---------------------------------------------------------------------


def test_after_the_deadline_the_form_is_closed_and_says_whom_to_ask(client, staff, vhs):
    seminar = factories.seminar(vhs=vhs, registration_deadline=today_berlin() - timedelta(days=1))
    factories.fill(seminar, 1, today=today_berlin() - timedelta(days=2))

    page = client.get(_url(seminar))
    refused = client.post(_url(seminar), data=_form(seminar, venue_name="Anderswo"))

    closed = (
        f"Der Anmeldeschluss ({date_short(seminar.registration_deadline)}) ist vorbei: "
        "Termine und Ort ändert jetzt nur noch die Landesebene (Landesverband der "
        "Volkshochschulen von NRW und Landesintegrationsrat NRW)."
    )
    assert page.status_code == 200 and closed in text(page.text)
    assert 'name="venue_name"' not in page.text
    assert refused.status_code == 409 and closed in text(refused.text)
    assert _fresh(seminar.id).venue_name == "Bildungszentrum, Raum 2"
    assert _changed_mails() == [] and _entries(seminar.id, "seminar_changed") == []


def test_on_the_deadline_day_changes_are_still_possible(client, staff, vhs):
    seminar = factories.seminar(vhs=vhs, registration_deadline=today_berlin())

    response = client.post(_url(seminar), data=_form(seminar, venue_name="Raum 3"))

    assert response.status_code == 303
    assert _fresh(seminar.id).venue_name == "Raum 3"


def test_a_cancelled_seminar_is_closed(client, staff, seminar):
    seminar_service.cancel_seminar(seminar.id)

    page = client.get(_url(seminar))
    refused = client.post(_url(seminar), data=_form(seminar, venue_name="Anderswo"))

    assert "Das Seminar ist abgesagt" in text(page.text)
    assert refused.status_code == 409
    assert _fresh(seminar.id).venue_name == "Bildungszentrum, Raum 2"


# -- who may --------------------------------------------------------------------------------


def test_another_vhs_gets_404_a_host_contact_403_and_admins_their_own_form(app, seminar):
    council = factories.council()
    seminar.councils = [council]
    db.session.commit()
    expected = {
        factories.user("vhs", vhs_id=factories.vhs().id): 404,
        factories.user("contact", council_id=council.id): 403,
        factories.user("contact", council_id=factories.council().id): 404,
    }
    for account, status in expected.items():
        client = app.test_client()
        factories.login(client, account)
        assert client.get(_url(seminar)).status_code == status, account.role
        assert client.post(_url(seminar), data=_form(seminar, venue_name="X")).status_code == (
            status
        )
    admin = app.test_client()
    factories.login(admin, factories.user("admin"))
    sent_on = admin.get(_url(seminar))
    assert sent_on.status_code == 303
    assert sent_on.headers["Location"] == f"/manage/admin/seminare/{seminar.id}/bearbeiten"
    assert _fresh(seminar.id).venue_name == "Bildungszentrum, Raum 2"


def test_only_vhs_staff_see_the_link_on_their_seminar(app, seminar):
    council = factories.council()
    seminar.councils = [council]
    db.session.commit()
    link = f'href="{_url(seminar)}"'
    for account, shown in (
        (factories.user("vhs", vhs_id=seminar.vhs_id), True),
        (factories.user("contact", council_id=council.id), False),
        (factories.user("admin"), False),
    ):
        client = app.test_client()
        factories.login(client, account)
        assert (link in client.get(f"/manage/seminare/{seminar.id}").text) is shown


# -- the service ----------------------------------------------------------------------------


def _change(seminar, **changes) -> seminar_service.VenueAndDates:
    values = {
        name: getattr(seminar, name) for name in seminar_service.VenueAndDates.__dataclass_fields__
    }
    values.update(changes)
    return seminar_service.VenueAndDates(**values)


def test_the_service_keeps_to_the_vhs_own_seminars(app, seminar):
    with pytest.raises(SeminarNotFound):
        seminar_service.update_seminar_by_vhs(
            seminar.id,
            _change(seminar, venue_town="Essen"),
            vhs_id=factories.vhs().id,
            today=today_berlin(),
        )
    assert _fresh(seminar.id).venue_town == "Düsseldorf"


def test_the_service_refuses_after_the_deadline_under_the_lock(app, seminar):
    late = seminar.registration_deadline + timedelta(days=1)
    with pytest.raises(seminar_service.ChangesClosed) as refused:
        seminar_service.update_seminar_by_vhs(
            seminar.id, _change(seminar, venue_town="Essen"), vhs_id=seminar.vhs_id, today=late
        )
    assert "Landesebene" in refused.value.message
    assert _fresh(seminar.id).venue_town == "Düsseldorf"


def test_the_places_stay_even_when_they_break_todays_rules(app, seminar):
    seminar.capacity = 5  # below the programme's minimum: an admin's business
    db.session.commit()
    factories.fill(seminar, 6)

    update = seminar_service.update_seminar_by_vhs(
        seminar.id,
        _change(seminar, venue_town="Essen"),
        vhs_id=seminar.vhs_id,
        today=today_berlin(),
    )

    changed = _fresh(seminar.id)
    assert (changed.venue_town, changed.capacity) == ("Essen", 5)
    assert update.moved == [] and len(update.told) == 6
    states = [r.state for r in registrations(seminar.id)]
    assert states.count(CONFIRMED) == 5 and states.count(WAITLISTED) == 1
