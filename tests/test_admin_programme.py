"""The programme's rules, edited on one admin page, take effect everywhere; a later
programme gets its own dates."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.formatting import date_short
from app.extensions import db
from app.models import Programme, Seminar, TrainerKind
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import field_error, field_value, login_admin, seminar_form, text


@pytest.fixture
def admin(client):
    return login_admin(client)


def _form(programme: Programme, **overrides) -> dict:
    data = {
        "title": programme.title,
        "period_start": programme.period_start.isoformat(),
        "period_end": programme.period_end.isoformat(),
        "min_participants": str(programme.min_participants),
        "max_participants": str(programme.max_participants),
        "two_trainers_from": str(programme.two_trainers_from),
        "trainer_fee": "450,00",
        "catering": "12,00",
    }
    data.update(overrides)
    return data


def _programme(programme_id: int) -> Programme:
    db.session.expire_all()
    return db.session.get(Programme, programme_id)


def test_the_page_shows_the_current_rules(client, admin):
    programme = factories.programme(title="Reihe A")
    page = client.get(f"/manage/admin/programme/{programme.id}").text
    assert field_value(page, "min_participants") == "8"
    assert field_value(page, "max_participants") == "20"
    assert field_value(page, "two_trainers_from") == "12"
    assert field_value(page, "trainer_fee") == "450,00"
    assert field_value(page, "catering") == "12,00"
    listing = text(client.get("/manage/admin/programme").text)
    assert "Reihe A aktuell" in listing and "450,00 € je Tag und Trainer*in" in listing


def test_a_lower_minimum_changes_findet_statt_everywhere(client, admin):
    programme = factories.programme()
    seminar = factories.seminar(programme=programme)
    factories.fill(seminar, 6)
    # one trainer on the list: funded once the minimum is reached (rule 5)
    set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 0)})
    public = text(client.get(f"/seminare/{seminar.id}").text)
    assert "Es fehlen noch 2 Anmeldungen bis zur Mindestzahl von 8" in public
    assert "Unter Mindestzahl" in text(client.get("/manage/").text)

    response = client.post(
        f"/manage/admin/programme/{programme.id}",
        data=_form(programme, min_participants="6", two_trainers_from="10", trainer_fee="500"),
    )

    assert response.status_code == 303
    public = text(client.get(f"/seminare/{seminar.id}").text)
    assert "Findet statt Die Mindestzahl von 6 Teilnehmenden ist erreicht." in public
    assert "Findet statt 1 Trainer*in gefördert" in text(client.get("/manage/").text)
    overview = text(client.get("/manage/admin/foerderung").text)
    assert "6 1 1.000,00 € 0,00 € 72,00 € 1.072,00 €" in overview


def test_a_lower_maximum_limits_the_seminar_form(client, admin):
    programme = factories.programme()
    client.post(
        f"/manage/admin/programme/{programme.id}", data=_form(programme, max_participants="16")
    )
    data = seminar_form(programme, factories.vhs(), capacity="17")
    response = client.post("/manage/admin/seminare/neu", data=data)
    assert field_error(response.text, "capacity") == (
        "Bitte geben Sie zwischen 8 und 16 Plätze an (Mindest- und Höchstzahl des Programms)."
    )


def test_rule_form_messages_and_kept_input(client, admin):
    programme = factories.programme()
    response = client.post(
        f"/manage/admin/programme/{programme.id}",
        data=_form(
            programme, period_start="2026-06-01", period_end="2026-05-31", min_participants="21",
            trainer_fee="vierhundert", catering="",
        ),
    )  # fmt: skip
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "period_end") == (
        "Das Ende des Zeitraums darf nicht vor seinem Beginn liegen."
    )
    assert field_error(page, "min_participants") == (
        "Die Mindestzahl darf nicht über der Höchstzahl liegen."
    )
    assert field_error(page, "trainer_fee") == (
        "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."
    )
    assert field_error(page, "catering") == "Bitte geben Sie den Betrag für die Verpflegung an."
    assert field_value(page, "trainer_fee") == "vierhundert"
    assert field_value(page, "period_start") == "2026-06-01"
    assert _programme(programme.id).min_participants == 8

    outside = client.post(
        f"/manage/admin/programme/{programme.id}", data=_form(programme, two_trainers_from="7")
    )
    assert field_error(outside.text, "two_trainers_from") == (
        "Dieser Wert muss zwischen Mindest- und Höchstzahl liegen."
    )


def test_rules_that_would_break_existing_seminars_are_refused_naming_them(client, admin):
    programme = factories.programme()
    seminar = factories.seminar(programme=programme, capacity=20)
    shorter = _form(programme, period_end=(seminar.day1 - timedelta(days=1)).isoformat())

    response = client.post(f"/manage/admin/programme/{programme.id}", data=shorter)

    assert response.status_code == 422
    page = text(response.text)
    assert f"Seminar Nr. {seminar.id} ({seminar.vhs.name}, {date_short(seminar.day1)}" in page
    assert "läge außerhalb des Zeitraums" in page
    assert _programme(programme.id).period_end == programme.period_end

    smaller = client.post(
        f"/manage/admin/programme/{programme.id}", data=_form(programme, max_participants="18")
    )
    assert smaller.status_code == 422
    assert f"Seminar Nr. {seminar.id} ({seminar.vhs.name}) hat 20 Plätze" in text(smaller.text)


def test_a_later_programme_with_other_dates(client, admin):
    old = factories.programme(
        title="Reihe 2025–2026", period_start=date(2025, 10, 1), period_end=date(2026, 11, 30)
    )
    vhs = factories.vhs()
    factories.seminar(programme=old, vhs=vhs, module=1, day1=date(2026, 3, 14))
    new_page = client.get("/manage/admin/programme/neu").text
    assert field_value(new_page, "min_participants") == "8"  # figures of the current one
    assert not field_value(new_page, "period_start")

    response = client.post(
        "/manage/admin/programme/neu",
        data={
            "title": "Reihe 2027",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "min_participants": "10",
            "max_participants": "24",
            "two_trainers_from": "14",
            "trainer_fee": "480,00",
            "catering": "13,50",
        },
    )

    assert response.status_code == 303
    later = db.session.scalars(sa.select(Programme).where(Programme.title == "Reihe 2027")).one()
    assert Programme.current().id == later.id
    assert (later.trainer_fee_cents_per_day, later.catering_cents_per_person) == (480_00, 13_50)
    assert "Reihe 2027 aktuell" in text(client.get("/manage/admin/programme").text)
    form_page = client.get("/manage/admin/seminare/neu").text
    assert f'<option selected value="{later.id}">Reihe 2027' in form_page

    in_2027 = seminar_form(later, vhs, first_day=date(2027, 3, 13), capacity="24")
    # the same VHS may hold a basic module again in the new series
    assert client.post("/manage/admin/seminare/neu", data=in_2027).status_code == 303
    refused = client.post(
        "/manage/admin/seminare/neu",
        data=dict(in_2027, programme_id=str(old.id), module="2"),
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "day1") == (
        "Der 1. Tag liegt nicht im Zeitraum des Programms (01.10.2025 bis 30.11.2026)."
    )
    assert field_error(refused.text, "capacity") == (
        "Bitte geben Sie zwischen 8 und 20 Plätze an (Mindest- und Höchstzahl des Programms)."
    )
    created = db.session.scalars(sa.select(Seminar).where(Seminar.programme_id == later.id)).one()
    assert (created.capacity, created.day1) == (24, date(2027, 3, 13))


def test_the_share_of_held_places_is_set_on_the_rules_page_and_takes_effect(client, admin):
    programme = factories.programme()
    page = client.get(f"/manage/admin/programme/{programme.id}").text
    assert field_value(page, "max_held_percent") == "33"
    refused = client.post(
        f"/manage/admin/programme/{programme.id}", data=_form(programme, max_held_percent="0")
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "max_held_percent")
    saved = client.post(
        f"/manage/admin/programme/{programme.id}", data=_form(programme, max_held_percent="50")
    )
    assert saved.status_code == 303
    assert _programme(programme.id).max_held_percent == 50
    # a public registration past half of the places waits on the list
    seminar = factories.seminar(programme=programme, capacity=8)
    public = client.application.test_client()
    for n in range(5):
        public.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n)).close()
    db.session.expire_all()
    assert (seminar.held_count, seminar.waitlisted_count) == (4, 1)
