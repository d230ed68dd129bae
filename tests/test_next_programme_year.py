"""The next programme year, started from an existing programme: the form prefilled from
it (period a year on, figures the same), the new programme created with the rules
copied and edited, no seminars carried over, and it becomes the current programme."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, Programme, Registration, Seminar
from app.rules import ProgrammeRules
from app.services.programmes import (
    NextPeriodRefused,
    next_period,
    next_title,
    start_next_programme,
)
from tests import factories
from tests.admin_helpers import field_error, field_value, login_admin, text

OVERLAP = (
    "Der Zeitraum überschneidet sich mit dem von „Reihe 2025–2026“ (01.10.2025 bis "
    "30.11.2026). Das nächste Programmjahr muss nach dem 30.11.2026 beginnen."
)


@pytest.fixture
def admin(client):
    return login_admin(client)


@pytest.fixture
def source(app):
    return factories.programme(
        title="Reihe 2025–2026",
        period_start=date(2025, 10, 1),
        period_end=date(2026, 11, 30),
        min_participants=9,
        max_participants=22,
        two_trainers_from=13,
        max_trainers=2,
        seminar_days=2,
        trainer_fee_cents_per_day=480_00,
        catering_cents_per_person=13_50,
    )


def _url(programme: Programme) -> str:
    return f"/manage/admin/programme/{programme.id}/naechstes-jahr"


def _form(**overrides) -> dict:
    data = {
        "title": "Reihe 2026–2027",
        "period_start": "2026-12-01",
        "period_end": "2027-11-30",
        "min_participants": "9",
        "max_participants": "22",
        "two_trainers_from": "13",
        "trainer_fee": "480,00",
        "catering": "13,50",
    }
    data.update(overrides)
    return data


def _programmes() -> list[Programme]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.id)))


def _created_entries() -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "programme_created"))
    )


def test_the_list_and_the_current_programmes_page_offer_the_next_year(client, admin, source):
    listing = client.get("/manage/admin/programme").text
    assert f'href="{_url(source)}">Nächstes Programmjahr anlegen</a>' in listing
    page = client.get(f"/manage/admin/programme/{source.id}").text
    assert f'href="{_url(source)}">Nächstes Programmjahr anlegen</a>' in page


def test_the_form_is_prefilled_from_the_source(client, admin, source):
    response = client.get(_url(source))

    assert response.status_code == 200
    page = response.text
    assert field_value(page, "title") == "Reihe 2026–2027"
    # a year on; the source is longer than a year, so the start is the day after its end
    assert field_value(page, "period_start") == "2026-12-01"
    assert field_value(page, "period_end") == "2027-11-30"
    assert field_value(page, "min_participants") == "9"
    assert field_value(page, "max_participants") == "22"
    assert field_value(page, "two_trainers_from") == "13"
    assert field_value(page, "trainer_fee") == "480,00"
    assert field_value(page, "catering") == "13,50"
    shown = text(page)
    assert "Volkshochschulen, Integrationsräte, Trainer*innen und Nutzer*innen" in shown
    assert "Seminare und Anmeldungen gehören zu ihrem Programm" in shown


def test_a_one_year_period_moves_on_by_exactly_a_year(client, admin):
    programme = factories.programme(
        title="Reihe 2027", period_start=date(2027, 1, 1), period_end=date(2027, 12, 31)
    )
    page = client.get(_url(programme)).text
    assert field_value(page, "title") == "Reihe 2028"
    assert field_value(page, "period_start") == "2028-01-01"
    assert field_value(page, "period_end") == "2028-12-31"


def test_suggested_titles_and_periods():
    assert next_title("Reihe 2025–2026", date(2026, 12, 1), date(2027, 11, 30)) == (
        "Reihe 2026–2027"
    )
    assert next_title("Qualifizierung", date(2027, 1, 1), date(2027, 12, 31)) == (
        "Qualifizierung 2027"
    )
    assert next_title("Qualifizierung", date(2026, 12, 1), date(2027, 11, 30)) == (
        "Qualifizierung 2026–2027"
    )
    leap = ProgrammeRules(period_start=date(2027, 3, 1), period_end=date(2028, 2, 29))
    assert next_period(leap) == (date(2028, 3, 1), date(2029, 2, 28))


def test_saving_creates_the_current_programme_with_copied_rules_and_no_seminars(
    client, admin, source
):
    seminar = factories.seminar(programme=source, day1=date(2026, 3, 14))
    factories.fill(seminar, 3, today=date(2026, 2, 1))

    # a plain form POST, as without JavaScript
    response = client.post(_url(source), data=_form(min_participants="10", trainer_fee="500,00"))

    assert response.status_code == 303
    old, new = _programmes()
    assert response.headers["Location"].endswith(f"/manage/admin/programme/{new.id}")
    assert new.title == "Reihe 2026–2027"
    assert (new.period_start, new.period_end) == (date(2026, 12, 1), date(2027, 11, 30))
    assert new.rules == ProgrammeRules(
        period_start=date(2026, 12, 1),
        period_end=date(2027, 11, 30),
        min_participants=10,  # edited
        max_participants=22,
        two_trainers_from=13,
        max_trainers=2,
        seminar_days=2,
        trainer_fee_cents_per_day=500_00,  # edited
        catering_cents_per_person=13_50,
    )
    assert old.rules == source.rules  # the source is left alone
    assert Programme.current().id == new.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Seminar).where(Seminar.programme_id == new.id)
        )
        == 0
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Seminar)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 3

    shown = text(client.get(response.headers["Location"]).text)
    assert "Das Programm „Reihe 2026–2027“ ist angelegt und jetzt das aktuelle" in shown
    assert "Reihe 2026–2027 aktuell" in text(client.get("/manage/admin/programme").text)
    # new seminars default to it
    seminar_form = client.get("/manage/admin/seminare/neu").text
    assert f'<option selected value="{new.id}">Reihe 2026–2027' in seminar_form


def test_the_creation_is_audited_naming_its_source(client, admin, source):
    client.post(_url(source), data=_form())

    new = _programmes()[-1]
    (entry,) = _created_entries()
    assert (entry.subject, entry.subject_id, entry.actor_id) == ("programme", new.id, admin.id)
    assert entry.detail == "Reihe 2026–2027 (nächstes Programmjahr nach „Reihe 2025–2026“)"
    log = text(client.get("/manage/admin/protokoll").text)
    assert "Programm angelegt" in log
    assert "Programm: Reihe 2026–2027 (nächstes Programmjahr nach „Reihe 2025–2026“)" in log
    assert "Zeitraum von: – → 01.12.2026" in log


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-11-30", "2027-11-30", "period_start", OVERLAP),
        ("2025-01-01", "2027-11-30", "period_start", OVERLAP),
        (
            "2024-10-01",
            "2025-09-30",
            "period_end",
            "Der Zeitraum endet vor dem Beginn von „Reihe 2025–2026“ am 01.10.2025. "
            "Das nächste Programmjahr muss danach liegen.",
        ),
        (
            "2027-12-01",
            "2027-11-30",
            "period_end",
            "Das Ende des Zeitraums darf nicht vor seinem Beginn liegen.",
        ),
    ],
)
def test_a_period_not_after_the_source_is_refused_and_nothing_is_stored(
    client, admin, source, start, end, field, message
):
    response = client.post(_url(source), data=_form(period_start=start, period_end=end))

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert field_value(response.text, "period_start") == start  # what was typed is kept
    assert [p.id for p in _programmes()] == [source.id]
    assert _created_entries() == []


def test_the_new_year_must_end_last(client, admin, source):
    factories.programme(
        title="Reihe 2028", period_start=date(2028, 1, 1), period_end=date(2028, 12, 31)
    )
    response = client.post(_url(source), data=_form())
    assert response.status_code == 422
    assert field_error(response.text, "period_end") == (
        "Das Programm „Reihe 2028“ endet erst am 31.12.2028. Das nächste Programmjahr muss "
        "später enden, damit neue Seminare zu ihm gehören."
    )
    assert len(_programmes()) == 2


def test_the_service_refuses_without_a_route(app, source):
    rules = ProgrammeRules(period_start=date(2026, 6, 1), period_end=date(2027, 5, 31))
    with pytest.raises(NextPeriodRefused) as refused:
        start_next_programme(source.id, "Reihe 2026–2027", rules)
    assert (refused.value.field, refused.value.message) == ("period_start", OVERLAP)
    assert len(_programmes()) == 1


def test_a_finished_programme_stays_readable_and_its_seminars_reachable(client, admin):
    today = today_berlin()
    finished = factories.programme(
        title="Reihe alt",
        period_start=today - timedelta(days=400),
        period_end=today - timedelta(days=30),
    )
    seminar = factories.seminar(programme=finished, day1=today - timedelta(days=60))
    start = today - timedelta(days=29)
    response = client.post(
        _url(finished),
        data=_form(
            title="Reihe neu",
            period_start=start.isoformat(),
            period_end=(start + timedelta(days=365)).isoformat(),
        ),
    )
    assert response.status_code == 303

    listing = text(client.get("/manage/admin/programme").text)
    assert "Reihe neu aktuell" in listing and "Reihe alt" in listing
    assert client.get(f"/manage/admin/programme/{finished.id}").status_code == 200
    assert f"/manage/admin/seminare/{seminar.id}" in client.get("/manage/admin/seminare").text
    detail = client.get(f"/manage/admin/seminare/{seminar.id}")
    assert detail.status_code == 200 and "Reihe alt" in text(detail.text)
    # the public listings show seminars that have not ended: this one is gone from them
    assert f"/seminare/{seminar.id}" not in client.get("/").text


def test_an_unknown_source_is_not_found(client, admin):
    assert client.get("/manage/admin/programme/999/naechstes-jahr").status_code == 404


# -- a second send of the same form --------------------------------------------------


ALREADY = (
    "Das nächste Programmjahr nach „Reihe 2025–2026“ ist schon angelegt: „Reihe 2026–2027“. "
    "Es wurde nichts erneut angelegt."
)


def test_a_second_send_of_the_form_creates_nothing_and_says_so(client, admin, source):
    first = client.post(_url(source), data=_form())
    client.get(first.headers["Location"])  # the page after it, with its message
    # the back button, a reload or a double click: the same form once more
    second = client.post(_url(source), data=_form())

    old, new = _programmes()
    assert old.id == source.id
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Location"].endswith(f"/manage/admin/programme/{new.id}")
    assert len(_created_entries()) == 1
    shown = text(client.get(second.headers["Location"]).text)
    assert ALREADY in shown
    assert "ist angelegt und jetzt das aktuelle" not in shown
    # the form itself says so, before it is sent again
    form = text(client.get(_url(source)).text)
    assert "Das nächste Programmjahr nach „Reihe 2025–2026“ ist schon angelegt" in form


def test_a_changed_second_send_creates_nothing_either(client, admin, source):
    client.post(_url(source), data=_form())
    again = client.post(_url(source), data=_form(title="Reihe 2027", period_end="2027-12-31"))

    assert again.status_code == 303
    assert [p.title for p in _programmes()] == ["Reihe 2025–2026", "Reihe 2026–2027"]
    assert ALREADY in text(client.get(again.headers["Location"]).text)


def test_the_service_answers_a_second_call_with_the_programme_it_made(app, source):
    rules = ProgrammeRules(period_start=date(2026, 12, 1), period_end=date(2027, 11, 30))
    first = start_next_programme(source.id, "Reihe 2026–2027", rules)
    second = start_next_programme(source.id, "Reihe 2026–2027", rules)

    assert first.created and not second.created
    assert first.programme.id == second.programme.id
    assert len(_programmes()) == 2
    assert len(_created_entries()) == 1


def test_sends_at_the_same_moment_make_one_programme(app, source):
    rules = ProgrammeRules(period_start=date(2026, 12, 1), period_end=date(2027, 11, 30))
    source_id = source.id  # read here: the test's session is not for the threads
    barrier = threading.Barrier(4)

    def send():
        with app.app_context():
            barrier.wait()
            started = start_next_programme(source_id, "Reihe 2026–2027", rules)
            return started.programme.id, started.created

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: send(), range(4)))
    db.session.rollback()  # read what the threads committed, not an older snapshot

    assert len({programme_id for programme_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len(_programmes()) == 2
    assert len(_created_entries()) == 1


def test_the_database_holds_one_next_year_per_programme(app, source):
    """The constraint, not only the check before the insert: a second row naming the
    same programme as its previous year is refused by the database itself."""
    for title in ("Reihe A", "Reihe B"):
        db.session.add(
            Programme(
                title=title,
                period_start=date(2026, 12, 1),
                period_end=date(2027, 11, 30),
                previous_id=source.id,
            )
        )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
