"""The overview of interest declarations as the state organisers count with it: a
council with a seminar of its module at a location that serves it has a location, each
council is listed and counted once, and a council declaring the same module twice is
flagged and counted once."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.core.timeutil import today_berlin
from app.models import DeclarationState, OfferState, SeminarState
from tests import factories
from tests.admin_helpers import login_admin, text

OVERVIEW = "/manage/admin/interesse"


@pytest.fixture
def admin(client):
    return login_admin(client)


@pytest.fixture
def place(app):
    """Köln's VHS holds a Basismodul (no council named) and an Aufbaumodul for Pulheim;
    Dortmund's VHS holds a Basismodul for Dortmund's council, which its declaration names;
    Bonn's Aufbaumodul is cancelled and its Basismodul belongs to the year before; Essen's
    council declared twice, once more under a plain spelling of its town."""
    today = today_berlin()
    older = factories.programme(
        title="Reihe alt", period_start=today.replace(year=today.year - 2), period_end=today
    )
    programme = factories.programme(
        title="Reihe neu",
        period_start=today,
        period_end=today.replace(year=today.year + 1),
        interest_deadline=today,
    )
    councils = {town: factories.council(town=town) for town in ("Köln", "Hürth", "Pulheim")}
    councils |= {town: factories.council(town=town) for town in ("Dortmund", "Bonn", "Essen")}
    vhs = {
        town: factories.vhs(name=f"Volkshochschule {town}", town=town)
        for town in ("Köln", "Dortmund", "Bonn", "Essen")
    }
    factories.seminar(programme=programme, vhs=vhs["Köln"], module=1, venue_town="Köln")
    factories.seminar(
        programme=programme,
        vhs=vhs["Köln"],
        module=2,
        venue_town="Köln",
        councils=[councils["Pulheim"]],
    )
    factories.seminar(
        programme=programme,
        vhs=vhs["Dortmund"],
        module=1,
        venue_town="Dortmund",
        councils=[councils["Dortmund"]],
        state=SeminarState.DRAFT,
    )
    factories.seminar(
        programme=programme,
        vhs=vhs["Bonn"],
        module=2,
        venue_town="Bonn",
        state=SeminarState.CANCELLED,
    )
    factories.seminar(programme=older, vhs=vhs["Bonn"], module=1, venue_town="Bonn")
    factories.vhs_declaration(
        programme=programme,
        vhs=vhs["Dortmund"],
        offers=({"module": 1},),
        councils=[councils["Dortmund"]],
    )
    essen_offer = factories.vhs_declaration(
        programme=programme, vhs=vhs["Essen"], offers=({"module": 1},)
    )

    def wants(town, *, basic=True, advanced=False, **more):
        return factories.council_declaration(
            programme=programme,
            council=councils[town],
            wants_basic=basic,
            wants_advanced=advanced,
            **more,
        )

    wants("Köln", estimated_participants=14)
    wants("Hürth", preferred_vhs_id=vhs["Köln"].id, estimated_participants=9)
    wants("Pulheim", basic=False, advanced=True)
    wants("Bonn", advanced=True, estimated_participants=11)
    first = wants("Essen", estimated_participants=10, contact_email="erste@essen.example")
    second = wants(
        "Essen", advanced=True, estimated_participants=15, contact_email="zweite@essen.example"
    )
    spelled = factories.council_declaration(
        programme=programme,
        new_council_town=" essen",
        wants_basic=True,
        estimated_participants=7,
        contact_email="dritte@essen.example",
        state=DeclarationState.NEW,
    )
    return {
        "programme": programme,
        "essen_offer": essen_offer,
        "essen": [first, second, spelled],
    }


def _unserved(page: str) -> str:
    return text(page.split('id="unserved"')[1].split("</table>")[0])


def _facts(page: str) -> str:
    return text(page.split('class="facts-inline"')[1].split("</ul>")[0])


# -- who has a location --------------------------------------------------------------------


def test_a_seminar_of_the_module_at_a_location_that_serves_the_council_counts(client, admin, place):
    unserved = _unserved(client.get(OVERVIEW).text)

    assert "Köln" not in unserved  # a Basismodul at the VHS in its town
    assert "Hürth" not in unserved  # ... at the VHS it prefers
    assert "Pulheim" not in unserved  # an Aufbaumodul that names it
    assert "Dortmund" not in unserved  # a (draft) Basismodul that names it
    # cancelled, and last year's, hold no place for this year
    assert "Bonn Basismodul, Aufbaumodul" in unserved


def test_each_council_is_listed_and_counted_once(client, admin, place):
    page = client.get(OVERVIEW).text
    unserved = _unserved(page)

    assert unserved.count("Essen") == 1
    assert "Essen Basismodul, Aufbaumodul" in unserved
    assert "ca. 15 Personen" in unserved  # the newest confirmed declaration's figure
    facts = _facts(page)
    assert "2 Integrationsräte noch ohne Standort" in facts  # Bonn and Essen
    assert "5 Integrationsräte mit Interessenbekundung" in facts


# -- duplicate declarations -------------------------------------------------------------------


def test_a_module_declared_twice_by_one_council_is_flagged(client, admin, place):
    page = client.get(OVERVIEW).text
    first, second, spelled = place["essen"]

    assert "1 doppelt bekundetes Modul" in _facts(page)
    duplicates = text(page.split('id="duplicates"')[1].split("</table>")[0])
    assert "Essen Basismodul" in duplicates
    for declaration in (first, second, spelled):
        assert declaration.contact_email in duplicates
    assert "Aufbaumodul" not in duplicates  # declared once
    offers = text(page.split(f'id="declaration-{place["essen_offer"].id}"')[1])
    assert "doppelt bekundet" in offers.split("</section>")[0]


def test_a_duplicate_counts_once_in_the_demand_behind_an_offer(client, admin, place):
    page = client.get(OVERVIEW).text
    offer = place["essen_offer"].offers[0]
    row = text(page.split(f'id="angebot-{offer.id}"')[1].split("</tr>")[0])

    assert "ca. 15 Personen" in row  # not 10 + 15
    assert "1 Gremium dahinter" in row


# -- the exports hold what the page shows ---------------------------------------------------


@pytest.fixture
def declared(app):
    """A new VHS with an address, a note and an accessibility note, no room named, one
    offer with days (declined), one without days or period; a council near it."""
    today = today_berlin()
    programme = factories.programme(
        title="Reihe neu", period_start=today, period_end=today.replace(year=today.year + 1)
    )
    factories.council_declaration(
        programme=programme,
        new_council_town="Neustadt",
        wants_basic=True,
        wants_advanced=True,
        estimated_participants=12,
        contact_name="Nele Rat",
        contact_email="nele@neustadt.example",
        state=DeclarationState.NEW,
    )
    return factories.vhs_declaration(
        programme=programme,
        new_vhs_name="Volkshochschule Neustadt",
        new_vhs_town="Neustadt",
        new_vhs_street="Am Markt 1",
        new_vhs_postcode="40210",
        room="",
        room_capacity=None,
        step_free=False,
        accessibility_note="kein Aufzug, Rampe am Hintereingang",
        note="-> Parkplätze im Hof",
        offers=(
            {
                "module": 1,
                "state": OfferState.DECLINED,
                "decision_reason": "Der Raum fehlt noch.",
                "decided_at": datetime(2026, 3, 14, 8, 5),
            },
            {"module": 2, "day1": None, "day2": None},
        ),
    )


def _csv_rows(client) -> list[dict[str, str]]:
    response = client.get(f"{OVERVIEW}/export.csv")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_the_csv_holds_every_field_the_page_shows(client, admin, declared):
    basic, advanced = _csv_rows(client)

    assert basic["Adresse"] == "Am Markt 1, 40210 Neustadt"
    assert basic["Hinweis zur Barrierefreiheit"] == "kein Aufzug, Rampe am Hintereingang"
    assert basic["Anmerkung der VHS"] == "'-> Parkplätze im Hof"  # never run as a formula
    assert basic["Raum"] == "keine Angabe" and basic["Plätze im Raum"] == "keine Angabe"
    assert basic["Geschätzter Bedarf"] == "keine Angabe"  # not 0
    assert basic["Gremien dahinter"] == "0"
    assert basic["1. Tag"] == declared.offers[0].day1.strftime("%d.%m.%Y")
    assert basic["Begründung"] == "Der Raum fehlt noch."
    assert basic["Entschieden am"] == "14.03.2026, 9:05 Uhr"  # Berlin time
    councils = basic["Integrationsräte"]
    assert "Neustadt (im selben Ort)" in councils
    assert "möchte Basismodul und Aufbaumodul" in councils and "ca. 12 Personen" in councils
    assert "Nele Rat nele@neustadt.example" in councils
    assert "Adresse nicht bestätigt" in councils
    assert advanced["1. Tag"] == "" and advanced["Zeitraum (Wunsch)"] == "keine Angabe"
    assert advanced["Entschieden am"] == ""


def test_the_xlsx_has_date_cells_and_keeps_keine_angabe(client, admin, declared):
    response = client.get(f"{OVERVIEW}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    basic, advanced = (dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2))

    day1 = basic["1. Tag"]
    assert day1.is_date and day1.value.date() == declared.offers[0].day1
    assert basic["2. Tag"].is_date
    decided = basic["Entschieden am"]
    assert decided.is_date and decided.value == datetime(2026, 3, 14, 9, 5)
    assert basic["Geschätzter Bedarf"].value == "keine Angabe"
    assert basic["Plätze im Raum"].value == "keine Angabe"
    assert basic["Gremien dahinter"].value == 0
    note = basic["Anmerkung der VHS"]
    assert note.value == "-> Parkplätze im Hof" and note.data_type == "s"  # a text
    assert basic["Hinweis zur Barrierefreiheit"].value == "kein Aufzug, Rampe am Hintereingang"
    assert advanced["1. Tag"].value is None
    assert advanced["Zeitraum (Wunsch)"].value == "keine Angabe"
