"""The Regierungsbezirk of a town (app/data/regions_nrw.csv): every municipality of NRW
once, and a VHS declared as new gets its town's Regierungsbezirk when it is created at
selection, whatever the councils it names."""

import csv

import pytest
import sqlalchemy as sa

from app.core.enums import Region
from app.core.regions import REGIONS_FILE, region_of_town
from app.extensions import db
from app.models import Vhs
from app.services import interest_choice
from tests import factories
from tests.admin_helpers import login_admin, text


def test_the_data_hold_each_municipality_of_nrw_once_in_its_district():
    with REGIONS_FILE.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    towns = [town for row in rows for town in row["towns"].split("|")]
    assert len(rows) == 53  # 22 kreisfreie Städte, 31 Kreise (with the Städteregion)
    assert len(towns) == len(set(towns)) == 396
    assert {row["region"] for row in rows} == {region.value for region in Region}


@pytest.mark.parametrize(
    ("town", "region"),
    [
        ("Gütersloh", Region.DETMOLD),
        ("Köln", Region.KOELN),
        ("Köln-Porz", Region.KOELN),
        ("Hürth", Region.KOELN),
        ("Essen", Region.DUESSELDORF),
        ("Mülheim an der Ruhr", Region.DUESSELDORF),
        ("Langenfeld", Region.DUESSELDORF),
        ("Langenfeld (Rheinland)", Region.DUESSELDORF),
        ("Gelsenkirchen", Region.MUENSTER),
        ("St. Augustin", Region.KOELN),
        ("Fröndenberg", Region.ARNSBERG),
        ("Neunkirchen", Region.ARNSBERG),
        ("Neunkirchen-Seelscheid", Region.KOELN),
        ("Berlin", None),
        ("Neustadt", None),
    ],
)
def test_a_town_has_its_regierungsbezirk(town, region):
    assert region_of_town(town) == region


def test_a_new_vhs_created_at_selection_gets_its_towns_regierungsbezirk(client):
    admin = login_admin(client)
    programme = factories.programme(interest_deadline=None)
    cologne = factories.council(town="Köln", region=Region.KOELN)  # named, in another region
    declaration = factories.vhs_declaration(
        programme=programme,
        new_vhs_name="Volkshochschule Gütersloh",
        new_vhs_town="Gütersloh",
        new_vhs_street="Hohenzollernstraße 43",
        new_vhs_postcode="33330",
        councils=[cologne],
    )
    row = text(client.get("/manage/admin/interesse?bezirk=detmold").text)
    assert "Volkshochschule Gütersloh" in row  # the overview files it under Detmold too
    interest_choice.select_offer(declaration.offers[0].id, actor_id=admin.id)
    db.session.expire_all()
    vhs = db.session.scalar(sa.select(Vhs).where(Vhs.name == "Volkshochschule Gütersloh"))
    assert vhs.region == Region.DETMOLD
