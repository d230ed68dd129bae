"""The funding overview: figures by the programme's rules, checked against hand-computed
cases at every threshold, totals, filters, CSV and a fixed number of queries."""

import csv
import io

import pytest

from app.extensions import db
from app.models import SeminarState, TrainerKind
from app.services import funding
from app.services.seminars import cancel_seminar
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import login_admin, text
from tests.sqlcount import count_queries

# registrations -> trainers funded, fees, catering, total without travel (hand-computed:
# fees = 2 days x 450 EUR x trainers; catering = 12 EUR x registrations)
BY_HAND = {
    7: (0, 0, 0, 0),  # below the minimum: nothing funded, catering neither
    8: (1, 900_00, 96_00, 996_00),
    11: (1, 900_00, 132_00, 1_032_00),
    12: (2, 1_800_00, 144_00, 1_944_00),
    20: (2, 1_800_00, 240_00, 2_040_00),
}
# travel costs recorded (adult educator first, council field second) and the part funded:
# the first trainer of the list from 8, both from 12, nobody below the minimum (rule 5)
RECORDED = {7: (10_00, 10_00), 8: (30_00, 50_00), 11: (0, 0), 12: (84_50, 120_00), 20: (0, 0)}
TRAVEL = {7: 0, 8: 30_00, 11: 0, 12: 84_50 + 120_00, 20: 0}


@pytest.fixture
def programme_with_seminars(app):
    """One seminar per threshold, each at its own VHS with a full tandem."""
    programme = factories.programme()
    seminars = {}
    adult, field = factories.trainer("adult_educator"), factories.trainer("council_field")
    for confirmed in BY_HAND:
        seminar = factories.seminar(programme=programme, module=1 if confirmed < 12 else 2)
        factories.fill(seminar, confirmed)
        adult_travel, field_travel = RECORDED[confirmed]
        set_tandem(
            seminar.id,
            {
                TrainerKind.ADULT_EDUCATOR: (adult.id, adult_travel),
                TrainerKind.COUNCIL_FIELD: (field.id, field_travel),
            },
        )
        seminars[confirmed] = seminar
    return programme, seminars


@pytest.mark.parametrize("confirmed", list(BY_HAND))
def test_each_threshold_against_the_hand_computed_figures(programme_with_seminars, confirmed):
    _programme, seminars = programme_with_seminars
    lines = {line.seminar.id: line for line in funding.overview().lines}
    line = lines[seminars[confirmed].id]
    trainers, fees, catering, total = BY_HAND[confirmed]
    travel = TRAVEL[confirmed]
    assert line.confirmed == confirmed
    assert line.funding.trainers == trainers
    assert line.funding.trainer_fees_cents == fees
    assert line.funding.catering_cents == catering
    assert line.funding.travel_cents == travel
    assert line.funding.total_cents == total + travel


def test_programme_totals(programme_with_seminars):
    totals = funding.overview().totals
    assert totals.seminars == 5
    assert totals.confirmed == 7 + 8 + 11 + 12 + 20
    assert totals.trainers == 0 + 1 + 1 + 2 + 2
    assert totals.trainer_fees_cents == 5_400_00
    assert totals.catering_cents == 612_00
    assert totals.not_fundable == 1
    assert totals.travel_cents == 30_00 + 204_50
    assert totals.total_cents == 996_00 + 1_032_00 + 1_944_00 + 2_040_00 + 234_50


def test_only_confirmed_people_count_and_cancelled_seminars_are_left_out(app):
    programme = factories.programme()
    small = factories.seminar(programme=programme, capacity=8)
    factories.fill(small, 11)  # 8 confirmed, 3 waitlisted
    set_tandem(small.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 0)})
    gone = factories.seminar(programme=programme)
    factories.fill(gone, 12)
    cancel_seminar(gone.id)
    draft = factories.seminar(programme=programme, state=SeminarState.DRAFT)

    data = funding.overview()

    # (same day: the order goes by the VHS's town, which the test does not choose)
    lines = {line.seminar.id: line for line in data.lines}
    assert sorted(lines) == sorted([small.id, draft.id])
    assert lines[small.id].confirmed == 8
    assert lines[small.id].funding.total_cents == 996_00
    assert lines[draft.id].funding.total_cents == 0


def test_filters_by_module_vhs_and_programme(programme_with_seminars):
    programme, seminars = programme_with_seminars
    basic = funding.overview(module=1)
    assert {line.confirmed for line in basic.lines} == {7, 8, 11}
    assert basic.totals.total_cents == 996_00 + 1_032_00 + 30_00
    one_vhs = funding.overview(vhs_id=seminars[20].vhs_id)
    assert [line.confirmed for line in one_vhs.lines] == [20]
    assert funding.overview(programme_id=programme.id).totals.seminars == 5
    assert funding.overview(programme_id=programme.id + 1000).totals.seminars == 0


def test_the_overview_takes_the_same_number_of_queries_for_more_seminars(app):
    programme = factories.programme()
    for _ in range(2):
        factories.fill(factories.seminar(programme=programme), 2)
    with count_queries() as few:
        funding.overview()
    for _ in range(6):
        seminar = factories.seminar(programme=programme)
        factories.fill(seminar, 2)
        set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 10_00)})
    with count_queries() as many:
        funding.overview()
    # seminars with their evidence, their trainers, registrations, attendance
    assert len(many) == len(few) <= 4


# -- the page -----------------------------------------------------------------------------


def test_the_page_shows_each_seminar_and_the_totals(client, programme_with_seminars):
    login_admin(client)
    page = text(client.get("/manage/admin/foerderung").text)
    assert "5 Seminare" in page
    totals = "58 6 5.400,00 € 234,50 € 612,00 € 6.246,50 €"
    assert f"Summe davon 1 Seminar nicht förderfähig {totals}" in page
    assert "8 1 900,00 € 30,00 € 96,00 € 1.026,00 €" in page
    assert "12 2 1.800,00 € 204,50 € 144,00 € 2.148,50 €" in page
    assert "Nicht förderfähig Mindestzahl noch nicht erreicht" in page
    assert "7 0 0,00 € 0,00 € 0,00 € 0,00 €" in page


def test_the_page_filters_and_answers_htmx_with_the_table_only(
    client, programme_with_seminars, htmx
):
    login_admin(client)
    _programme, seminars = programme_with_seminars
    url = f"/manage/admin/foerderung?modul=2&vhs={seminars[20].vhs_id}"
    full = client.get(url)
    assert "<html" in full.text and 'value="2" selected' in full.text
    fragment = client.get(url, headers=htmx)
    assert "<html" not in fragment.text and 'id="funding-table"' in fragment.text
    assert "1 Seminar " in text(fragment.text)
    assert "2.040,00 €" in text(fragment.text)
    assert f"/manage/admin/foerderung.csv?modul=2&amp;vhs={seminars[20].vhs_id}" in fragment.text


def test_csv_export_for_excel(client, programme_with_seminars):
    login_admin(client)
    _programme, seminars = programme_with_seminars
    vhs = seminars[8].vhs
    vhs.name = '=HYPERLINK("http://evil.example")'
    db.session.commit()

    response = client.get("/manage/admin/foerderung.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nr.", "Modul", "Volkshochschule"]
    assert rows[0][12] == "Summe (EUR)"
    by_registrations = {row[7]: row for row in rows[1:-1]}
    assert by_registrations["12"][8:13] == ["2", "1800,00", "204,50", "144,00", "2148,50"]
    assert by_registrations["8"][8:13] == ["1", "900,00", "30,00", "96,00", "1026,00"]
    assert by_registrations["8"][2] == '\'=HYPERLINK("http://evil.example")'
    assert rows[-1][0] == "Summe"
    assert rows[-1][7:13] == ["58", "6", "5400,00", "234,50", "612,00", "6246,50"]
    assert rows[0][-1] == "Hinweis"
    assert by_registrations["7"][-1] == "Mindestzahl noch nicht erreicht"
    assert by_registrations["8"][-1] == ""
    assert rows[-1][-1] == "1 Seminar nicht förderfähig"

    filtered = client.get("/manage/admin/foerderung.csv?modul=1")
    filtered_rows = list(csv.reader(io.StringIO(filtered.data.decode("utf-8-sig")), delimiter=";"))
    assert len(filtered_rows) == 1 + 3 + 1
