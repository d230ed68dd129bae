"""The admin overview of interest declarations: its headline figures count VHS and
councils the same way (each once, withdrawn declarations apart), and an offer whose two
days lie far apart carries a visible hint."""

from datetime import timedelta

import pytest

from app.core.timeutil import today_berlin
from app.models import DeclarationState
from tests import factories
from tests.admin_helpers import login_admin, text

OVERVIEW = "/manage/admin/interesse"
WITHDRAWN = DeclarationState.WITHDRAWN


@pytest.fixture
def admin(client):
    return login_admin(client)


@pytest.fixture
def programme(app):
    today = today_berlin()
    return factories.programme(
        title="Reihe neu",
        period_start=today,
        period_end=today.replace(year=today.year + 1),
        interest_deadline=today,
    )


def _facts(page: str) -> str:
    return text(page.split('class="facts-inline"')[1].split("</ul>")[0])


def test_the_headline_figures_count_vhs_and_councils_alike(client, admin, programme):
    cologne = factories.vhs(name="Volkshochschule Köln", town="Köln")
    bonn = factories.vhs(name="Volkshochschule Bonn", town="Bonn")
    # Köln twice (one withdrawn), Bonn withdrawn, a new VHS twice under one name
    factories.vhs_declaration(programme=programme, vhs=cologne)
    factories.vhs_declaration(programme=programme, vhs=cologne, state=WITHDRAWN)
    factories.vhs_declaration(programme=programme, vhs=bonn, state=WITHDRAWN)
    for state in (DeclarationState.CONFIRMED, DeclarationState.NEW):
        factories.vhs_declaration(
            programme=programme,
            new_vhs_name="VHS Rhein-Erft",
            new_vhs_town="Hürth",
            new_vhs_street="Friedrich-Ebert-Straße 40",
            new_vhs_postcode="50354",
            state=state,
        )
    # councils: Köln twice, Bonn withdrawn
    councils = {town: factories.council(town=town) for town in ("Köln", "Bonn")}
    factories.council_declaration(programme=programme, council=councils["Köln"])
    factories.council_declaration(programme=programme, council=councils["Köln"])
    factories.council_declaration(programme=programme, council=councils["Bonn"], state=WITHDRAWN)

    facts = _facts(client.get(OVERVIEW).text)

    assert "2 Volkshochschulen mit Interessenbekundung" in facts  # Köln, Rhein-Erft
    assert "1 Integrationsrat mit Interessenbekundung" in facts  # Köln
    assert "3 zurückgezogene Interessenbekundungen, nicht mitgezählt" in facts
    assert "von Volkshochschulen" not in facts  # no count of declarations beside councils


def test_without_withdrawn_declarations_nothing_is_said_about_them(client, admin, programme):
    factories.vhs_declaration(programme=programme)
    facts = _facts(client.get(OVERVIEW).text)
    assert "1 Volkshochschule mit Interessenbekundung" in facts
    assert "zurückgezogen" not in facts


def _offer_row(page: str, offer_id: int) -> str:
    return text(page.split(f'id="angebot-{offer_id}"')[1].split("</tr>")[0])


def test_days_months_apart_in_one_offer_get_a_hint(client, admin, programme):
    first = today_berlin() + timedelta(days=40)
    declaration = factories.vhs_declaration(
        programme=programme,
        offers=(
            {"module": 1, "day1": first, "day2": first + timedelta(days=91)},
            {"module": 2, "day1": first, "day2": first + timedelta(days=14)},
        ),
    )
    far, near = declaration.offers
    page = client.get(OVERVIEW).text
    assert "Die beiden Tage liegen 91 Tage auseinander" in _offer_row(page, far.id)
    assert "Ist ein Datum vertippt?" in _offer_row(page, far.id)
    assert "auseinander" not in _offer_row(page, near.id)  # two weeks: usual
