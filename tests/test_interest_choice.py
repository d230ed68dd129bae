"""Choosing the locations: the admins' overview of a programme's interest declarations
(councils near each VHS, demand, warnings, filters, exports, chart), selecting a
declared module (a draft seminar through the seminar service, the VHS account invited)
and declining it with a reason, both mailed and logged; the councils nobody serves."""

import csv
import io
import json
import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import rules
from app.core.enums import Module, Region
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    AuditEntry,
    Council,
    DeclarationState,
    OfferState,
    Programme,
    Role,
    Seminar,
    SeminarState,
    User,
    Vhs,
    VhsOffer,
)
from app.services import directory, interest_choice
from app.services.interest_overview import (
    CouncilInterest,
    Filters,
    Location,
    OfferStatus,
    Reason,
    serving_reasons,
    unserved_modules,
)
from app.web.charts import BarChart, Series, bar_svg
from tests import factories
from tests.admin_helpers import field_error, login_admin, mails, text

OVERVIEW = "/manage/admin/interesse"


def select_url(offer_id: int) -> str:
    return f"{OVERVIEW}/angebot/{offer_id}/auswaehlen"


def decline_url(offer_id: int) -> str:
    return f"{OVERVIEW}/angebot/{offer_id}/ablehnen"


@pytest.fixture
def world(app):
    """Köln's VHS offers both modules and names Köln's council; Hürth's council prefers
    Köln's VHS; Bonn's VHS offers a small room outside the period with no council behind
    it; a new VHS has not confirmed its address; one declaration is withdrawn; Dorfstadt's
    council wants a module with no VHS near."""
    today = today_berlin()
    programme = factories.programme(
        title="Reihe 2026",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        interest_deadline=today + timedelta(days=10),
    )
    koeln_council = factories.council(
        town="Köln", region=Region.KOELN, office_email="ir@koeln.example"
    )
    huerth_council = factories.council(town="Hürth", region=Region.KOELN)
    vhs_koeln = factories.vhs(name="Volkshochschule Köln", town="Köln", region=Region.KOELN)
    vhs_bonn = factories.vhs(name="Volkshochschule Bonn", town="Bonn", region=Region.KOELN)
    vhs_muenster = factories.vhs(
        name="Volkshochschule Münster", town="Münster", region=Region.MUENSTER
    )
    koeln = factories.vhs_declaration(
        programme=programme,
        vhs=vhs_koeln,
        contact_name="Daniel Schmitz",
        contact_email="integration@vhs-koeln.example",
        room="Seminarraum 3",
        room_capacity=18,
        offers=({"module": 1}, {"module": 2}),
        councils=[koeln_council],
    )
    bonn = factories.vhs_declaration(
        programme=programme,
        vhs=vhs_bonn,
        room="Kleiner Raum",
        room_capacity=6,
        offers=(
            {
                "module": 1,
                "day1": programme.period_end + timedelta(days=3),
                "day2": programme.period_end + timedelta(days=4),
            },
        ),
    )
    new = factories.vhs_declaration(
        programme=programme,
        new_vhs_name="Volkshochschule Neustadt",
        new_vhs_town="Neustadt",
        new_vhs_street="Am Markt 1",
        new_vhs_postcode="40210",
        state=DeclarationState.NEW,
        councils=[huerth_council],
    )
    withdrawn = factories.vhs_declaration(
        programme=programme, vhs=vhs_muenster, state=DeclarationState.WITHDRAWN
    )
    koeln_wants = factories.council_declaration(
        programme=programme,
        council=koeln_council,
        wants_basic=True,
        wants_advanced=True,
        estimated_participants=14,
        contact_name="Aylin Rat",
        contact_email="aylin@koeln.example",
    )
    huerth_wants = factories.council_declaration(
        programme=programme,
        council=huerth_council,
        preferred_vhs_id=vhs_koeln.id,
        estimated_participants=9,
        contact_name="Hans Hürth",
        contact_email="hans@huerth.example",
    )
    dorf_wants = factories.council_declaration(
        programme=programme,
        new_council_town="Dorfstadt",
        wants_basic=False,
        wants_advanced=True,
        estimated_participants=8,
        contact_name="Doris Dorf",
        contact_email="doris@dorfstadt.example",
    )
    return {
        "programme": programme,
        "koeln": koeln,
        "bonn": bonn,
        "new": new,
        "withdrawn": withdrawn,
        "vhs_koeln": vhs_koeln,
        "koeln_council": koeln_council,
        "huerth_council": huerth_council,
        "koeln_wants": koeln_wants,
        "huerth_wants": huerth_wants,
        "dorf_wants": dorf_wants,
    }


@pytest.fixture
def admin(client):
    return login_admin(client)


def offer(declaration, module: int) -> VhsOffer:
    return next(o for o in declaration.offers if o.module == module)


def seminars() -> list[Seminar]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Seminar).order_by(Seminar.id)))


def section(page: str, element_id: str) -> str:
    """The text of the element with this id up to the next element of the same kind."""
    start = page.index(f'id="{element_id}"')
    return text(page[start : start + 6000])


def declaration_text(page: str, declaration) -> str:
    start = page.index(f'id="declaration-{declaration.id}"')
    end = page.find("</section>", start)
    return text(page[start:end])


# -- the overview ----------------------------------------------------------------------


def test_the_overview_shows_each_vhs_with_its_modules_councils_and_demand(client, admin, world):
    page = client.get(OVERVIEW).text
    koeln = declaration_text(page, world["koeln"])
    assert "Volkshochschule Köln" in koeln and "Bezirk Köln" in koeln
    assert "Daniel Schmitz" in koeln and "integration@vhs-koeln.example" in koeln
    assert "Seminarraum 3, 18 Plätze" in koeln
    first = offer(world["koeln"], 1)
    assert f"{first.day1.day}." in koeln
    # Köln's council: named by the VHS and in the same town; Hürth's prefers this VHS
    assert "Köln (von der VHS genannt, im selben Ort)" in koeln
    assert "Hürth (wünscht diese VHS)" in koeln
    basic = text(page.split(f'id="angebot-{first.id}"')[1].split("</tr>")[0])
    assert "ca. 23 Personen" in basic  # 14 from Köln, 9 from Hürth
    advanced = text(page.split(f'id="angebot-{offer(world["koeln"], 2).id}"')[1].split("</tr>")[0])
    assert "ca. 14 Personen" in advanced  # Hürth wants the Basismodul only
    assert "Auswählen" in basic and "Ablehnen" in basic


def test_the_overview_warns_about_a_small_room_dates_outside_and_no_council(client, admin, world):
    page = client.get(OVERVIEW).text
    bonn = declaration_text(page, world["bonn"])
    assert "Der Raum hat nur 6 Plätze" in bonn
    assert "nicht im Zeitraum des Programms" in bonn
    assert "Kein Integrationsrat steht dahinter" in bonn
    koeln = page.split(f'id="declaration-{world["koeln"].id}"')[1].split("</section>")[0]
    assert ">Hinweis</span>" not in koeln


def test_unconfirmed_and_withdrawn_declarations_are_shown_without_actions(client, admin, world):
    page = client.get(OVERVIEW).text
    new = declaration_text(page, world["new"])
    assert "Volkshochschule Neustadt" in new and "noch nicht im Verzeichnis" in new
    assert "Adresse nicht bestätigt" in new
    assert "Auswählen" not in new and "Ablehnen" not in new
    withdrawn = declaration_text(page, world["withdrawn"])
    assert "zurückgezogen" in withdrawn and "Auswählen" not in withdrawn
    assert 'class="declaration declaration--inactive"' in page


def test_a_taken_module_is_warned_about_at_the_same_location(client, admin, world):
    second = factories.vhs_declaration(
        programme=world["programme"], vhs=world["vhs_koeln"], offers=({"module": 1},)
    )
    interest_choice.select_offer(offer(world["koeln"], 1).id, actor_id=admin.id)
    page = client.get(OVERVIEW).text
    assert "An diesem Standort gibt es in diesem Programm schon ein Basismodul" in (
        declaration_text(page, second)
    )


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("modul=2", ["koeln"], ["bonn", "new", "withdrawn"]),
        ("status=new", ["new"], ["koeln", "bonn", "withdrawn"]),
        ("status=withdrawn", ["withdrawn"], ["koeln", "bonn", "new"]),
        ("status=confirmed", ["koeln", "bonn"], ["new", "withdrawn"]),
        ("bezirk=muenster", ["withdrawn"], ["koeln", "bonn"]),
        ("bezirk=koeln&modul=1&status=confirmed", ["koeln", "bonn"], ["withdrawn"]),
        ("modul=<script>&status=zzz&bezirk=mars", ["koeln", "bonn", "new", "withdrawn"], []),
    ],
)
def test_the_filters_narrow_the_offers(client, admin, world, query, shown, hidden):
    response = client.get(f"{OVERVIEW}?{query}")
    assert response.status_code == 200
    for name in shown:
        assert f'id="declaration-{world[name].id}"' in response.text, name
    for name in hidden:
        assert f'id="declaration-{world[name].id}"' not in response.text, name


def test_a_module_filter_shows_only_that_module_of_a_vhs(client, admin, world):
    page = client.get(f"{OVERVIEW}?modul=2").text
    assert f'id="angebot-{offer(world["koeln"], 2).id}"' in page
    assert f'id="angebot-{offer(world["koeln"], 1).id}"' not in page


def test_the_new_vhs_is_filtered_by_the_region_of_the_council_it_names(client, admin, world):
    page = client.get(f"{OVERVIEW}?bezirk=koeln").text
    assert f'id="declaration-{world["new"].id}"' in page


def test_selected_and_declined_filters(client, admin, world):
    interest_choice.select_offer(offer(world["koeln"], 1).id, actor_id=admin.id)
    interest_choice.decline_offer(
        offer(world["koeln"], 2).id, "Zu nah am Basismodul.", actor_id=admin.id
    )
    selected = client.get(f"{OVERVIEW}?status=selected").text
    assert f'id="angebot-{offer(world["koeln"], 1).id}"' in selected
    assert f'id="angebot-{offer(world["koeln"], 2).id}"' not in selected
    declined = client.get(f"{OVERVIEW}?status=declined").text
    assert "Begründung: Zu nah am Basismodul." in text(declined)


def test_with_htmx_the_overview_answers_with_its_results_only(client, admin, world, htmx):
    full = client.get(f"{OVERVIEW}?modul=1")
    assert "<html" in full.text and 'id="interest-results"' in full.text
    fragment = client.get(f"{OVERVIEW}?modul=1", headers=htmx)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="interest-results">')
    assert "HX-Request" in fragment.headers.get("Vary", "")
    # the export links carry the filter
    assert "/interesse/export.csv?modul=1" in fragment.text


def test_without_a_programme_the_overview_says_so(client, admin):
    page = client.get(OVERVIEW)
    assert page.status_code == 200
    assert "Es gibt noch kein Programm" in page.text


def test_an_older_programme_can_be_shown(client, admin, world):
    older = factories.programme(
        title="Reihe 2024",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    page = client.get(f"{OVERVIEW}?programm={older.id}").text
    assert "Programm „Reihe 2024“" in text(page)
    assert "Keine Angebote in diesem Programm." in text(page)


@pytest.mark.parametrize("who", ["vhs", "contact", "observer"])
def test_only_admins_see_the_declarations(app, client, world, who):
    scope = {}
    if who == "vhs":
        scope["vhs_id"] = world["vhs_koeln"].id
    if who == "contact":
        scope["council_id"] = world["koeln_council"].id
    factories.login(client, factories.user(who, **scope))
    first = offer(world["koeln"], 1)
    for url in (OVERVIEW, f"{OVERVIEW}/export.csv", select_url(first.id), decline_url(first.id)):
        assert client.get(url).status_code == 403, url
    assert client.post(select_url(first.id), data={}).status_code == 403
    assert seminars() == []


# -- exports -----------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_has_one_line_per_offer_and_follows_the_filter(client, admin, world):
    lines = _csv(client.get(f"{OVERVIEW}/export.csv"))
    assert lines[0][:3] == ["Volkshochschule", "Ort", "Regierungsbezirk"]
    assert len(lines) == 1 + 5  # Köln (2), Bonn, Neustadt, Münster
    koeln = [line for line in lines if line[0] == "Volkshochschule Köln"]
    assert [line[7] for line in koeln] == ["Basismodul", "Aufbaumodul"]
    basic = dict(zip(lines[0], koeln[0], strict=True))
    assert basic["Regierungsbezirk"] == "Köln"
    assert basic["Geschätzter Bedarf"] == "23"
    assert basic["Plätze im Raum"] == "18"
    assert basic["Status"] == "bestätigt, offen"
    assert "Hürth (wünscht diese VHS)" in basic["Integrationsräte"]
    only_new = _csv(client.get(f"{OVERVIEW}/export.csv?status=new"))
    assert [line[0] for line in only_new[1:]] == ["Volkshochschule Neustadt"]


def test_the_xlsx_export_reads_back_and_neutralises_formulas(client, admin, world):
    world["koeln"].contact_name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    response = client.get(f"{OVERVIEW}/export.xlsx?modul=1")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Volkshochschule"
    assert len(rows) == 1 + 4  # the Basismodul of Köln, Bonn, Neustadt, Münster
    koeln = next(row for row in rows if row[0] == "Volkshochschule Köln")
    assert koeln[4] == '=HYPERLINK("http://evil.example")'  # as typed, a text
    cell = next(c for c in sheet["E"] if c.value == koeln[4])
    assert cell.data_type == "s"
    assert koeln[15] == 23  # the demand is a number
    lines = _csv(client.get(f"{OVERVIEW}/export.csv?modul=1"))
    assert any(line[4] == '\'=HYPERLINK("http://evil.example")' for line in lines)


# -- selecting ------------------------------------------------------------------------------


def test_the_confirm_page_names_the_seminar_to_be_created(client, admin, world):
    first = offer(world["koeln"], 1)
    page = client.get(select_url(first.id))
    assert page.status_code == 200
    planned = section(page.text, "planned-seminar")
    assert "Volkshochschule Köln, Seminarraum 3" in planned
    assert "aylin@koeln.example" in planned and "hans@huerth.example" in planned
    assert 'value="18"' in page.text  # the room's places
    assert f'value="{first.day1.isoformat()}"' in page.text
    assert seminars() == []  # nothing created by looking


def test_selecting_creates_the_draft_from_the_declaration(client, admin, world):
    first = offer(world["koeln"], 1)
    page = client.get(select_url(first.id))
    assert page.status_code == 200
    response = client.post(
        select_url(first.id),
        data={"day1": first.day1.isoformat(), "day2": first.day2.isoformat(), "capacity": "18"},
    )
    assert response.status_code == 303
    (seminar,) = seminars()
    assert response.headers["Location"].endswith(f"/manage/admin/seminare/{seminar.id}")
    assert seminar.state == SeminarState.DRAFT
    assert seminar.vhs_id == world["vhs_koeln"].id
    assert seminar.programme_id == world["programme"].id
    assert seminar.module == Module.BASIC
    assert (seminar.day1, seminar.day2) == (first.day1, first.day2)
    assert (seminar.day1_starts, seminar.day1_ends) == (time(9, 0), time(17, 0))
    assert (seminar.day2_starts, seminar.day2_ends) == (time(9, 0), time(17, 0))
    assert seminar.registration_deadline == first.day1 - timedelta(days=7)
    assert seminar.capacity == 18
    assert seminar.venue_name == "Volkshochschule Köln, Seminarraum 3"
    assert seminar.venue_town == "Köln"
    assert [c.town for c in seminar.councils] == ["Köln"]
    db.session.refresh(first)
    assert first.state == OfferState.SELECTED
    assert first.seminar_id == seminar.id
    assert first.decided_by_id == admin.id and first.decided_at is not None
    detail = client.get(response.headers["Location"]).text
    assert f"Ausgewählt: Der Entwurf Seminar Nr. {seminar.id} ist angelegt" in text(detail)


def test_selecting_with_an_account_invites_the_vhs_and_mails_vhs_and_councils(client, admin, world):
    first = offer(world["koeln"], 1)
    contact = world["vhs_koeln"].contact_email  # the VHS's own, from the directory
    response = client.post(
        select_url(first.id),
        data={
            "day1": first.day1.isoformat(),
            "day2": first.day2.isoformat(),
            "capacity": "18",
            "invite_account": "y",
            "account_email": contact,
        },
    )
    assert response.status_code == 303
    account = db.session.scalar(sa.select(User).where(User.email == contact))
    assert account.role == Role.VHS and account.vhs_id == world["vhs_koeln"].id
    assert account.name == world["vhs_koeln"].contact_name
    assert [m.recipient for m in mails("invitation")] == [contact]
    assert f"Einladung zu einem Konto erhalten ({contact})" in text(
        client.get(response.headers["Location"]).text
    )
    told = mails("interest_decision_selected")
    assert sorted(m.recipient for m in told) == [
        "aylin@koeln.example",
        "hans@huerth.example",
        "integration@vhs-koeln.example",
    ]
    to_vhs = next(m for m in told if m.recipient == "integration@vhs-koeln.example")
    assert to_vhs.subject == "Ausgewählt: Basismodul an der Volkshochschule Köln"
    assert "hat Ihr Angebot für das Basismodul" in to_vhs.text_body
    assert first.day1.strftime("%Y") in to_vhs.text_body
    to_huerth = next(m for m in told if m.recipient == "hans@huerth.example")
    assert "für den Integrationsrat Hürth" in to_huerth.text_body
    actions = [e.action for e in db.session.scalars(sa.select(AuditEntry))]
    assert {"offer_selected", "seminar_created", "user_created"} <= set(actions)


def test_the_selection_is_in_the_audit_log(client, admin, world):
    first = offer(world["koeln"], 1)
    decision = interest_choice.select_offer(first.id, actor_id=admin.id)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "offer_selected"))
    assert entry.actor_id == admin.id
    assert entry.seminar_id == decision.seminar.id
    assert entry.subject == "offer" and entry.subject_id == first.id
    assert ["decision", "offen", "ausgewählt"] in json.loads(entry.changes)
    log = text(client.get("/manage/admin/protokoll").text)
    assert "Interesse ausgewählt (Entwurf angelegt)" in log
    assert "Volkshochschule: – → Volkshochschule Köln" in log


def test_a_vhs_with_an_account_is_not_invited_again(client, admin, world):
    factories.user("vhs", vhs_id=world["vhs_koeln"].id)
    decision = interest_choice.select_offer(
        offer(world["koeln"], 1).id,
        actor_id=admin.id,
        account_email=world["vhs_koeln"].contact_email,
    )
    assert decision.invited is None and decision.account_existed
    assert mails("invitation") == []


def test_a_second_basismodul_at_the_same_vhs_is_refused_with_the_location_rule(
    client, admin, world
):
    second = factories.vhs_declaration(
        programme=world["programme"], vhs=world["vhs_koeln"], offers=({"module": 1},)
    )
    interest_choice.select_offer(offer(world["koeln"], 1).id, actor_id=admin.id)
    outbox_before = len(mails("interest_decision_selected"))
    other = offer(second, 1)
    response = client.post(
        select_url(other.id),
        data={"day1": other.day1.isoformat(), "day2": other.day2.isoformat(), "capacity": "18"},
    )
    assert response.status_code == 422
    assert "hat in diesem Programm schon ein Basismodul" in text(response.text)
    assert "Je Standort wird nur ein Seminar pro Modul gefördert" in text(response.text)
    assert len(seminars()) == 1
    db.session.refresh(other)
    assert other.state == OfferState.OPEN
    assert len(mails("interest_decision_selected")) == outbox_before


def test_the_aufbaumodul_at_the_same_vhs_is_fine(client, admin, world):
    contact = world["vhs_koeln"].contact_email
    for module in (1, 2):
        interest_choice.select_offer(
            offer(world["koeln"], module).id, actor_id=admin.id, account_email=contact
        )
    assert sorted(s.module for s in seminars()) == [1, 2]
    # the second selection found the account the first one invited
    assert len(mails("invitation")) == 1


def test_days_and_places_outside_the_rules_are_refused_beside_their_fields(client, admin, world):
    first = offer(world["koeln"], 1)
    late = world["programme"].period_end + timedelta(days=1)
    response = client.post(
        select_url(first.id),
        data={
            "day1": late.isoformat(),
            "day2": (late + timedelta(days=1)).isoformat(),
            "capacity": "25",
        },
    )
    assert response.status_code == 422
    assert "liegt nicht im Zeitraum des Programms" in field_error(response.text, "day1")
    assert "zwischen 8 und 20 Plätze" in field_error(response.text, "capacity")
    assert f'value="{late.isoformat()}"' in response.text  # kept as typed
    assert seminars() == []
    assert mails("interest_decision_selected") == [] and mails("invitation") == []
    db.session.refresh(first)
    assert first.state == OfferState.OPEN


def test_the_same_day_twice_and_bad_input_are_refused(client, admin, world):
    first = offer(world["koeln"], 1)
    same = client.post(
        select_url(first.id),
        data={"day1": first.day1.isoformat(), "day2": first.day1.isoformat(), "capacity": "18"},
    )
    assert same.status_code == 422
    assert "zwei verschiedene Tage" in field_error(same.text, "day2")
    garbage = client.post(select_url(first.id), data={"day1": "gestern", "capacity": "viele"})
    assert garbage.status_code == 422
    assert "Datum" in field_error(garbage.text, "day1")
    assert "ganze Zahl" in field_error(garbage.text, "capacity")
    assert seminars() == []


def test_an_offer_without_days_gets_its_days_on_the_confirm_page(client, admin, world):
    vague = factories.vhs_declaration(
        programme=world["programme"],
        offers=({"module": 1, "day1": None, "day2": None, "preferred_period": "im Frühjahr"},),
        councils=[world["huerth_council"]],
    )
    item = offer(vague, 1)
    page = client.get(select_url(item.id)).text
    assert "Noch keine festen Tage (Wunsch: „im Frühjahr“)" in text(page)
    refused = client.post(select_url(item.id), data={"capacity": "18"})
    assert refused.status_code == 422
    assert "keine festen Tage genannt" in field_error(refused.text, "day1")
    day1 = today_berlin() + timedelta(days=40)
    done = client.post(
        select_url(item.id),
        data={
            "day1": day1.isoformat(),
            "day2": (day1 + timedelta(days=1)).isoformat(),
            "capacity": "12",
        },
    )
    assert done.status_code == 303
    (seminar,) = seminars()
    assert seminar.day1 == day1 and seminar.capacity == 12


def test_a_new_vhs_is_created_when_its_module_is_selected(client, admin, world):
    new = world["new"]
    item = offer(new, 1)
    refused = client.get(select_url(item.id))
    assert "noch nicht bestätigt" in text(refused.text)
    assert client.post(select_url(item.id), data={"capacity": "18"}).status_code == 422
    new.state = DeclarationState.CONFIRMED
    db.session.commit()
    page = client.get(select_url(item.id)).text
    assert "wird neu angelegt" in page
    decision = interest_choice.select_offer(item.id, actor_id=admin.id)
    vhs = db.session.scalar(sa.select(Vhs).where(Vhs.name == "Volkshochschule Neustadt"))
    assert (vhs.town, vhs.street, vhs.postcode) == ("Neustadt", "Am Markt 1", "40210")
    assert vhs.region == Region.KOELN  # from the council it names
    # the declaring person's address is no VHS contact (public, offered for the account)
    assert vhs.contact_email == "" and vhs.contact_name == ""
    assert decision.seminar.vhs_id == vhs.id
    assert decision.invited is None  # nobody by default
    actions = {e.action for e in db.session.scalars(sa.select(AuditEntry))}
    assert "vhs_created" in actions


def test_a_second_declaration_of_the_same_new_vhs_finds_it_and_the_location_rule(
    client, admin, world
):
    for declaration in (world["new"],):
        declaration.state = DeclarationState.CONFIRMED
    db.session.commit()
    again = factories.vhs_declaration(
        programme=world["programme"],
        new_vhs_name="Volkshochschule  neustadt",
        new_vhs_town="NEUSTADT",
        offers=({"module": 1},),
    )
    interest_choice.select_offer(offer(world["new"], 1).id, actor_id=admin.id)
    with pytest.raises(interest_choice.seminars.ModuleSlotTaken):
        interest_choice.select_offer(offer(again, 1).id, actor_id=admin.id)
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Vhs).where(Vhs.town == "Neustadt"))
        == 1
    )


def test_an_offer_is_decided_once(client, admin, world):
    first = offer(world["koeln"], 1)
    interest_choice.select_offer(first.id, actor_id=admin.id)
    page = client.get(select_url(first.id))
    assert "schon entschieden: Es ist ausgewählt" in text(page.text)
    again = client.post(
        select_url(first.id),
        data={"day1": first.day1.isoformat(), "day2": first.day2.isoformat(), "capacity": "18"},
    )
    assert again.status_code == 422
    assert "schon entschieden" in text(again.text)
    declined = client.post(decline_url(first.id), data={"reason": "Doch nicht, bitte."})
    assert declined.status_code == 422
    assert "schon entschieden" in text(declined.text)
    assert len(seminars()) == 1


def test_a_withdrawn_declaration_cannot_be_decided(client, admin, world):
    item = offer(world["withdrawn"], 1)
    assert "zurückgezogen" in text(client.get(select_url(item.id)).text)
    response = client.post(decline_url(item.id), data={"reason": "Kein Bedarf mehr."})
    assert response.status_code == 422
    db.session.refresh(item)
    assert item.state == OfferState.OPEN


def test_an_unknown_offer_is_not_found(client, admin):
    assert client.get(select_url(999999)).status_code == 404
    assert client.post(decline_url(999999), data={"reason": "xxxxx"}).status_code == 404


# -- declining ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "kurz", "x" * 501])
def test_declining_needs_a_reason_of_5_to_500_characters(client, admin, world, reason):
    item = offer(world["koeln"], 2)
    response = client.post(decline_url(item.id), data={"reason": reason})
    assert response.status_code == 422
    assert "5 bis 500 Zeichen" in field_error(response.text, "reason")
    db.session.refresh(item)
    assert item.state == OfferState.OPEN
    assert mails("interest_decision_declined") == []


def test_the_service_refuses_a_decline_without_reason(app, world):
    with pytest.raises(interest_choice.ReasonRequired):
        interest_choice.decline_offer(offer(world["koeln"], 2).id, " ", actor_id=None)


def test_declining_mails_the_reason_and_is_logged(client, admin, world):
    item = offer(world["koeln"], 2)
    page = client.get(decline_url(item.id)).text
    assert "aylin@koeln.example" in section(page, "recipients")
    response = client.post(
        decline_url(item.id), data={"reason": "  Im Kreis gibt es schon einen Standort.  "}
    )
    assert response.status_code == 303
    assert f"angebot-{item.id}" in response.headers["Location"]
    db.session.refresh(item)
    assert item.state == OfferState.DECLINED
    assert item.decision_reason == "Im Kreis gibt es schon einen Standort."
    assert item.decided_by_id == admin.id
    told = mails("interest_decision_declined")
    # Hürth wants only the Basismodul: not concerned by the Aufbaumodul
    assert sorted(m.recipient for m in told) == [
        "aylin@koeln.example",
        "integration@vhs-koeln.example",
    ]
    assert all("Begründung: Im Kreis gibt es schon einen Standort." in m.text_body for m in told)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "offer_declined"))
    assert entry.actor_id == admin.id and entry.subject_id == item.id
    assert ["decision_reason", "–", "Im Kreis gibt es schon einen Standort."] in json.loads(
        entry.changes
    )
    assert seminars() == []
    overview = client.get(response.headers["Location"]).text
    assert "Abgelehnt: 2 E-Mails mit der Begründung" in text(overview)


# -- councils nobody serves ---------------------------------------------------------------------


def _unserved(client) -> str:
    page = client.get(OVERVIEW).text
    if 'id="unserved"' not in page:
        return ""
    return text(page.split('id="unserved"')[1].split("</table>")[0])


def test_councils_without_a_selected_location_are_listed(client, admin, world):
    before = _unserved(client)
    assert "Dorfstadt Aufbaumodul" in before and "doris@dorfstadt.example" in before
    assert "Hürth Basismodul" in before
    assert "Köln Basismodul, Aufbaumodul" in before
    interest_choice.select_offer(offer(world["koeln"], 1).id, actor_id=admin.id)
    after_basic = _unserved(client)
    assert "Hürth" not in after_basic  # served by the VHS it prefers
    assert "Köln Aufbaumodul" in after_basic
    interest_choice.select_offer(offer(world["koeln"], 2).id, actor_id=admin.id)
    after_both = _unserved(client)
    assert "Köln" not in after_both
    assert "Dorfstadt Aufbaumodul" in after_both


def test_a_council_only_named_by_a_vhs_is_listed_with_its_office(client, admin, world):
    lonely = factories.council(town="Einsam", office_email="ir@einsam.example")
    factories.vhs_declaration(
        programme=world["programme"], offers=({"module": 2},), councils=[lonely]
    )
    unserved = _unserved(client)
    assert "Einsam Aufbaumodul" in unserved
    assert "ir@einsam.example" in unserved and "von einer VHS genannt" in unserved


def test_matching_councils_to_a_location():
    location = Location(vhs_id=7, town="Köln", named_council_ids=frozenset({3}))
    named = CouncilInterest(town="Pulheim", modules=frozenset({1}), council_id=3)
    prefers = CouncilInterest(town="Hürth", modules=frozenset({1}), preferred_vhs_id=7)
    same = CouncilInterest(town=" koeln ", modules=frozenset({2}))
    far = CouncilInterest(town="Bonn", modules=frozenset({1, 2}), preferred_vhs_id=8)
    assert serving_reasons(location, named) == [Reason.NAMED]
    assert serving_reasons(location, prefers) == [Reason.PREFERS]
    assert serving_reasons(location, same) == [Reason.SAME_TOWN]
    assert serving_reasons(location, far) == []
    assert unserved_modules(far, [(location, 1)]) == [Module.BASIC, Module.ADVANCED]
    assert unserved_modules(same, [(location, 1)]) == [Module.ADVANCED]
    assert unserved_modules(same, [(location, 2)]) == []


# -- pure rules and filters ----------------------------------------------------------------------


def test_offer_warnings_and_capacity():
    programme_rules = rules.ProgrammeRules(
        period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
    )
    ok = {"day1": date(2026, 5, 1), "day2": date(2026, 5, 2), "room_capacity": 8}
    ok["module_taken"] = False
    assert rules.offer_warnings(programme_rules, **ok, councils=1) == []
    assert rules.offer_warnings(programme_rules, **{**ok, "room_capacity": 7}, councils=1) == [
        rules.OfferWarning.ROOM_TOO_SMALL
    ]
    assert rules.offer_warnings(
        programme_rules, **{**ok, "day1": date(2026, 12, 31), "day2": date(2027, 1, 1)}, councils=1
    ) == [rules.OfferWarning.OUTSIDE_PERIOD]
    assert rules.offer_warnings(
        programme_rules, **{**ok, "day2": date(2026, 8, 1)}, councils=1
    ) == [rules.OfferWarning.DAYS_FAR_APART]
    assert rules.offer_warnings(
        programme_rules, **{**ok, "day1": None, "module_taken": True}, councils=0
    ) == [
        rules.OfferWarning.MODULE_TAKEN,
        rules.OfferWarning.NO_DATES,
        rules.OfferWarning.NO_COUNCIL,
    ]
    assert rules.offered_capacity(programme_rules, None) == 20
    assert rules.offered_capacity(programme_rules, 35) == 20
    assert rules.offered_capacity(programme_rules, 12) == 12
    assert rules.registration_deadline_for(date(2026, 5, 8)) == date(2026, 5, 1)


def test_filters_ignore_what_they_do_not_know():
    assert Filters.parse("2", "declined", "detmold") == Filters(
        Module.ADVANCED, OfferStatus.DECLINED, Region.DETMOLD
    )
    assert not Filters.parse("3", "nope", "")
    assert not Filters.parse(None, None, None)


# -- the chart -----------------------------------------------------------------------------------


def test_the_chart_has_a_title_a_description_and_the_numbers_as_a_table(client, admin, world):
    interest_choice.select_offer(offer(world["koeln"], 1).id, actor_id=admin.id)
    page = client.get(OVERVIEW).text
    svg = re.search(r'<svg id="chart-modules".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-modules-title chart-modules-desc"' in svg
    assert '<title id="chart-modules-title">Angebote und Auswahl je Modul</title>' in svg
    desc = re.search(r'<desc id="chart-modules-desc">(.*?)</desc>', svg).group(1)
    # confirmed declarations: Köln (both modules), Bonn (Basismodul); one selected
    assert "Basismodul: angeboten 2, ausgewählt 1." in desc
    assert "Aufbaumodul: angeboten 1, ausgewählt 0." in desc
    table = text(page.split('id="chart-modules-table"')[1].split("</table>")[0])
    assert "Modul angeboten ausgewählt Basismodul 2 1 Aufbaumodul 1 0" in table
    regions = text(page.split('id="chart-regions-table"')[1].split("</table>")[0])
    assert "Köln 3 1" in regions and "Münster 0 0" in regions
    assert "ohne Angabe" not in regions
    assert " style=" not in page and "<script>" not in page


def test_the_chart_builder_escapes_and_scales():
    chart = BarChart(
        title="A <b>",
        summary="Zahlen.",
        labels=("x & y", "z"),
        series=(Series("eins", (4, 0)), Series("zwei", (2, 1))),
    )
    svg = str(bar_svg(chart, "c"))
    assert "A &lt;b&gt;" in svg and "x &amp; y" in svg
    bars = re.findall(
        r'<rect class="chart-bar[^"]*" x="160" y="\d+" width="([\d.]+)" height="18"', svg
    )
    widths = [float(w) for w in bars]
    assert widths == [432, 216, 0, 108]  # the longest bar fills the room, the rest in scale
    assert chart.rows == [("x & y", [4, 2]), ("z", [0, 1])]
    with pytest.raises(ValueError, match="one value per label"):
        BarChart(title="t", summary="s", labels=("a",), series=(Series("n", (1, 2)),))


# -- the programme's interest deadline and the regions ---------------------------------------------


def _programme_form(programme: Programme, **overrides) -> dict:
    data = {
        "title": programme.title,
        "period_start": programme.period_start.isoformat(),
        "period_end": programme.period_end.isoformat(),
        "interest_deadline": "",
        "min_participants": "8",
        "max_participants": "20",
        "two_trainers_from": "12",
        "trainer_fee": "450,00",
        "catering": "12,00",
    }
    data.update(overrides)
    return data


def test_the_interest_deadline_is_set_on_the_rules_page(client, admin):
    programme = factories.programme(title="Reihe 2026")
    url = f"/manage/admin/programme/{programme.id}"
    deadline = programme.period_start + timedelta(days=20)
    response = client.post(
        url, data=_programme_form(programme, interest_deadline=deadline.strftime("%d.%m.%Y"))
    )
    assert response.status_code == 303
    db.session.refresh(programme)
    assert programme.interest_deadline == deadline
    assert f'value="{deadline.isoformat()}"' in client.get(url).text
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "programme_changed")
    ).one()
    assert "Frist für Interessenbekundungen" in [label for label, _, _ in entry.change_list]
    too_late = programme.period_end + timedelta(days=1)
    refused = client.post(
        url, data=_programme_form(programme, interest_deadline=too_late.isoformat())
    )
    assert refused.status_code == 422
    assert "nicht nach dem Ende des Zeitraums" in field_error(refused.text, "interest_deadline")
    cleared = client.post(url, data=_programme_form(programme))
    assert cleared.status_code == 303
    db.session.refresh(programme)
    assert programme.interest_deadline is None


def test_the_next_programme_year_moves_the_deadline_on_by_a_year(client, admin):
    source = factories.programme(
        title="Reihe 2025–2026",
        period_start=date(2025, 10, 1),
        period_end=date(2026, 11, 30),
        interest_deadline=date(2025, 9, 30),
    )
    url = f"/manage/admin/programme/{source.id}/naechstes-jahr"
    page = client.get(url).text
    assert 'value="2026-09-30"' in page
    response = client.post(
        url,
        data=_programme_form(
            source,
            title="Reihe 2026–2027",
            period_start="2026-12-01",
            period_end="2027-11-30",
            interest_deadline="2026-09-30",
        ),
    )
    assert response.status_code == 303
    created = Programme.current()
    assert created.title == "Reihe 2026–2027"
    assert created.interest_deadline == date(2026, 9, 30)


def test_regions_are_set_on_the_vhs_and_council_forms_and_listed(client, admin):
    vhs_form = {"name": "Volkshochschule Detmold", "town": "Detmold", "contact_email": "a@b.de"}
    response = client.post(
        "/manage/admin/vhs/neu",
        data={**vhs_form, "region": "detmold"},
    )
    assert response.status_code == 303
    vhs = db.session.scalar(sa.select(Vhs).where(Vhs.town == "Detmold"))
    assert vhs.region == Region.DETMOLD
    listing = client.get("/manage/admin/vhs").text
    assert 'data-label="Regierungsbezirk">Detmold</td>' in listing
    edit = client.get(f"/manage/admin/vhs/{vhs.id}").text
    assert '<option selected value="detmold">' in edit or 'value="detmold" selected' in edit
    cleared = client.post(
        f"/manage/admin/vhs/{vhs.id}",
        data={**vhs_form, "region": ""},
    )
    assert cleared.status_code == 303
    db.session.refresh(vhs)
    assert vhs.region is None
    bad = client.post(
        "/manage/admin/gremien/neu",
        data={
            "town": "Lippe",
            "kind": "integrationsrat",
            "office_email": "ir@lippe.example",
            "region": "mars",
        },
    )
    assert bad.status_code == 422
    assert "aus der Liste" in field_error(bad.text, "region")
    good = client.post(
        "/manage/admin/gremien/neu",
        data={
            "town": "Lippe",
            "kind": "integrationsrat",
            "office_email": "ir@lippe.example",
            "region": "detmold",
        },
    )
    assert good.status_code == 303
    council = db.session.scalar(sa.select(Council).where(Council.town == "Lippe"))
    assert council.region == Region.DETMOLD
    assert 'data-label="Regierungsbezirk">Detmold</td>' in client.get("/manage/admin/gremien").text
    log = text(client.get("/manage/admin/protokoll").text)
    assert "Regierungsbezirk: – → Detmold" in log


@pytest.mark.parametrize("programm", ["99999999999999999999", "2147483648", "-5", "abc"])
def test_an_odd_programme_in_the_address_shows_the_current_one(client, admin, world, programm):
    for url in (OVERVIEW, f"{OVERVIEW}/export.csv", f"{OVERVIEW}/export.xlsx"):
        response = client.get(f"{url}?programm={programm}&modul=abc&status=x&bezirk=y")
        assert response.status_code == 200, url
    assert "Reihe 2026" in client.get(f"{OVERVIEW}?programm={programm}").text


# -- one location, however it is spelled ------------------------------------------------------


def _select(client, item, **fields):
    """Post the confirm form of ``item`` with its declared days and 18 places."""
    data = {"day1": item.day1.isoformat(), "day2": item.day2.isoformat(), "capacity": "18"}
    data.update(fields)
    return client.post(select_url(item.id), data=data)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def bochum(world, admin):
    """Bochum's VHS is in the directory and holds the Basismodul already; a declaration
    names "VHS Bochum" as a new VHS in the same town, at another address."""
    known = factories.vhs(
        name="Volkshochschule Bochum",
        town="Bochum",
        street="Gustav-Heinemann-Platz 2-6",
        postcode="44787",
        contact_email="integration@vhs-bochum.example",
    )
    held = factories.vhs_declaration(
        programme=world["programme"], vhs=known, offers=({"module": 1},)
    )
    holder = interest_choice.select_offer(offer(held, 1).id, actor_id=admin.id).seminar
    declared = factories.vhs_declaration(
        programme=world["programme"],
        new_vhs_name="VHS Bochum",
        new_vhs_town="Bochum",
        new_vhs_street="Hauptstraße 7",
        new_vhs_postcode="44787",
        contact_email="bochum.fan@freemail.example",
        offers=({"module": 1}, {"module": 2}),
    )
    return {"known": known, "holder": holder, "declared": declared}


def test_a_known_vhs_under_another_spelling_is_noted_on_the_confirm_page(client, admin, bochum):
    page = client.get(select_url(offer(bochum["declared"], 1).id)).text
    note = section(page, "same-vhs")
    assert "Volkshochschule Bochum" in note and "gleicher Ort, ähnlicher Name" in note
    assert f"schon ein Basismodul (Seminar Nr. {bochum['holder'].id})" in note
    assert "wird neu angelegt" not in page


def test_a_known_vhs_under_another_spelling_never_gets_a_second_basismodul(client, admin, bochum):
    item = offer(bochum["declared"], 1)
    unconfirmed = _select(client, item)
    assert unconfirmed.status_code == 422
    assert "schon im Verzeichnis" in field_error(unconfirmed.text, "same_vhs")
    confirmed = _select(client, item, same_vhs=str(bochum["known"].id))
    assert confirmed.status_code == 422
    assert "Je Standort wird nur ein Seminar pro Modul gefördert" in text(confirmed.text)
    with pytest.raises(interest_choice.SameVhsUnconfirmed):
        interest_choice.select_offer(item.id, actor_id=admin.id)
    assert _count(Vhs, Vhs.town == "Bochum") == 1
    assert _count(Seminar) == 1
    db.session.refresh(item)
    assert item.state == OfferState.OPEN
    assert mails("invitation") == []


def test_confirming_the_known_vhs_selects_the_free_module_there(client, admin, bochum):
    item = offer(bochum["declared"], 2)
    response = _select(client, item, same_vhs=str(bochum["known"].id))
    assert response.status_code == 303
    assert _count(Vhs, Vhs.town == "Bochum") == 1
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.module == Module.ADVANCED))
    assert seminar.vhs_id == bochum["known"].id
    assert seminar.venue_street == "Gustav-Heinemann-Platz 2-6"  # the VHS's own address
    db.session.refresh(bochum["declared"])
    assert bochum["declared"].vhs_id == bochum["known"].id
    # and from now on the overview knows the Basismodul of this location is taken
    overview = declaration_text(client.get(OVERVIEW).text, bochum["declared"])
    assert "An diesem Standort gibt es in diesem Programm schon ein Basismodul" in overview


def test_a_choice_that_is_not_a_match_is_refused(client, admin, bochum, world):
    item = offer(bochum["declared"], 2)
    response = _select(client, item, same_vhs=str(world["vhs_koeln"].id))
    assert response.status_code == 422
    assert "schon im Verzeichnis" in field_error(response.text, "same_vhs")
    garbage = _select(client, item, same_vhs="<script>")
    assert garbage.status_code == 422
    assert _count(Seminar, Seminar.module == Module.ADVANCED) == 0


def test_the_same_address_is_the_same_location_whatever_the_town_is_called(client, admin, world):
    known = factories.vhs(
        name="Volkshochschule Mülheim an der Ruhr",
        town="Mülheim an der Ruhr",
        street="Bergstraße 1-3",
        postcode="45479",
    )
    declared = factories.vhs_declaration(
        programme=world["programme"],
        new_vhs_name="Bildungszentrum MH",
        new_vhs_town="Mülheim a. d. Ruhr",
        new_vhs_street="Bergstr. 1 - 3",
        new_vhs_postcode="45479",
        offers=({"module": 1},),
    )
    item = offer(declared, 1)
    note = section(client.get(select_url(item.id)).text, "same-vhs")
    assert "Volkshochschule Mülheim an der Ruhr" in note and "gleiche Adresse" in note
    assert _select(client, item).status_code == 422
    assert _select(client, item, same_vhs=str(known.id)).status_code == 303
    assert _count(Vhs, Vhs.postcode == "45479") == 1


def test_a_new_vhs_elsewhere_is_still_created(client, admin, world, bochum):
    other = factories.vhs_declaration(
        programme=world["programme"],
        new_vhs_name="VHS Bochum-Wattenscheid",
        new_vhs_town="Bochum",
        new_vhs_street="Saarlandstraße 5",
        new_vhs_postcode="44866",
        offers=({"module": 1},),
    )
    item = offer(other, 1)
    page = client.get(select_url(item.id)).text
    assert 'id="same-vhs"' not in page and "wird neu angelegt" in page
    assert _select(client, item).status_code == 303
    assert _count(Vhs, Vhs.town == "Bochum") == 2


@pytest.mark.parametrize(
    ("declared", "known", "match"),
    [
        (("VHS Bochum", "Bochum", "", ""), ("Volkshochschule Bochum", "Bochum", "", ""), "name"),
        (
            ("Volkshochschule der Stadt Köln", "Koeln", "", ""),
            ("VHS Köln", "Köln", "", ""),
            "name",
        ),
        (("Volkshochshule Hagen", "Hagen", "", ""), ("VHS Hagen", "Hagen", "", ""), "name"),
        (
            ("VHS Bochum-Wattenscheid", "Bochum", "", ""),
            ("VHS Bochum-Linden", "Bochum", "", ""),
            None,
        ),
        (("VHS Bochum", "Bochum", "", ""), ("VHS Bochum", "Herne", "", ""), None),
        (
            ("Haus der Bildung", "Mülheim a. d. Ruhr", "Bergstr. 1", "45479"),
            ("VHS Mülheim", "Mülheim an der Ruhr", "Bergstraße 1", "45479"),
            "address",
        ),
        (
            ("VHS A", "Teststadt", "Hauptstraße 1", "40210"),
            ("VHS B", "Anderswo", "Hauptstraße 1", "50667"),
            None,
        ),
    ],
)
def test_places_are_compared_not_spellings(declared, known, match):
    found = rules.place_match(directory.place(*declared), directory.place(*known))
    assert (found.value if found else None) == {
        "name": "similar_name",
        "address": "same_address",
        None: None,
    }[match]


# -- days that can still be planned ---------------------------------------------------------


def test_days_in_the_past_are_refused_as_on_the_public_form(client, admin, world):
    item = offer(world["koeln"], 1)
    yesterday = today_berlin() - timedelta(days=1)
    response = _select(client, item, day1=yesterday.isoformat())
    assert response.status_code == 422
    assert "Dieser Tag liegt in der Vergangenheit." in field_error(response.text, "day1")
    assert f'value="{yesterday.isoformat()}"' in response.text
    assert seminars() == []


def test_a_second_day_after_the_period_is_refused(client, admin, world):
    item = offer(world["koeln"], 1)
    late = world["programme"].period_end + timedelta(days=1)
    response = _select(client, item, day2=late.isoformat())
    assert response.status_code == 422
    assert "liegt nicht im Zeitraum des Programms" in field_error(response.text, "day2")
    assert seminars() == []


def test_a_registration_deadline_already_passed_is_refused(client, admin, world):
    item = offer(world["koeln"], 1)
    soon = today_berlin() + timedelta(days=3)
    response = _select(
        client, item, day1=soon.isoformat(), day2=(soon + timedelta(days=1)).isoformat()
    )
    assert response.status_code == 422
    error = field_error(response.text, "day1")
    assert "Anmeldeschluss" in error and "schon vorbei" in error
    earliest = today_berlin() + timedelta(days=rules.REGISTRATION_CLOSES_DAYS_BEFORE)
    assert earliest.strftime("%d.%m.%Y") in error
    assert f'value="{soon.isoformat()}"' in response.text
    assert seminars() == []
    db.session.refresh(item)
    assert item.state == OfferState.OPEN
    # a deadline of today still lets people register today
    just = _select(
        client, item, day1=earliest.isoformat(), day2=(earliest + timedelta(days=1)).isoformat()
    )
    assert just.status_code == 303
    (seminar,) = seminars()
    assert seminar.registration_deadline == today_berlin()


def test_the_service_refuses_past_days_on_the_day_it_is_told(app, world):
    item = offer(world["koeln"], 1)
    with pytest.raises(interest_choice.seminars.RulesBroken) as refused:
        interest_choice.select_offer(item.id, actor_id=None, today=item.day2 + timedelta(days=1))
    assert set(refused.value.errors) == {"day1", "day2"}
    assert seminars() == []


# -- places ----------------------------------------------------------------------------------


def test_the_confirm_page_never_suggests_places_below_the_minimum(client, admin, world):
    small = offer(world["bonn"], 1)  # a room of 6
    page = client.get(select_url(small.id)).text
    capacity = re.search(r'<input[^>]*\bname="capacity"[^>]*>', page).group(0)
    assert re.search(r'value="\d', capacity) is None
    assert "Der Raum hat nur 6 Plätze" in text(page)
    programme_rules = world["programme"].rules
    assert rules.offered_capacity(programme_rules, 7) is None
    assert rules.offered_capacity(programme_rules, 8) == 8


# -- accounts only by choice -------------------------------------------------------------------


def test_selecting_invites_nobody_by_default(client, admin, world):
    item = offer(world["koeln"], 1)
    page = client.get(select_url(item.id)).text
    account = section(page, "vhs-account")
    # offered from the VHS's own contact record, never from the declaration
    assert world["vhs_koeln"].contact_email in account
    assert "integration@vhs-koeln.example" not in account
    assert re.search(r'<input[^>]*name="invite_account"[^>]*>', page).group(0).count("checked") == 0
    assert _select(client, item).status_code == 303
    assert mails("invitation") == []
    assert _count(User, User.role == Role.VHS) == 0
    assert interest_choice.select_offer(offer(world["koeln"], 2).id, actor_id=None).invited is None
    assert mails("invitation") == []


def test_a_free_mail_declarant_gets_no_account_of_a_known_vhs(client, admin, world):
    essen = factories.vhs(
        name="Volkshochschule Essen", town="Essen", contact_email="integration@vhs-essen.example"
    )
    declared = factories.vhs_declaration(
        programme=world["programme"],
        vhs=essen,
        contact_email="essen.fan@freemail.example",
        offers=({"module": 1},),
    )
    item = offer(declared, 1)
    page = client.get(select_url(item.id)).text
    assert 'value="integration@vhs-essen.example"' in page
    assert 'value="essen.fan@freemail.example"' not in page
    response = _select(
        client, item, invite_account="y", account_email="integration@vhs-essen.example"
    )
    assert response.status_code == 303
    assert [m.recipient for m in mails("invitation")] == ["integration@vhs-essen.example"]
    assert _count(User, User.email == "essen.fan@freemail.example") == 0


def test_an_address_of_another_domain_is_warned_about_before_it_is_invited(client, admin, world):
    item = offer(world["koeln"], 1)
    stranger = "integration@vhs-koeln.example"  # the declarant, not the VHS's known domain
    warned = _select(client, item, invite_account="y", account_email=stranger)
    assert warned.status_code == 422
    warning = field_error(warned.text, "account_email")
    assert "vhs-koeln.example" in warning and "vhs.example" in warning
    assert f'value="{stranger}"' in warned.text  # kept as typed
    assert 'name="account_other_domain"' in warned.text
    assert seminars() == [] and mails("invitation") == []
    done = _select(
        client, item, invite_account="y", account_email=stranger, account_other_domain="y"
    )
    assert done.status_code == 303
    assert [m.recipient for m in mails("invitation")] == [stranger]
    account = db.session.scalar(sa.select(User).where(User.email == stranger))
    assert account.role == Role.VHS and account.vhs_id == world["vhs_koeln"].id


def test_inviting_needs_an_address_without_an_account(client, admin, world):
    item = offer(world["koeln"], 1)
    empty = _select(client, item, invite_account="y", account_email="")
    assert empty.status_code == 422
    assert "Adresse" in field_error(empty.text, "account_email")
    taken = _select(
        client, item, invite_account="y", account_email=admin.email, account_other_domain="y"
    )
    assert taken.status_code == 422
    assert "schon ein Konto" in field_error(taken.text, "account_email")
    assert seminars() == []


def test_a_new_vhs_offers_no_address_for_its_account(client, admin, world):
    new = world["new"]
    new.state = DeclarationState.CONFIRMED
    db.session.commit()
    item = offer(new, 1)
    page = client.get(select_url(item.id)).text
    assert f'value="{new.contact_email}"' not in page
    typed = "leitung@neustadt.example"
    with pytest.raises(interest_choice.AccountAddressUnchecked) as unchecked:
        interest_choice.select_offer(item.id, actor_id=admin.id, account_email=typed)
    assert "keine E-Mail-Adresse" in unchecked.value.message
    assert _count(Vhs, Vhs.town == "Neustadt") == 0 and seminars() == []
    decision = interest_choice.select_offer(item.id, actor_id=admin.id)
    assert decision.invited is None and mails("invitation") == []
    # the VHS made from the declaration does not offer the declarant's address either
    other = factories.vhs_declaration(
        programme=world["programme"], vhs=decision.seminar.vhs, offers=({"module": 2},)
    )
    page = client.get(select_url(offer(other, 2).id)).text
    assert f'value="{new.contact_email}"' not in page
    assert "noch keine Adresse" in section(page, "vhs-account")
