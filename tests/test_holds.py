"""A place is held only for a proven address: a public registration holds its place until
the person presses the button on the page the mailed link opens; holds that run out are
released, the person is told and the waiting list moves up exactly once; organisers vouch
for the people they add. At most the programme's share of a seminar's places (a third) is
held at once; beyond it, public registrations wait on the list and move up as holds end."""

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import BERLIN, today_berlin, utcnow
from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState, Seminar
from app.services.registrations import cancel_registration, check_counts
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


def _confirm(client, registration: Registration):
    """Open the mailed link and press its button, as the person does."""
    token = factories.link_token(registration)
    client.get(f"/anmeldung/{token}").close()
    return client.post(f"/anmeldung/{token}/bestaetigen", follow_redirects=True)


def _states(seminar) -> list[RegistrationState]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration.state)
            .where(Registration.seminar_id == seminar.id)
            .order_by(Registration.id)
        )
    )


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


def test_opening_the_link_confirms_nothing_the_button_on_its_page_does(app, client):
    seminar = factories.seminar()
    _register(client, seminar, 0)
    token = factories.link_token(_person(0))
    for _scanner_and_person in range(2):  # a mail scanner opens the link first
        page = client.get(f"/anmeldung/{token}")
        assert page.status_code == 200
        assert "Ihr Platz ist vorgemerkt" in page.text
        assert f'action="/anmeldung/{token}/bestaetigen"' in page.text
        assert "Platz bestätigen" in page.text
        assert "weil manche E-Mail-Programme Links zur Prüfung selbst öffnen" in page.text
        person = _person(0)
        assert (person.state, person.email_verified_at) == (HELD, None)
    assert client.get(f"/anmeldung/{token}/bestaetigen").status_code == 405  # never by GET

    page = client.post(f"/anmeldung/{token}/bestaetigen", follow_redirects=True)
    assert "Ihre E-Mail-Adresse ist bestätigt und Ihr Platz ist fest" in page.text
    assert "Platz bestätigen" not in page.text
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
    page = _confirm(client, _person(0))
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
    _confirm(client, _person(0)).close()
    _register(client, seminar, 0)
    assert _person(0).state == CONFIRMED  # a proven address needs no hold


def test_at_most_a_third_of_the_places_are_held_and_the_rest_wait_with_a_reason(app, client):
    seminar = factories.seminar(capacity=20)  # a third: 6 places held at most
    for n in range(10):
        _register(client, seminar, n)
    assert _states(seminar) == [HELD] * 6 + [WAITLISTED] * 4
    page = client.get(f"/seminare/{seminar.id}/angemeldet")
    assert "Sie stehen auf der Warteliste – Platz 4" in page.text
    assert "Gerade warten viele vorgemerkte Plätze dieses Seminars" in page.text
    assert "rücken Sie in der Reihenfolge der Warteliste automatisch nach" in page.text
    factories.compose_mails()
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == "person9@example.org")
    ).one()
    assert "Sobald vorgemerkte Plätze bestätigt oder frei werden" in mail.text_body
    assert "alle Plätze im Seminar sind zurzeit vergeben" not in mail.text_body

    # a confirmed hold makes room for the first one waiting, held in turn
    _confirm(client, _person(0)).close()
    assert _states(seminar) == [CONFIRMED] + [HELD] * 6 + [WAITLISTED] * 3
    assert _mails("moved_up") == ["person6@example.org"]
    # proving a waiting address keeps its turn behind the others
    _confirm(client, _person(9)).close()
    assert _person(9).state == WAITLISTED
    assert check_counts(repair=False) == []


def test_the_share_of_held_places_is_the_programmes_rule(app, client):
    programme = factories.programme(max_held_percent=50)
    seminar = factories.seminar(capacity=20, programme=programme)
    for n in range(12):
        _register(client, seminar, n)
    assert _states(seminar) == [HELD] * 10 + [WAITLISTED] * 2


def test_the_waiting_list_moves_up_into_holds_no_further_than_the_cap(app, client):
    seminar = factories.seminar(capacity=20)
    factories.fill(seminar, 20)  # vouched: all confirmed
    for n in range(100, 110):
        _register(client, seminar, n)  # full: the waiting list
    confirmed = db.session.scalars(
        sa.select(Registration.id).where(Registration.email.like("person1_@example.org"))
    ).all()
    for registration_id in confirmed:  # ten people cancel
        cancel_registration(registration_id)
    states = _states(seminar)
    assert states.count(HELD) == 6  # not ten
    assert states.count(WAITLISTED) == 4
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).held_count == 6
    assert check_counts(repair=False) == []


def test_organisers_add_people_past_the_cap(app, client):
    seminar = factories.seminar(capacity=9)  # 33 per cent of 9: 2 held at most
    for n in range(3):
        _register(client, seminar, n)
    factories.fill(seminar, 2, start=50)
    assert _states(seminar) == [HELD, HELD, WAITLISTED, CONFIRMED, CONFIRMED]


def test_organisers_see_a_burst_of_holds_on_their_dashboard(app, client):
    school = factories.vhs()
    rushed = factories.seminar(vhs=school, capacity=20)
    calm = factories.seminar(vhs=school, capacity=20)
    for n in range(5):
        _register(client, rushed, n)
    for n in range(10, 14):
        _register(client, calm, n)
    factories.fill(calm, 5, start=50)  # added by an organiser: no burst
    factories.login(client, factories.user("vhs", vhs_id=school.id))
    page = client.get("/manage/").text
    assert page.count("data-burst") == 1
    assert "Auffällig viele Anmeldungen: 5 über das öffentliche Formular" in page
    # the same registrations an hour ago are no burst any more
    db.session.execute(sa.update(Registration).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert "data-burst" not in client.get("/manage/").text
