"""The settlement as a record of public money: the count at the start funds the trainers,
catering is capped per person who attended, nothing is funded below the minimum, and a
submitted, checked or paid settlement keeps every figure whatever changes later.

The expected figures are computed here from the programme's rules as a bookkeeper would,
not by the code under test."""

import csv
import io
from dataclasses import replace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Attendance, Registration, Seminar, TrainerKind
from app.services import funding, settlement
from app.services.programmes import save_programme
from app.services.registrations import cancel_registration
from app.services.seminars import data_of, update_seminar
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import text

FEE_PER_DAY, DAYS, CATERING_PER_PERSON, MINIMUM = 450_00, 2, 12_00, 8


def by_hand(confirmed, only_day1, only_day2, both, travel, spent):
    """The settlement's figures from the rules (DOMAIN.md rules 3-6, decision
    "Settlement"): trainers by the count at the start, the first ones of the list funded,
    catering at most 12 EUR per person present on at least one day."""
    fundable = confirmed >= MINIMUM
    trainers = 0 if not fundable else (1 if confirmed < 12 else 2)
    trainers = min(trainers, len(travel))
    persons = only_day1 + only_day2 + both
    cap = CATERING_PER_PERSON * persons if fundable else 0
    catering = min(spent, cap)
    fees = FEE_PER_DAY * DAYS * trainers
    fares = sum(travel[:trainers])
    return {
        "confirmed": confirmed,
        "day1": only_day1 + both,
        "day2": only_day2 + both,
        "persons": persons,
        "trainers": trainers,
        "fees": fees,
        "travel": fares,
        "cap": cap,
        "catering": catering,
        "total": fees + fares + catering,
    }


# confirmed at start, present only on day 1, only on day 2, on both, travel per trainer, spent
CASES = [
    pytest.param(7, 1, 1, 4, [30_00], 50_00, id="7-below-minimum"),
    pytest.param(8, 2, 0, 6, [40_00], 100_00, id="8-one-trainer"),
    pytest.param(11, 2, 1, 8, [45_00, 80_00], 140_00, id="11-tandem-one-funded"),
    pytest.param(12, 1, 0, 11, [45_00, 80_00], 150_00, id="12-two-trainers"),
    pytest.param(20, 1, 2, 17, [45_00, 80_00], 200_00, id="20-full"),
]


def _held(confirmed, only_day1, only_day2, both, travel):
    """A seminar whose day 2 is today, booked while ahead, attendance recorded, trainers
    with their travel; then one person who attended cancels on their own (self-service
    is open until the end of day 2)."""
    people = [(f"Person{n}", "Alex") for n in range(confirmed)]
    seminar, booked = factories.seminar_held_with(people)
    marks = (
        [(True, False)] * only_day1
        + [(False, True)] * only_day2
        + [(True, True)] * both
        + [(False, False)] * (confirmed - only_day1 - only_day2 - both)
    )
    for person, (one, two) in zip(booked, marks, strict=True):
        factories.record_days(person, one, two)
    kinds = [TrainerKind.ADULT_EDUCATOR, TrainerKind.COUNCIL_FIELD]
    set_tandem(
        seminar.id,
        {
            kind: (factories.trainer(kind.value, name=f"Trainer {n}").id, cents)
            for n, (kind, cents) in enumerate(zip(kinds, travel, strict=False))
        },
    )
    cancel_registration(booked[-1].id)
    db.session.expire_all()
    return db.session.get(Seminar, seminar.id), booked


def _sheet_figures(client, seminar) -> str:
    page = text(client.get(f"/manage/seminare/{seminar.id}/abrechnung").text)
    return page.split("Zahlen der Abrechnung")[1].split("Herunterladen")[0]


def _documents(client, seminar) -> tuple[dict, str]:
    xlsx = client.get(f"/manage/seminare/{seminar.id}/abrechnung.xlsx")
    rows = {
        row[0]: row[1:]
        for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)
        if row[0]
    }
    pdf = client.get(f"/manage/seminare/{seminar.id}/abrechnung.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    # the date the PDF was made is not a figure
    return rows, words.split("erstellt am")[0] + words.split("erstellt am")[1][12:]


def _overview_row(client, seminar) -> tuple[list[str], tuple]:
    body = client.get("/manage/admin/foerderung.csv").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(body), delimiter=";") if r[0] == str(seminar.id))
    (line,) = [li for li in funding.overview().lines if li.seminar.id == seminar.id]
    return row[7:], (line.figures, line.settled_cents, line.catering_cap_cents)


@pytest.mark.parametrize(("confirmed", "only1", "only2", "both", "travel", "spent"), CASES)
def test_the_settlement_figures_follow_the_rules(
    client, confirmed, only1, only2, both, travel, spent
):
    seminar, _booked = _held(confirmed, only1, only2, both, travel)
    expected = by_hand(confirmed, only1, only2, both, travel, spent)
    admin = factories.user("admin")
    factories.login(client, admin)
    settlement.set_catering(seminar.id, spent, admin)

    line = settlement.sheet_for(seminar).line
    assert line.confirmed == expected["confirmed"]  # the one who cancelled still counts
    assert line.attended == (expected["day1"], expected["day2"])
    assert line.catering_persons == expected["persons"]
    assert line.funding.trainers == expected["trainers"]
    assert line.funding.trainer_fees_cents == expected["fees"]
    assert line.funding.travel_cents == expected["travel"]
    assert line.catering_cap_cents == expected["cap"]
    assert line.catering_settled_cents == expected["catering"]
    assert line.settled_cents == expected["total"]

    rows, _pdf = _documents(client, seminar)
    assert rows["Anmeldungen (bestätigt) zu Beginn"][0] == expected["confirmed"]
    assert rows["Personen für die Verpflegung"][0] == expected["persons"]
    assert rows["Verpflegung abgerechnet (EUR)"][0] * 100 == pytest.approx(expected["catering"])
    assert rows["Summe der Abrechnung (EUR)"][0] * 100 == pytest.approx(expected["total"])


def test_catering_counts_each_person_who_attended_once(client):
    # 10 on day 1, 9 on day 2, 11 persons in all: at most 132 EUR, not 120 EUR
    seminar, _booked = _held(12, 2, 1, 8, [45_00, 80_00])
    admin = factories.user("admin")
    factories.login(client, admin)
    settlement.set_catering(seminar.id, 140_00, admin)
    figures = _sheet_figures(client, seminar)
    assert "Anwesend am 1. Tag 10" in figures and "Anwesend am 2. Tag 9" in figures
    assert "12,00 € × 11 Personen, die an mindestens einem Tag teilgenommen haben) 132,00 €" in (
        figures
    )
    assert "Verpflegung abgerechnet 132,00 €" in figures


def test_below_the_minimum_at_the_start_nothing_is_funded_and_every_figure_says_why(client):
    seminar, _booked = _held(7, 1, 1, 4, [30_00])
    admin = factories.user("admin")
    factories.login(client, admin)
    settlement.set_catering(seminar.id, 50_00, admin)

    page = text(client.get(f"/manage/seminare/{seminar.id}/abrechnung").text)
    assert "Nicht förderfähig: Mindestzahl zu Beginn nicht erreicht." in page
    assert "Verpflegung abgerechnet 0,00 €" in page
    assert "Summe der Abrechnung 0,00 €" in page

    overview = text(client.get("/manage/admin/foerderung").text)
    assert "Nicht förderfähig Mindestzahl zu Beginn nicht erreicht" in overview
    assert "davon 1 Seminar nicht förderfähig" in overview
    body = client.get("/manage/admin/foerderung.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    row = next(r for r in rows if r[0] == str(seminar.id))
    assert row[9:13] == ["0,00", "0,00", "0,00", "0,00"]
    assert row[-2:] == ["0,00", "Mindestzahl zu Beginn nicht erreicht"]
    assert rows[-1][-1] == "1 Seminar nicht förderfähig"


def test_a_paid_settlement_keeps_every_figure_whatever_changes_later(client):
    seminar, booked = _held(12, 1, 0, 11, [45_00, 80_00])
    admin = factories.user("admin")
    factories.login(client, admin)
    settlement.set_catering(seminar.id, 150_00, admin)
    settlement.submit(seminar.id, admin, today_berlin())
    settlement.check(seminar.id, admin)
    settlement.mark_paid(seminar.id, admin)
    db.session.expire_all()

    before = (
        _sheet_figures(client, seminar),
        _documents(client, seminar),
        _overview_row(client, seminar),
    )
    assert "Summe der Abrechnung 2.069,00 €" in before[0]  # 1.800 + 125 + 144

    programme = seminar.programme
    save_programme(
        programme.id,
        programme.title,
        replace(programme.rules, trainer_fee_cents_per_day=500_00, catering_cents_per_person=15_00),
    )
    trainer_ids = [a.trainer_id for a in seminar.trainer_assignments]
    set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (trainer_ids[0], 300_00)})
    for person in booked[:3]:
        cancel_registration(person.id)  # one who attended day 1 only, two on both days
    db.session.execute(sa.update(Attendance).values(present=True))  # the list "corrected"
    db.session.commit()
    seminar = db.session.get(Seminar, seminar.id)
    update_seminar(
        seminar.id,
        replace(data_of(seminar), venue_name="Rathaus, Saal 1", venue_town="Neuss"),
        seminar.capacity,
    )
    db.session.expire_all()
    seminar = db.session.get(Seminar, seminar.id)
    assert seminar.venue_town == "Neuss" and seminar.programme.trainer_fee_cents_per_day == 500_00
    assert settlement.sheet_for(seminar).line.recorded_at is not None

    after = (
        _sheet_figures(client, seminar),
        _documents(client, seminar),
        _overview_row(client, seminar),
    )
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert "Düsseldorf" in after[1][1]  # the venue as settled


def test_giving_back_recomputes_and_shows_what_changed(client):
    seminar, _booked = _held(12, 1, 0, 11, [45_00, 80_00])
    admin = factories.user("admin")
    factories.login(client, admin)
    settlement.set_catering(seminar.id, 150_00, admin)
    settlement.submit(seminar.id, admin, today_berlin())
    trainer_ids = [a.trainer_id for a in seminar.trainer_assignments]
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (trainer_ids[0], 60_00),
            TrainerKind.COUNCIL_FIELD: (trainer_ids[1], 80_00),
        },
    )
    assert "Reisekosten (wie erfasst, geförderte Trainer*innen) 125,00 €" in _sheet_figures(
        client, seminar
    )

    settlement.give_back(seminar.id, admin, "Reisekosten bitte prüfen")
    db.session.expire_all()
    page = text(client.get(f"/manage/seminare/{seminar.id}/abrechnung").text)
    changes = page.split("Geändert gegenüber der zurückgegebenen Fassung")[1].split("Zahlen")[0]
    assert "Reisekosten 125,00 € 140,00 €" in changes
    assert "Summe der Abrechnung 2.069,00 € 2.084,00 €" in changes
    assert "Honorare" not in changes
    assert "Reisekosten (wie erfasst, geförderte Trainer*innen) 140,00 €" in page


def test_the_count_at_start_is_kept_when_people_cancel_after_the_start(app):
    seminar, booked = _held(12, 0, 0, 12, [45_00, 80_00])
    for person in booked[:4]:
        cancel_registration(person.id)
    db.session.expire_all()
    seminar = db.session.get(Seminar, seminar.id)
    assert seminar.confirmed_count == 7
    line = funding.line_for(seminar)
    assert (line.confirmed, line.funding.trainers, line.funding.trainer_fees_cents) == (
        12,
        2,
        1_800_00,
    )
    confirmed_now = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.seminar_id == seminar.id, Registration.state == "confirmed")
    )
    assert confirmed_now == 7


def test_before_the_start_the_count_follows_the_registrations(app):
    seminar = factories.seminar()
    factories.fill(seminar, 12)
    first = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == seminar.id)
    ).first()
    cancel_registration(first.id)
    db.session.expire_all()
    seminar = db.session.get(Seminar, seminar.id)
    assert seminar.confirmed_at_start is None
    line = funding.line_for(seminar)
    assert (line.confirmed, line.fundable, line.started) == (11, 1, False)
