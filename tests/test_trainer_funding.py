"""Rule 5 as decided: a seminar lists its trainers in order, and the funded ones are the
first (8-11 registrations) or the first two (12-20), for the fee and for travel alike.
An assigned trainer who is not funded is named on the seminar page and the overview."""

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import SeminarTrainer, TrainerKind
from app.services import funding
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import login_admin, text


def _tandem(confirmed: int, first: TrainerKind | None = None):
    """A seminar with ``confirmed`` registrations and a tandem: Anna Bildung (adult
    educator, 30 EUR travel) and Cem Rat (council field, 70 EUR travel)."""
    seminar = factories.seminar()
    factories.fill(seminar, confirmed)
    adult = factories.trainer("adult_educator", name="Anna Bildung")
    field = factories.trainer("council_field", name="Cem Rat")
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (adult.id, 30_00),
            TrainerKind.COUNCIL_FIELD: (field.id, 70_00),
        },
        first=first,
    )
    return seminar, adult, field


def _line(seminar):
    db.session.expire_all()
    return next(line for line in funding.overview().lines if line.seminar.id == seminar.id)


def test_with_eight_registrations_only_the_first_trainer_is_funded_fee_and_travel(app):
    seminar, _adult, _field = _tandem(8, first=TrainerKind.COUNCIL_FIELD)
    line = _line(seminar)
    assert line.funding.trainers == 1
    assert line.funding.trainer_fees_cents == 900_00
    assert line.funding.travel_cents == 70_00  # Cem Rat comes first: his travel only
    assert [t.name for t in line.unfunded] == ["Anna Bildung"]
    assert line.funding.total_cents == 900_00 + 70_00 + 96_00


def test_with_twelve_registrations_both_are_funded(app):
    seminar, _adult, _field = _tandem(12)
    line = _line(seminar)
    assert (line.funding.trainers, line.funding.trainer_fees_cents) == (2, 1_800_00)
    assert line.funding.travel_cents == 100_00
    assert line.unfunded == ()


def test_twelve_registrations_with_one_trainer_fund_one(app):
    seminar = factories.seminar()
    factories.fill(seminar, 12)
    set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 40_00)})
    line = _line(seminar)
    assert (line.funding.trainers, line.funding.trainer_fees_cents) == (1, 900_00)
    assert line.funding.travel_cents == 40_00


def test_the_overview_and_its_csv_name_the_trainer_not_funded(client, app):
    seminar, _adult, _field = _tandem(9)
    login_admin(client)

    page = text(client.get("/manage/admin/foerderung").text)
    assert "Nicht gefördert Cem Rat ist zugeordnet, wird aber nicht gefördert" in page
    assert "9 1 900,00 € 30,00 € 108,00 € 1.038,00 €" in page

    response = client.get("/manage/admin/foerderung.csv")
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Nr."] == str(seminar.id)
    assert row["Trainer*innen gefördert"] == "1"
    assert row["Reisekosten (EUR)"] == "30,00"
    assert row["Trainer*innen zugeordnet"] == "2"
    assert row["Nicht gefördert"] == "Cem Rat"


def test_the_seminar_page_warns_and_the_tandem_form_sets_the_order(client, app):
    seminar, adult, field = _tandem(10)
    login_admin(client)
    base = f"/manage/admin/seminare/{seminar.id}"

    page = text(client.get(base).text)
    assert "Nicht gefördert Cem Rat ist zugeordnet, wird aber nicht gefördert" in page
    assert "Anna Bildung (Erwachsenenbildner*in): gefördert" in page
    assert "Cem Rat (aus dem Feld der Integrationsräte): nicht gefördert" in page
    assert "Reisekosten 30,00 €" in page

    # put the council field first: now Cem Rat is funded, with his travel costs
    response = client.post(
        f"{base}/tandem",
        data={
            "adult_educator": str(adult.id),
            "adult_educator_travel": "30,00",
            "council_field": str(field.id),
            "council_field_travel": "70,00",
            "first": "council_field",
        },
    )
    assert response.status_code == 303
    positions = dict(
        db.session.execute(
            sa.select(SeminarTrainer.trainer_id, SeminarTrainer.position).where(
                SeminarTrainer.seminar_id == seminar.id
            )
        ).all()
    )
    assert positions == {field.id: 0, adult.id: 1}
    page = client.get(base).text
    assert '<option selected value="council_field">' in page
    shown = text(page)
    assert "Nicht gefördert Anna Bildung ist zugeordnet, wird aber nicht gefördert" in shown
    assert "Cem Rat (aus dem Feld der Integrationsräte): gefördert" in shown
    assert "Reisekosten 70,00 €" in shown


def test_room_needs_count_the_trainers_assigned_not_those_funded(client, app):
    school = factories.vhs()
    seminar = factories.seminar(vhs=school)
    factories.fill(seminar, 8)  # funds one trainer; the tandem of two is in the room
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (factories.trainer("adult_educator").id, 0),
            TrainerKind.COUNCIL_FIELD: (factories.trainer("council_field").id, 0),
        },
    )
    assert factories.login(client, factories.user("vhs", vhs_id=school.id)).status_code == 303
    page = text(client.get(f"/manage/seminare/{seminar.id}/raumbedarf").text)
    assert "9:00–17:00 Uhr 8 2 10 10 Personen" in page
