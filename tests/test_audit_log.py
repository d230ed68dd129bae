"""The audit log: every change by a state user (seminars, programmes and their rules,
VHS, councils, trainers, accounts) with who, when, what, old and new value; readable,
filterable by seminar and by the person who acted, a page at a time."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.database import write_transaction
from app.extensions import db
from app.models import AuditEntry, Seminar, SeminarState, Trainer, User, Vhs
from app.services import audit
from tests import factories
from tests.admin_helpers import login_admin, seminar_form, text


@pytest.fixture
def programme(app):
    return factories.programme(title="Reihe 2025–2026")


@pytest.fixture
def admin(client):
    return login_admin(client)


def _log(client, **params) -> str:
    response = client.get("/manage/admin/protokoll", query_string=params)
    assert response.status_code == 200
    return response.text


def _rows(page: str) -> list[str]:
    """The visible text of each row of the log."""
    body = page.split('id="audit-entries"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_date_edit_shows_who_and_the_old_and_new_value(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    before, after = seminar.day1, seminar.day1 + timedelta(days=7)
    data = seminar_form(
        programme,
        seminar.vhs,
        first_day=before,
        day1=after.isoformat(),
        day2=(after + timedelta(days=1)).isoformat(),
    )

    assert (
        client.post(f"/manage/admin/seminare/{seminar.id}/bearbeiten", data=data).status_code == 303
    )

    rows = _rows(_log(client))
    edit = next(row for row in rows if "Seminar geändert" in row)
    assert admin.email in edit
    assert f"Seminar Nr. {seminar.id}" in edit
    assert f"1. Tag: {before:%d.%m.%Y} → {after:%d.%m.%Y}" in edit
    assert (
        f"2. Tag: {before + timedelta(days=1):%d.%m.%Y} → {after + timedelta(days=1):%d.%m.%Y}"
        in edit
    )
    assert "Veranstaltungsort" not in edit  # unchanged fields are not listed
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "seminar_changed")
    ).one()
    assert (entry.actor_id, entry.seminar_id, entry.subject, entry.subject_id) == (
        admin.id, seminar.id, "seminar", seminar.id
    )  # fmt: skip


def test_the_log_filters_by_seminar_and_by_the_person_who_acted(app, client, admin, programme):
    other_admin = factories.user("admin")
    second = app.test_client()
    factories.login(second, other_admin)
    one = factories.seminar(programme=programme, state=SeminarState.DRAFT)
    two = factories.seminar(programme=programme, state=SeminarState.DRAFT)
    client.post(f"/manage/admin/seminare/{one.id}/veroeffentlichen")
    second.post(f"/manage/admin/seminare/{two.id}/veroeffentlichen")
    second.post(f"/manage/admin/seminare/{one.id}/zurueckziehen")
    factories.fill(two, 1)  # the person registers themselves

    everything = _rows(_log(client))
    assert len(everything) == 4

    only_one = _rows(_log(client, seminar=one.id))
    assert len(only_one) == 2
    assert all(f"Seminar Nr. {one.id}" in row for row in only_one)

    by_other = _rows(_log(client, person=other_admin.id))
    assert len(by_other) == 2
    assert all(other_admin.email in row for row in by_other)

    both = _rows(_log(client, seminar=one.id, person=other_admin.id))
    assert len(both) == 1 and "Seminar zurückgezogen" in both[0]
    page = _log(client, seminar=one.id, person=other_admin.id)
    assert f'<option value="{one.id}" selected>' in page  # the filter shows what it filters
    assert f'<option value="{other_admin.id}" selected>' in page


def test_a_seminars_life_is_logged_and_its_entries_outlive_a_deleted_draft(
    client, admin, programme
):
    vhs = factories.vhs()
    response = client.post("/manage/admin/seminare/neu", data=seminar_form(programme, vhs))
    seminar_id = db.session.scalars(sa.select(Seminar.id)).one()
    assert response.status_code == 303
    client.post(f"/manage/admin/seminare/{seminar_id}/veroeffentlichen")
    client.post(f"/manage/admin/seminare/{seminar_id}/zurueckziehen")
    client.post(f"/manage/admin/seminare/{seminar_id}/loeschen")
    db.session.expire_all()
    assert db.session.get(Seminar, seminar_id) is None

    rows = _rows(_log(client, seminar=seminar_id))

    assert [row.split(admin.email)[1].split(" Seminar Nr.")[0].strip() for row in rows] == [
        "Entwurf gelöscht",
        "Seminar zurückgezogen",
        "Seminar veröffentlicht",
        "Seminar angelegt",
    ]
    assert all(f"Seminar Nr. {seminar_id} (gelöscht)" in row for row in rows)
    assert f"Volkshochschule: – → {vhs.name}" in rows[-1]
    assert "Plätze: – → 20" in rows[-1]


def test_vhs_council_trainer_programme_and_account_changes_each_leave_an_entry(
    client, admin, programme
):
    vhs_form = {
        "name": "VHS Hagen", "town": "Hagen", "street": "", "postcode": "",
        "contact_name": "", "contact_email": "info@vhs-hagen.example", "contact_phone": "",
        "slug": "",
    }  # fmt: skip
    client.post("/manage/admin/vhs/neu", data=vhs_form)
    vhs = db.session.scalars(sa.select(Vhs)).one()
    client.post(f"/manage/admin/vhs/{vhs.id}", data=dict(vhs_form, name="VHS Hagen-Mitte"))

    council = {"town": "Hagen", "kind": "integrationsrat", "office_email": "ir@hagen.example"}
    client.post("/manage/admin/gremien/neu", data=council)

    trainer = {"name": "Anna Bildung", "email": "anna@example.org", "kind": "adult_educator"}
    client.post("/manage/admin/trainer/neu", data=trainer)
    trainer_id = db.session.scalars(sa.select(Trainer.id)).one()
    client.post(f"/manage/admin/trainer/{trainer_id}", data=dict(trainer, name="Anna Bildung-Ring"))

    client.post(
        f"/manage/admin/programme/{programme.id}",
        data={
            "title": programme.title,
            "period_start": programme.period_start.isoformat(),
            "period_end": programme.period_end.isoformat(),
            "min_participants": "8", "max_participants": "20", "two_trainers_from": "12",
            "trainer_fee": "500,00", "catering": "12,00",
        },
    )  # fmt: skip

    client.post(
        "/manage/admin/nutzer",
        data={"email": "neu@vhs-hagen.example", "name": "Neu", "role": "vhs",
              "vhs_id": str(vhs.id), "council_id": "0"},
    )  # fmt: skip
    account = db.session.scalars(sa.select(User).where(User.email == "neu@vhs-hagen.example")).one()
    client.post(
        f"/manage/admin/nutzer/{account.id}",
        data={"name": "Neu", "role": "vhs", "vhs_id": str(vhs.id), "council_id": "0"},
    )  # no "active": the account is deactivated

    rows = _rows(_log(client, person=admin.id))
    joined = "\n".join(rows)

    def row(what: str) -> str:
        return next(r for r in rows if what in r)

    assert "VHS angelegt" in joined
    assert "Name: VHS Hagen → VHS Hagen-Mitte" in row("VHS geändert")
    assert "VHS: VHS Hagen-Mitte" in row("VHS geändert")
    assert "Art: – → Integrationsrat" in row("Gremium angelegt")
    assert "Name: Anna Bildung → Anna Bildung-Ring" in row("Trainer*in geändert")
    assert "Trainer*in angelegt" in joined
    programme_row = row("Programm und Regeln geändert")
    assert "Honorar je Trainer*in und Tag: 450,00 € → 500,00 €" in programme_row
    assert "Mindestzahl" not in programme_row
    assert "E-Mail-Adresse: – → neu@vhs-hagen.example" in row("Konto angelegt")
    assert "Konto aktiv: ja → nein" in row("Konto gesperrt")
    assert all(admin.email in r for r in rows)


def test_the_log_is_shown_a_page_at_a_time(client, admin, programme):
    seminar = factories.seminar(programme=programme)
    with write_transaction():
        for n in range(105):
            audit.record(
                audit.Action.SEMINAR_CHANGED,
                seminar_id=seminar.id,
                subject=audit.Subject.SEMINAR,
                subject_id=seminar.id,
                actor_id=admin.id,
                changes=[["note", str(n), str(n + 1)]],
            )

    first = _log(client, seminar=seminar.id)
    assert len(_rows(first)) == 100
    assert "Hinweis: 104 → 105" in _rows(first)[0]
    assert "Ältere Einträge" in first
    second = _log(client, seminar=seminar.id, seite=2)
    assert len(_rows(second)) == 5
    assert "Hinweis: 0 → 1" in _rows(second)[-1]
    assert "Neuere Einträge" in second and "Ältere Einträge" not in second
