"""The settlement (Abrechnung): the figures by the programme's rules, the states changed by
the right role only (with the audit log), the attendance fixed once submitted, the XLSX
and PDF read back, the funding overview's states and totals, the figures kept after the
purge."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from app import rules
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, SeminarState, Settlement, SettlementState, TrainerKind
from app.services import funding, messages
from app.services.retention import purge
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import text

PEOPLE = [("Nguyễn", "Thị Lan"), ("O'Neill", "Siobhán"), ("Çelik", "Ayşe")] + [
    (f"Muster{n}", "Alex") for n in range(9)
]


def _held(day2_ago: int = 0, **overrides):
    """12 confirmed (two trainers funded): 10 present on both days, Çelik only on day 1,
    one absent on both: attended 11 and 10; trainers with 45 € and 80 € travel."""
    seminar, people = factories.seminar_held_with(PEOPLE, day2_ago=day2_ago, **overrides)
    for person in people:
        if person.last_name == "Çelik":
            factories.record_days(person, True, False)
        elif person.last_name == "Muster8":
            factories.record_days(person, False, False)
        else:
            factories.record_days(person, True, True)
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (factories.trainer(name="Petra Bildung").id, 45_00),
            TrainerKind.COUNCIL_FIELD: (
                factories.trainer("council_field", name="Cem Rat").id,
                80_00,
            ),
        },
    )
    return seminar, people


def _as(client, role: str, seminar, **extra):
    values = {"vhs": {"vhs_id": seminar.vhs_id}, "contact": {}}.get(role, {})
    if role == "contact":
        council = factories.council()
        seminar.councils = [council]
        db.session.commit()
        values = {"council_id": council.id}
    account = factories.user(role, **values, **extra)
    assert factories.login(client, account).status_code == 303
    return account


def _state(seminar) -> SettlementState | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Settlement.state).where(Settlement.seminar_id == seminar.id))


def _notice(client, response) -> str:
    assert response.status_code == 303, response.status_code
    return text(client.get(response.headers["Location"]).text)


def _url(seminar, step: str = "") -> str:
    return f"/manage/seminare/{seminar.id}/abrechnung" + (f"/{step}" if step else "")


# -- the rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("draft", "submitted", {"vhs", "admin"}),
        ("submitted", "checked", {"admin"}),
        ("checked", "paid", {"admin"}),
        ("submitted", "draft", {"admin"}),
        ("draft", "checked", set()),
        ("draft", "paid", set()),
        ("checked", "draft", set()),
        ("paid", "draft", set()),
    ],
)
def test_who_moves_a_settlement_where(current, target, allowed):
    for role in ("vhs", "admin", "contact", "observer"):
        assert rules.settlement_move_allowed(current, target, role) is (role in allowed)


def test_catering_is_the_amount_spent_at_most_the_rate_per_person_who_attended():
    programme = rules.ProgrammeRules()
    assert rules.catering_cap_cents(programme, 11) == 132_00
    assert rules.catering_cap_cents(programme, 11, fundable=False) == 0
    assert rules.catering_funded_cents(programme, 50_00, 7, fundable=False) == 0
    assert rules.catering_funded_cents(programme, 150_00, 11) == 132_00
    assert rules.catering_funded_cents(programme, 99_50, 11) == 99_50
    assert rules.catering_funded_cents(programme, None, 11) == 0
    assert rules.catering_funded_cents(programme, 10_00, 0) == 0
    assert rules.settlement_submittable(date(2026, 3, 15), date(2026, 3, 15), cancelled=False)
    assert not rules.settlement_submittable(date(2026, 3, 15), date(2026, 3, 14), cancelled=False)
    assert not rules.settlement_submittable(date(2026, 3, 15), date(2026, 3, 20), cancelled=True)


# -- the journey: the VHS submits, the Landesverband checks and pays ---------------------


def test_vhs_enters_catering_and_submits_then_admin_checks_and_pays(app_factory):
    app = app_factory()
    with app.app_context():
        seminar, _people = _held()
        vhs_client, admin_client = app.test_client(), app.test_client()
        staff = _as(vhs_client, "vhs", seminar, name="Vera Volkshochschule")
        admin = _as(admin_client, "admin", seminar, name="Lars Landesverband")

        sheet = text(vhs_client.get(_url(seminar)).text)
        assert "Abrechnung Entwurf" in sheet
        assert "Anmeldungen (bestätigt) (zu Beginn des 1. Tages) 12" in sheet
        assert "Anwesend am 1. Tag 11" in sheet and "Anwesend am 2. Tag 10" in sheet
        assert "Honorare (2 Tage × 450,00 € je geförderter Trainer*in) 1.800,00 €" in sheet
        assert "125,00 €" in sheet
        assert "Verpflegung ausgegeben noch nicht eingetragen" in sheet
        cap = "12,00 € × 11 Personen, die an mindestens einem Tag teilgenommen haben) 132,00 €"
        assert cap in sheet
        assert "Summe der Abrechnung 1.925,00 €" in sheet

        # submitting needs the catering first
        refused = vhs_client.post(_url(seminar, "einreichen"))
        assert messages.CATERING_MISSING in _notice(vhs_client, refused)
        assert _state(seminar) is None  # nothing half-written

        saved = vhs_client.post(_url(seminar, "verpflegung"), data={"catering": "150,00"})
        assert text(messages.catering_saved(150_00)) in _notice(vhs_client, saved)
        sheet = text(vhs_client.get(_url(seminar)).text)
        assert "Verpflegung ausgegeben 150,00 €" in sheet
        assert "Verpflegung abgerechnet 132,00 €" in sheet
        assert "Summe der Abrechnung 2.057,00 €" in sheet

        done = vhs_client.post(_url(seminar, "einreichen"))
        assert messages.SETTLEMENT_SUBMITTED in _notice(vhs_client, done)
        assert _state(seminar) == SettlementState.SUBMITTED
        # the VHS can neither check nor pay, nor change the catering now
        for step in ("pruefen", "auszahlen"):
            assert vhs_client.post(_url(seminar, step)).status_code == 403
        late = vhs_client.post(_url(seminar, "verpflegung"), data={"catering": "10,00"})
        assert late.status_code == 422
        assert messages.SETTLEMENT_NOT_EDITABLE in text(late.text)
        assert "Verpflegungskosten speichern" not in vhs_client.get(_url(seminar)).text

        # paying before checking is refused, with the reason
        early = admin_client.post(_url(seminar, "auszahlen"))
        assert messages.settlement_wrong_state("eingereicht") in _notice(admin_client, early)
        checked = admin_client.post(_url(seminar, "pruefen"))
        assert messages.SETTLEMENT_CHECKED in _notice(admin_client, checked)
        paid = admin_client.post(_url(seminar, "auszahlen"))
        assert messages.SETTLEMENT_PAID in _notice(admin_client, paid)
        assert _state(seminar) == SettlementState.PAID

        sheet = text(vhs_client.get(_url(seminar)).text)
        assert "Abrechnung ausgezahlt" in sheet
        assert "Eingereicht am" in sheet and "von Vera Volkshochschule" in sheet
        assert "Ausgezahlt am" in sheet and "von Lars Landesverband" in sheet

        log = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.seminar_id == seminar.id, AuditEntry.action.like("settlement_%"))
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.actor_id) for e in log] == [
            ("settlement_catering", staff.id),
            ("settlement_submitted", staff.id),
            ("settlement_checked", admin.id),
            ("settlement_paid", admin.id),
        ]
        assert log[0].change_list == [("Verpflegung ausgegeben", "–", "150,00\xa0€")]
        assert log[3].change_list == [("Stand der Abrechnung", "geprüft", "ausgezahlt")]


def test_admin_gives_a_submitted_settlement_back_with_a_reason(app_factory):
    app = app_factory()
    with app.app_context():
        seminar, _people = _held()
        vhs_client, admin_client = app.test_client(), app.test_client()
        _as(vhs_client, "vhs", seminar)
        _as(admin_client, "admin", seminar)
        vhs_client.post(_url(seminar, "verpflegung"), data={"catering": "99,50"})
        vhs_client.post(_url(seminar, "einreichen"))

        # without a reason: the form says so, 422, nothing changed
        missing = admin_client.post(_url(seminar, "zurueckgeben"), data={"reason": "  "})
        assert missing.status_code == 422
        assert messages.RETURN_REASON_MISSING in text(missing.text)
        assert _state(seminar) == SettlementState.SUBMITTED

        reason = "Bitte die Quittung über 99,50 € beilegen."
        back = admin_client.post(_url(seminar, "zurueckgeben"), data={"reason": reason})
        assert messages.SETTLEMENT_RETURNED in _notice(admin_client, back)
        assert _state(seminar) == SettlementState.DRAFT
        sheet = text(vhs_client.get(_url(seminar)).text)
        assert f"Zurückgegeben: {reason}" in sheet
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "settlement_returned")
        ).one()
        assert entry.detail == reason
        # the VHS corrects and submits again
        vhs_client.post(_url(seminar, "verpflegung"), data={"catering": "98,00"})
        vhs_client.post(_url(seminar, "einreichen"))
        assert _state(seminar) == SettlementState.SUBMITTED
        assert "Zurückgegeben" not in text(vhs_client.get(_url(seminar)).text)


def test_contact_person_and_observer_read_but_do_not_change(app_factory):
    app = app_factory()
    with app.app_context():
        seminar, _people = _held()
        contact, observer = app.test_client(), app.test_client()
        _as(contact, "contact", seminar)
        _as(observer, "observer", seminar)

        for client in (contact, observer):
            page = client.get(_url(seminar))
            assert page.status_code == 200
            assert "Summe der Abrechnung" in page.text
            assert "Abrechnung einreichen" not in page.text
            assert "Verpflegungskosten speichern" not in page.text
        # the files are for the seminar's organisers; observers read the page only, which
        # shows figures and no person
        for file in (".xlsx", ".pdf"):
            assert contact.get(_url(seminar) + file).status_code == 200
            assert observer.get(_url(seminar) + file).status_code == 404
        observed = observer.get(_url(seminar)).text
        assert "Nguyễn" not in observed and "anwesenheitsliste" not in observed
        lists = f"/manage/seminare/{seminar.id}/anwesenheitsliste.pdf"
        assert observer.get(lists).status_code == 404
        assert contact.get(lists).status_code == 200

        assert contact.post(_url(seminar, "einreichen")).status_code == 403
        assert contact.post(_url(seminar, "verpflegung"), data={"catering": "1"}).status_code == (
            403
        )
        for step in ("einreichen", "verpflegung", "pruefen", "auszahlen", "zurueckgeben"):
            refused = observer.post(_url(seminar, step), data={"catering": "1", "reason": "x"})
            assert refused.status_code == 403
            assert "Nur lesender Zugang" in refused.text
        assert _state(seminar) is None


def test_another_vhs_sees_nothing(client):
    seminar, _people = _held()
    _as(client, "vhs", factories.seminar())  # a VHS of another seminar
    assert client.get(_url(seminar)).status_code == 404
    assert client.post(_url(seminar, "einreichen")).status_code == 404


def test_submitting_before_day_2_or_for_a_cancelled_seminar_is_refused(client):
    ahead = factories.seminar()
    factories.fill(ahead, 8)
    _as(client, "vhs", ahead)
    client.post(_url(ahead, "verpflegung"), data={"catering": "0"})
    refused = client.post(_url(ahead, "einreichen"))
    assert messages.settlement_too_early(ahead.day2) in _notice(client, refused)
    assert "Einreichen ist ab dem 2. Seminartag möglich" in text(client.get(_url(ahead)).text)
    assert _state(ahead) == SettlementState.DRAFT

    cancelled, _people = factories.seminar_held_with([("Ende", "Erna")], vhs=ahead.vhs)
    cancelled.state = SeminarState.CANCELLED
    db.session.commit()
    page = text(client.get(_url(cancelled)).text)
    assert messages.SETTLEMENT_SEMINAR_CANCELLED in page
    assert "Abrechnung einreichen" not in page and "Verpflegungskosten speichern" not in page
    refused = client.post(_url(cancelled, "verpflegung"), data={"catering": "10"})
    assert refused.status_code == 422
    assert messages.SETTLEMENT_SEMINAR_CANCELLED in text(refused.text)
    assert client.post(_url(cancelled, "einreichen")).status_code == 303
    assert _state(cancelled) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", messages.CATERING_MISSING),
        ("zwölf Euro", "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."),
        ("-5", "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."),
        ("200000", "Bitte geben Sie höchstens 100.000,00 € an."),
    ],
)
def test_bad_catering_input_keeps_what_was_typed(client, typed, message):
    seminar, _people = _held()
    _as(client, "vhs", seminar)
    response = client.post(_url(seminar, "verpflegung"), data={"catering": typed})
    assert response.status_code == 422
    assert message in text(response.text)
    assert f'value="{typed}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _state(seminar) is None


def test_a_submitted_settlement_fixes_the_attendance_until_it_is_given_back(app_factory):
    app = app_factory()
    with app.app_context():
        seminar, people = _held()
        vhs_client, admin_client = app.test_client(), app.test_client()
        _as(vhs_client, "vhs", seminar)
        _as(admin_client, "admin", seminar)
        vhs_client.post(_url(seminar, "verpflegung"), data={"catering": "100"})
        vhs_client.post(_url(seminar, "einreichen"))
        celik = next(p for p in people if p.last_name == "Çelik")

        toggle = f"/manage/anmeldungen/{celik.id}/anwesenheit/2"
        refused = vhs_client.post(toggle, data={"present": "1"})
        assert messages.ATTENDANCE_LOCKED in _notice(vhs_client, refused)
        assert funding.line_for(seminar).attended == (11, 10)

        admin_client.post(_url(seminar, "zurueckgeben"), data={"reason": "Tag 2 prüfen"})
        assert vhs_client.post(toggle, data={"present": "1"}).status_code == 303
        db.session.expire_all()
        assert funding.line_for(seminar).attended == (11, 11)


# -- the files, read back ------------------------------------------------------------------


def test_the_xlsx_and_pdf_show_the_figures(client):
    seminar, _people = _held(vhs=factories.vhs(name='=HYPERLINK("http://evil.example")'))
    _as(client, "vhs", seminar)
    client.post(_url(seminar, "verpflegung"), data={"catering": "150,00"})

    response = client.get(_url(seminar) + ".xlsx")
    assert response.status_code == 200
    assert 'filename="abrechnung-seminar-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Volkshochschule"] == '=HYPERLINK("http://evil.example")'
    assert sheet["B3"].data_type == "s"  # a string, never run as a formula
    assert rows["Anmeldungen (bestätigt) zu Beginn"] == 12
    assert (rows["Anwesend Tag 1"], rows["Anwesend Tag 2"]) == (11, 10)
    assert rows["Trainer*innen gefördert"] == 2
    assert rows["Honorare (EUR)"] == 1800
    assert rows["Reisekosten (EUR)"] == 125
    assert rows["Verpflegung ausgegeben (EUR)"] == 150
    assert rows["Verpflegung abgerechnet (EUR)"] == 132
    assert rows["Summe der Abrechnung (EUR)"] == 2057
    assert rows["Stand der Abrechnung"] == "Entwurf"
    assert rows["Petra Bildung"] == "ja" and rows["Cem Rat"] == "ja"

    pdf = client.get(_url(seminar) + ".pdf")
    assert pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    page = " ".join(reader.pages[0].extract_text().split())
    assert f"Abrechnung Seminar Nr. {seminar.id}" in page
    assert "Anwesend Tag 1 11" in page and "Anwesend Tag 2 10" in page
    assert "Honorare (EUR) 1.800,00 €" in page
    assert "Verpflegung abgerechnet (EUR) 132,00 €" in page
    assert "Summe der Abrechnung (EUR) 2.057,00 €" in page
    assert "Petra Bildung ja 45,00 €" in page and "Cem Rat ja 80,00 €" in page
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "Nguyễn" not in page  # figures only


def test_the_attendance_list_to_sign_names_everyone_with_both_days(client):
    seminar, _people = _held()
    _as(client, "vhs", seminar)
    response = client.get(f"/manage/seminare/{seminar.id}/anwesenheitsliste.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    everything = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Anwesenheitsliste" in everything
    assert f"Tag 1, {seminar.day1:%d.%m.}" in everything
    assert f"Tag 2, {seminar.day2:%d.%m.}" in everything
    for last, first in PEOPLE:
        assert f"{last} {first}" in everything
    assert "Çelik Ayşe Köln erfasst: anwesend erfasst: abwesend" in everything
    assert "Ort, Datum, Unterschrift" in everything


# -- the funding overview ---------------------------------------------------------------


def test_the_funding_overview_shows_each_state_and_the_totals(app_factory):
    app = app_factory()
    with app.app_context():
        submitted, _a = _held()
        other, _b = factories.seminar_held_with([("Ada", "Lovelace")], day2_ago=2)
        factories.record_days(_b[0], True, True)
        vhs_client = app.test_client()
        _as(vhs_client, "vhs", submitted)
        vhs_client.post(_url(submitted, "verpflegung"), data={"catering": "150"})
        vhs_client.post(_url(submitted, "einreichen"))
        admin = app.test_client()
        _as(admin, "admin", submitted)

        data = funding.overview()
        by_state = {t.state: (t.seminars, t.settled_cents) for t in data.settlements}
        assert by_state[SettlementState.SUBMITTED] == (1, 2057_00)
        assert by_state[SettlementState.DRAFT][0] == 1
        assert by_state[SettlementState.PAID] == (0, 0)

        page = text(admin.get("/manage/admin/foerderung").text)
        assert "Abrechnungen nach Stand" in page
        assert "eingereicht 1 2.057,00 €" in page
        assert "ausgezahlt 0 0,00 €" in page
        row = admin.get("/manage/admin/foerderung.csv").data.decode("utf-8-sig").splitlines()
        header = row[0].split(";")
        assert header[-3:] == ["Abrechnung", "Abgerechnet (EUR)", "Hinweis"]
        line = next(r for r in row if r.startswith(f"{submitted.id};"))
        assert line.endswith(";eingereicht;2057,00;")
        assert other.id != submitted.id


def test_the_settlement_figures_are_the_same_after_the_purge(client):
    seminar, _people = _held(day2_ago=400)
    _as(client, "admin", seminar)
    client.post(_url(seminar, "verpflegung"), data={"catering": "150,00"})
    before = text(client.get(_url(seminar)).text)

    purge(today_berlin(), 12)
    db.session.expire_all()
    after = text(client.get(_url(seminar)).text)
    assert "eingefroren" in after
    for figure in (
        "Anmeldungen (bestätigt) (zu Beginn des 1. Tages) 12",
        "Anwesend am 1. Tag 11",
        "Anwesend am 2. Tag 10",
        "Verpflegung abgerechnet 132,00 €",
        "Summe der Abrechnung 2.057,00 €",
    ):
        assert figure in before and figure in after
    assert today_berlin() - timedelta(days=400) == seminar.day2
