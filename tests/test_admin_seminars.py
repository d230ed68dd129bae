"""The seminar pages of the programme administration: the form and the programme's
rules, places, publishing, cancelling, tandems and travel costs."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.formatting import date_short
from app.extensions import db
from app.models import RegistrationState, Seminar, SeminarState, SeminarTrainer
from app.services.registrations import book_seat
from tests import factories
from tests.admin_helpers import (
    field_error,
    field_value,
    login_admin,
    mails,
    registrations,
    seminar_form,
    text,
)


@pytest.fixture
def programme(app):
    """A programme around today, so that its seminars take registrations."""
    return factories.programme(title="Reihe 2025–2026")


@pytest.fixture
def real_period(app):
    """The 2025–2026 programme's period, for the messages that name it."""
    return factories.programme(
        title="Reihe 2025–2026", period_start=date(2025, 10, 1), period_end=date(2026, 11, 30)
    )


@pytest.fixture
def admin(client):
    return login_admin(client)


def _seminar(seminar_id: int) -> Seminar:
    db.session.expire_all()
    return db.session.get(Seminar, seminar_id)


# -- who may ------------------------------------------------------------------------


def test_admin_area_needs_a_login_and_the_admin_role(app):
    anonymous = app.test_client()
    response = anonymous.get("/manage/admin/seminare")
    assert response.status_code == 302 and "/manage/anmelden" in response.headers["Location"]

    vhs_user = app.test_client()
    factories.login(vhs_user, factories.user("vhs", vhs_id=factories.vhs().id))
    assert vhs_user.get("/manage/admin/").status_code == 403
    assert "Verwaltung</a>" not in vhs_user.get("/manage/").text

    admin = app.test_client()
    login_admin(admin)
    page = admin.get("/manage/")
    assert 'href="/manage/admin/">Verwaltung</a>' in page.text
    assert admin.get("/manage/admin/").headers["Cache-Control"] == "no-store"


# -- creating ---------------------------------------------------------------------


def test_a_new_seminar_is_saved_as_a_draft(client, admin, programme):
    vhs, council = factories.vhs(), factories.council(town="Neuss")
    data = seminar_form(programme, vhs, councils=[str(council.id)])

    response = client.post("/manage/admin/seminare/neu", data=data)

    assert response.status_code == 303
    seminar = db.session.scalars(sa.select(Seminar)).one()
    assert response.headers["Location"].endswith(f"/manage/admin/seminare/{seminar.id}")
    assert seminar.state == SeminarState.DRAFT
    assert (seminar.vhs_id, seminar.module, seminar.capacity) == (vhs.id, 1, 20)
    assert [c.town for c in seminar.councils] == ["Neuss"]
    page = client.get(response.headers["Location"])
    assert "Entwurf" in page.text and "Kein Tandem" in page.text
    assert client.get(f"/seminare/{seminar.id}").status_code == 404  # not public yet


def test_the_new_form_starts_with_the_current_programme(client, admin, programme):
    page = client.get("/manage/admin/seminare/neu").text
    assert f'<option selected value="{programme.id}">Reihe 2025–2026' in page
    assert field_value(page, "capacity") == "20"
    assert field_value(page, "day1_starts") == "09:00"


def test_bad_input_gets_german_messages_and_keeps_what_was_typed(client, admin, programme):
    data = seminar_form(
        programme, factories.vhs(), venue_name="", capacity="zwanzig", day1="14.13.2026",
        venue_town="Mönchengladbach", venue_postcode="4021",
    )  # fmt: skip

    response = client.post("/manage/admin/seminare/neu", data=data)

    assert response.status_code == 422
    page = response.text
    assert field_error(page, "venue_name") == "Bitte geben Sie den Veranstaltungsort an."
    assert field_error(page, "capacity") == "Bitte geben Sie eine ganze Zahl an."
    assert field_error(page, "day1") == "Bitte geben Sie ein Datum an (TT.MM.JJJJ)."
    assert field_error(page, "venue_postcode") == (
        "Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."
    )
    assert field_value(page, "venue_town") == "Mönchengladbach"
    assert field_value(page, "capacity") == "zwanzig"
    assert field_value(page, "day1") == "14.13.2026"
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) == 0


def test_german_dates_are_understood_too(client, admin, programme):
    data = seminar_form(programme, factories.vhs(), day1="14.03.2026", day2="15.03.2026",
                        registration_deadline="01.03.2026")  # fmt: skip
    assert client.post("/manage/admin/seminare/neu", data=data).status_code == 303
    assert db.session.scalars(sa.select(Seminar)).one().day1 == date(2026, 3, 14)


OUTSIDE = "liegt nicht im Zeitraum des Programms (01.10.2025 bis 30.11.2026)."
TWO_DAYS = "Der 2. Tag muss nach dem 1. Tag liegen: Ein Seminar sind zwei verschiedene Tage."
PLACES = "Bitte geben Sie zwischen 8 und 20 Plätze an (Mindest- und Höchstzahl des Programms)."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"day1": "2025-09-30", "day2": "2025-10-01", "registration_deadline": "2025-09-20"},
            "day1", f"Der 1. Tag {OUTSIDE}", id="day1-before-the-period",
        ),
        pytest.param(
            {"day1": "2026-11-30", "day2": "2026-12-01", "registration_deadline": "2026-11-20"},
            "day2", f"Der 2. Tag {OUTSIDE}", id="day2-after-the-period",
        ),
        pytest.param(
            {"day1": "2026-03-14", "day2": "2026-03-13", "registration_deadline": "2026-03-01"},
            "day2", TWO_DAYS, id="day2-before-day1",
        ),
        pytest.param(
            {"day1": "2026-03-14", "day2": "2026-03-14", "registration_deadline": "2026-03-01"},
            "day2", TWO_DAYS, id="the-same-day-twice",
        ),
        pytest.param({"capacity": "21"}, "capacity", PLACES, id="capacity-above-maximum"),
        pytest.param({"capacity": "7"}, "capacity", PLACES, id="capacity-below-minimum"),
        pytest.param({"capacity": "0"}, "capacity", PLACES, id="capacity-zero"),
        pytest.param(
            {"day1_starts": "17:00", "day1_ends": "09:00"}, "day1_ends",
            "Das Ende muss nach dem Beginn liegen.", id="day-ends-before-it-starts",
        ),
        pytest.param(
            {"day1": "2026-03-14", "day2": "2026-03-15", "registration_deadline": "2026-03-14"},
            "registration_deadline", "Der Anmeldeschluss muss vor dem 1. Tag liegen.",
            id="deadline-on-day1",
        ),
    ],
)  # fmt: skip
def test_the_programme_rules_refuse_with_a_german_message(
    client, admin, real_period, overrides, field, message
):
    data = seminar_form(real_period, factories.vhs(), **overrides)
    response = client.post("/manage/admin/seminare/neu", data=data)
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert field_value(response.text, field) == overrides[field]


def test_the_first_and_last_day_of_the_period_are_allowed(client, admin, real_period):
    vhs = factories.vhs()
    first = seminar_form(real_period, vhs, first_day=date(2025, 10, 1))
    last = seminar_form(real_period, vhs, first_day=date(2026, 11, 29), module="2")
    assert client.post("/manage/admin/seminare/neu", data=first).status_code == 303
    assert client.post("/manage/admin/seminare/neu", data=last).status_code == 303


def test_a_second_basic_module_at_the_same_vhs_is_refused_naming_the_holder(
    client, admin, programme
):
    holder = factories.seminar(programme=programme, module=1)
    later = holder.day1 + timedelta(days=50)
    data = seminar_form(programme, holder.vhs, module="1", first_day=later)

    response = client.post("/manage/admin/seminare/neu", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "module") == (
        f"Die {holder.vhs.name} hat in diesem Programm schon ein Basismodul: "
        f"Seminar Nr. {holder.id} am {date_short(holder.day1)}. Je Standort wird nur ein "
        "Seminar pro Modul gefördert."
    )
    assert field_value(response.text, "day1") == later.isoformat()
    advanced = dict(data, module="2")
    assert client.post("/manage/admin/seminare/neu", data=advanced).status_code == 303
    third = dict(data, module="2")
    assert client.post("/manage/admin/seminare/neu", data=third).status_code == 422


def test_moving_a_seminar_onto_a_taken_place_is_refused(client, admin, programme):
    holder = factories.seminar(programme=programme, module=2)
    other = factories.seminar(programme=programme, module=1)
    data = seminar_form(programme, holder.vhs, module="2", first_day=other.day1)
    response = client.post(f"/manage/admin/seminare/{other.id}/bearbeiten", data=data)
    assert response.status_code == 422
    assert f"Seminar Nr. {holder.id} am {date_short(holder.day1)}" in field_error(
        response.text, "module"
    )
    assert _seminar(other.id).vhs_id == other.vhs_id


# -- editing and places ------------------------------------------------------------


def _edit_data(seminar, **overrides) -> dict:
    return seminar_form(seminar.programme, seminar.vhs, first_day=seminar.day1, **overrides)


def test_edit_form_shows_the_seminar_and_saves_changes(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    page = client.get(f"/manage/admin/seminare/{seminar.id}/bearbeiten").text
    assert field_value(page, "venue_name") == seminar.venue_name
    assert field_value(page, "day1") == seminar.day1.isoformat()

    data = _edit_data(seminar, venue_name="Rathaus, Ratssaal", capacity="15")
    response = client.post(f"/manage/admin/seminare/{seminar.id}/bearbeiten", data=data)

    assert response.status_code == 303
    changed = _seminar(seminar.id)
    assert (changed.venue_name, changed.capacity) == ("Rathaus, Ratssaal", 15)


def test_lowering_places_below_the_confirmed_count_is_refused_naming_it(client, admin, programme):
    seminar = factories.seminar(programme=programme, capacity=12)
    factories.fill(seminar, 10)
    data = _edit_data(seminar, capacity="9", venue_name="Anderswo")

    response = client.post(f"/manage/admin/seminare/{seminar.id}/bearbeiten", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "capacity") == (
        "Es sind 10 Plätze bestätigt: Die Zahl der Plätze kann nicht unter 10 sinken. "
        "Niemand verliert so einen bestätigten Platz."
    )
    assert field_value(response.text, "capacity") == "9"
    unchanged = _seminar(seminar.id)
    assert (unchanged.capacity, unchanged.venue_name) == (12, seminar.venue_name)
    assert all(r.state == RegistrationState.CONFIRMED for r in registrations(seminar.id))


def test_raising_places_moves_waitlisted_people_up_in_order(client, admin, programme):
    seminar = factories.seminar(programme=programme, capacity=8)
    factories.fill(seminar, 8)
    for n, name in enumerate(["Neunte", "Zehnte", "Elfte"], start=8):
        book_seat(seminar.id, factories.applicant(n, last_name=name))

    response = client.post(
        f"/manage/admin/seminare/{seminar.id}/bearbeiten", data=_edit_data(seminar, capacity="10")
    )

    assert response.status_code == 303
    states = {r.last_name: r.state for r in registrations(seminar.id)}
    assert (states["Neunte"], states["Zehnte"], states["Elfte"]) == (
        "confirmed", "confirmed", "waitlisted"
    )  # fmt: skip
    page = text(client.get(response.headers["Location"]).text)
    assert "Von der Warteliste nachgerückt: Alex Neunte, Alex Zehnte." in page
    assert len(mails("moved_up")) == 2
    log = text(client.get("/manage/admin/protokoll").text)
    assert "Plätze geändert" in log and "Plätze: 8 → 10" in log


# -- publishing and cancelling ---------------------------------------------------------


def test_publishing_and_withdrawing_are_explicit_actions(client, admin, programme):
    seminar = factories.seminar(programme=programme, state=SeminarState.DRAFT)
    base = f"/manage/admin/seminare/{seminar.id}"
    assert "Veröffentlichen" in client.get(base).text

    response = client.post(f"{base}/veroeffentlichen")
    assert response.status_code == 303
    assert "Das Seminar ist veröffentlicht" in text(client.get(base).text)
    assert _seminar(seminar.id).state == SeminarState.PUBLISHED
    assert client.get(f"/seminare/{seminar.id}").status_code == 200

    client.post(f"{base}/zurueckziehen")
    assert _seminar(seminar.id).state == SeminarState.DRAFT
    assert client.get(f"/seminare/{seminar.id}").status_code == 404


def test_withdrawing_is_refused_while_people_are_registered(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    factories.fill(seminar, 3)
    base = f"/manage/admin/seminare/{seminar.id}"
    assert "Zurückziehen (wieder Entwurf)" not in client.get(base).text

    client.post(f"{base}/zurueckziehen")

    assert _seminar(seminar.id).state == SeminarState.PUBLISHED
    assert "Das Seminar hat 3 aktive Anmeldungen." in text(client.get(base).text)


def test_cancelling_asks_first_then_cancels_everyone_and_queues_mails(client, admin, programme):
    seminar = factories.seminar(programme=programme, capacity=2)
    factories.fill(seminar, 3)
    base = f"/manage/admin/seminare/{seminar.id}"

    confirm = client.get(f"{base}/absagen")
    assert confirm.status_code == 200
    page = text(confirm.text)
    assert "Seminar absagen?" in page
    assert "alle 3 aktiven Anmeldungen (2 bestätigt, 1 auf der Warteliste) storniert" in page
    assert _seminar(seminar.id).state == SeminarState.PUBLISHED  # asking changes nothing

    response = client.post(f"{base}/absagen")

    assert response.status_code == 303
    assert _seminar(seminar.id).state == SeminarState.CANCELLED
    rows = registrations(seminar.id)
    assert all(r.state == RegistrationState.CANCELLED and r.cancelled_at for r in rows)
    assert sorted(m.registration_id for m in mails("seminar_cancelled")) == [r.id for r in rows]
    detail = text(client.get(base).text)
    assert "Das Seminar ist abgesagt. 3 Anmeldungen sind storniert" in detail
    assert "Abgesagt." in text(client.get(f"/seminare/{seminar.id}").text)

    # once cancelled: no second round of mails, no more changes
    assert client.post(f"{base}/absagen").status_code == 303
    assert len(mails("seminar_cancelled")) == 3
    edit = client.get(f"{base}/bearbeiten")
    assert edit.status_code == 303
    assert client.post(f"{base}/veroeffentlichen").status_code == 303
    assert _seminar(seminar.id).state == SeminarState.CANCELLED


# -- tandem and travel costs -----------------------------------------------------------


def test_tandem_and_travel_costs_are_recorded(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    adult = factories.trainer("adult_educator", name="Anna Bildung")
    field = factories.trainer("council_field", name="Cem Rat")
    base = f"/manage/admin/seminare/{seminar.id}"

    response = client.post(
        f"{base}/tandem",
        data={
            "adult_educator": str(adult.id),
            "adult_educator_travel": "84,50",
            "council_field": str(field.id),
            "council_field_travel": "1.234,5",
        },
    )

    assert response.status_code == 303
    rows = dict(
        db.session.execute(
            sa.select(SeminarTrainer.trainer_id, SeminarTrainer.travel_cost_cents)
        ).all()
    )
    assert rows == {adult.id: 84_50, field.id: 1_234_50}
    page = text(client.get(base).text)
    assert "Reisekosten zusammen 1.319,00 €" in page
    assert "Kein Tandem" not in page and "unvollständig" not in page
    assert field_value(client.get(base).text, "adult_educator_travel") == "84,50"


def test_bad_travel_costs_are_refused_and_kept(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    adult = factories.trainer("adult_educator")
    response = client.post(
        f"/manage/admin/seminare/{seminar.id}/tandem",
        data={"adult_educator": str(adult.id), "adult_educator_travel": "zwölf",
              "council_field": "0", "council_field_travel": "10"},
    )  # fmt: skip
    assert response.status_code == 422
    assert field_error(response.text, "adult_educator_travel") == (
        "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."
    )
    assert field_value(response.text, "adult_educator_travel") == "zwölf"
    assert field_error(response.text, "council_field_travel") == (
        "Reisekosten lassen sich nur für eine zugeordnete Person erfassen."
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SeminarTrainer)) == 0


def test_a_trainer_of_the_other_kind_is_not_offered(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    field = factories.trainer("council_field")
    response = client.post(
        f"/manage/admin/seminare/{seminar.id}/tandem", data={"adult_educator": str(field.id)}
    )
    assert response.status_code == 422
    assert field_error(response.text, "adult_educator") == (
        "Bitte wählen Sie einen Eintrag aus der Liste."
    )


def test_the_site_warns_about_missing_and_incomplete_tandems_and_overlaps(client, admin, programme):
    day1 = programme.period_start + timedelta(days=400)  # ahead of today
    current = programme
    nobody = factories.seminar(programme=current, day1=day1)
    half = factories.seminar(programme=current, day1=day1 + timedelta(days=14))
    busy = factories.trainer("adult_educator", name="Berta Doppelt")
    field = factories.trainer("council_field", name="Cem Rat")
    clash_a = factories.seminar(programme=current, day1=day1 + timedelta(days=28))
    clash_b = factories.seminar(programme=current, day1=day1 + timedelta(days=29))
    post = client.post
    post(f"/manage/admin/seminare/{half.id}/tandem", data={"adult_educator": str(busy.id)})
    for seminar in (clash_a, clash_b):
        post(
            f"/manage/admin/seminare/{seminar.id}/tandem",
            data={"adult_educator": str(busy.id), "council_field": str(field.id)},
        )

    overview = text(client.get("/manage/admin/").text)
    assert f"(Nr. {nobody.id}," in overview and "Kein Tandem" in overview
    assert "Tandem unvollständig" in overview
    assert (
        f"Berta Doppelt ist zur selben Zeit auch in Seminar Nr. {clash_b.id}" in overview
        and f"Cem Rat ist zur selben Zeit auch in Seminar Nr. {clash_a.id}" in overview
    )
    detail = text(client.get(f"/manage/admin/seminare/{half.id}").text)
    assert "Tandem unvollständig" in detail and "Überschneidung" not in detail
    detail = text(client.get(f"/manage/admin/seminare/{clash_a.id}").text)
    assert "Überschneidung" in detail and "Tandem unvollständig" not in detail
    listing = text(client.get("/manage/admin/seminare").text)
    assert listing.count("Kein Tandem") == 1
    trainers_page = text(client.get("/manage/admin/trainer").text)
    assert f"Seminar Nr. {clash_a.id} und Nr. {clash_b.id} liegen zur selben Zeit" in trainers_page


def test_a_draft_is_deleted_rather_than_cancelled(client, admin, programme):
    draft = factories.seminar(programme=programme, state=SeminarState.DRAFT)
    base = f"/manage/admin/seminare/{draft.id}"
    page = client.get(base).text
    assert "Entwurf löschen" in page and "Seminar absagen" not in page

    refused = client.get(f"{base}/absagen")
    assert refused.status_code == 303
    assert "wird nicht abgesagt" in text(client.get(base).text)

    response = client.post(f"{base}/loeschen")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/manage/admin/seminare")
    assert _seminar(draft.id) is None
    assert "Der Entwurf ist gelöscht." in text(client.get("/manage/admin/seminare").text)


def test_a_published_seminar_is_not_deleted(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    assert "Entwurf löschen" not in client.get(f"/manage/admin/seminare/{seminar.id}").text
    client.post(f"/manage/admin/seminare/{seminar.id}/loeschen")
    assert _seminar(seminar.id) is not None
