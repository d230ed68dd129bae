"""A place is held only for a proven address: a public registration holds its place until
the person opens the link in the mail; holds that run out are released, the person is
told and the waiting list moves up exactly once; organisers vouch for the people they add."""

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import BERLIN, today_berlin, utcnow
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState, Seminar
from app.services.registrations import check_counts
from tests import factories

HELD, CONFIRMED = RegistrationState.HELD, RegistrationState.CONFIRMED
WAITLISTED, CANCELLED = RegistrationState.WAITLISTED, RegistrationState.CANCELLED


def _register(client, seminar, n):
    response = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n))
    assert response.status_code == 303, response.text
    response.close()


def _person(n: int) -> Registration:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Registration).where(Registration.email == f"person{n}@example.org")
    ).one()


def _run_out(registration: Registration) -> None:
    """Let the hold's time pass, as the clock would."""
    db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration.id)
        .values(hold_until=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


def _mails(kind: str) -> list[str]:
    return list(db.session.scalars(sa.select(OutboxMail.recipient).where(OutboxMail.kind == kind)))


def test_a_public_registration_holds_its_place_for_48_hours(app, client):
    seminar = factories.seminar(capacity=8)
    _register(client, seminar, 0)
    person = _person(0)
    assert person.state == HELD
    assert timedelta(hours=47, minutes=59) < person.hold_until - utcnow() <= timedelta(hours=48)
    page = client.get(f"/seminare/{seminar.id}")
    assert "7 von 8 Plätzen frei" in page.text  # the held place is nobody else's
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).confirmed_count == 0  # it does not "count"


def test_a_hold_never_runs_past_the_registration_deadline(app, client):
    tomorrow = today_berlin() + timedelta(days=1)
    seminar = factories.seminar(registration_deadline=tomorrow)
    _register(client, seminar, 0)
    # the end of the deadline day in Berlin, stored as UTC: less than 48 hours away
    end_of_deadline = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=BERLIN)
    assert _person(0).hold_until == end_of_deadline.astimezone(UTC).replace(tzinfo=None)


def test_opening_the_link_confirms_the_place_with_its_calendar_file(app, client):
    seminar = factories.seminar()
    _register(client, seminar, 0)
    page = client.get(f"/anmeldung/{factories.link_token(_person(0))}")
    assert "Ihre E-Mail-Adresse ist bestätigt und Ihr Platz ist fest" in page.text
    person = _person(0)
    assert (person.state, person.hold_until) == (CONFIRMED, None)
    assert person.email_verified_at is not None
    factories.compose_mails()
    confirmation = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.kind == "confirmation").order_by(OutboxMail.id)
    ).all()[-1]
    assert confirmation.ics and "Anmeldung bestätigt" in confirmation.subject
    assert check_counts(repair=False) == []


def test_a_hold_that_runs_out_is_released_the_person_told_and_the_queue_moves_once(
    app, client, runner
):
    seminar = factories.seminar(capacity=1)
    _register(client, seminar, 0)  # holds the only place
    _register(client, seminar, 1)  # waiting list, a public registration too
    _run_out(_person(0))

    result = runner.invoke(args=["release-holds"])
    assert result.exit_code == 0, result.output
    assert "1 vorgemerkter Platz freigegeben" in result.output
    assert _person(0).state == CANCELLED
    assert "person0@example.org" in _mails("hold_released")
    # the next person gets the place, held in turn until their address is proven
    assert _person(1).state == HELD
    assert _mails("moved_up") == ["person1@example.org"]
    assert "0 vorgemerkte Plätze freigegeben" in runner.invoke(args=["release-holds"]).output
    assert _mails("moved_up") == ["person1@example.org"]  # exactly once
    assert check_counts(repair=False) == []


def test_the_next_booking_releases_what_has_run_out(app, client):
    seminar = factories.seminar(capacity=1)
    _register(client, seminar, 0)
    _run_out(_person(0))
    _register(client, seminar, 1)
    assert _person(0).state == CANCELLED
    assert _person(1).state == HELD  # the freed place, not the waiting list


def test_a_link_opened_after_the_hold_ran_out_does_not_bring_the_place_back(app, client):
    seminar = factories.seminar(capacity=1)
    _register(client, seminar, 0)
    _register(client, seminar, 1)
    _run_out(_person(0))
    page = client.get(f"/anmeldung/{factories.link_token(_person(0))}")
    assert "Diese Anmeldung ist storniert" in page.text
    assert (_person(0).state, _person(1).state) == (CANCELLED, HELD)


def test_people_an_organiser_adds_are_confirmed_at_once(app, client):
    school = factories.vhs()
    seminar = factories.seminar(vhs=school)
    factories.login(client, factories.user("vhs", vhs_id=school.id))
    added = client.post(f"/manage/seminare/{seminar.id}/teilnehmende", data=factories.form_data(0))
    assert added.status_code == 303
    assert (_person(0).state, _person(0).hold_until) == (CONFIRMED, None)


@pytest.mark.parametrize("page", ["dashboard", "participants", "room_needs"])
def test_organisers_see_held_places_apart(app, client, page):
    school = factories.vhs()
    seminar = factories.seminar(vhs=school)
    factories.fill(seminar, 2)  # vouched: confirmed
    _register(client, seminar, 9)  # public: held
    factories.login(client, factories.user("vhs", vhs_id=school.id))
    url = {
        "dashboard": "/manage/",
        "participants": f"/manage/seminare/{seminar.id}",
        "room_needs": f"/manage/seminare/{seminar.id}/raumbedarf",
    }[page]
    text = client.get(url).text
    assert "Vorgemerkt" in text
    if page == "participants":
        assert "Vorgemerkt: Adresse noch nicht bestätigt (1)" in text
        assert "vorgemerkt bis" in text


def test_an_address_that_let_its_hold_lapse_gets_no_second_hold_until_proven(app, client):
    seminar = factories.seminar(capacity=3)
    _register(client, seminar, 0)
    _run_out(_person(0))
    _register(client, seminar, 1)  # releases the lapsed hold
    again = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(0))
    assert again.status_code == 422
    assert "Bitte bestätigen Sie zuerst Ihre Adresse" in again.text
    assert _person(0).state == CANCELLED
    # "Link erneut senden" mails the lapsed registration's link; opening it proves the address
    client.post("/anmeldung/link-senden", data={"email": "person0@example.org"}).close()
    assert "person0@example.org" in _mails("links")
    client.get(f"/anmeldung/{factories.link_token(_person(0))}").close()
    _register(client, seminar, 0)
    assert _person(0).state == CONFIRMED  # a proven address needs no hold
