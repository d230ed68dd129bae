"""The anonymous evaluation: the personal questionnaire address (no stored token), one
answer per person that cannot be linked back to them, results from the fifth answer on,
charts with their numbers, free texts, and the exports."""

import csv
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import segno
import sqlalchemy as sa
from openpyxl import load_workbook

from app import rules
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, EvaluationAnswer, Registration
from app.services import evaluation
from app.services.evaluation import Access, AlreadyAnswered, Answer, EmptyAnswer
from app.services.personal_data import erase
from tests import factories
from tests.admin_helpers import login_admin, text

TODAY = today_berlin()
ANSWER = {
    "useful": "4",
    "clear": "5",
    "voice": "",
    "material": "3",
    "setting": "2",
    "recommend": "5",
    "liked": "Die Beispiele aus anderen Städten.",
    "improve": "",
}


def _person(day2: date = TODAY, **seminar):
    """A confirmed person of a seminar whose day 2 is ``day2``."""
    target = factories.held_seminar(day2, **seminar)
    return factories.book_before(target)


def _answers() -> list[EvaluationAnswer]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EvaluationAnswer)))


def _url(registration) -> str:
    return f"/bewertung/{evaluation.token_for(registration.id)}"


# -- the rules ------------------------------------------------------------------------------


def test_the_questionnaire_opens_on_day_two_and_closes_eight_weeks_after():
    day2 = date(2026, 3, 15)
    window = rules.evaluation_window
    assert window(day2, day2 - timedelta(days=1)) == rules.EvaluationWindow.NOT_YET
    assert window(day2, day2) == rules.EvaluationWindow.OPEN
    assert window(day2, day2 + timedelta(weeks=8)) == rules.EvaluationWindow.OPEN
    assert window(day2, day2 + timedelta(weeks=8, days=1)) == rules.EvaluationWindow.CLOSED


def test_results_are_shown_from_five_answers_on():
    assert not rules.evaluation_results_shown(4)
    assert rules.evaluation_results_shown(5)


# -- the personal address -------------------------------------------------------------------


def test_the_address_is_signed_not_stored(app):
    person = _person()
    token = evaluation.token_for(person.id)
    assert evaluation.registration_for(token).id == person.id
    assert evaluation.registration_for(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert evaluation.registration_for("x" * 500) is None
    other_secret = factories_app_token(app, person.id)
    assert evaluation.registration_for(other_secret) is None


def factories_app_token(app, registration_id: int) -> str:
    """The token another installation (another secret) would make."""
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer("another-secret", salt="evaluation-questionnaire").dumps(
        registration_id
    )


def test_evaluation_url_only_while_the_person_may_answer(app):
    today_person = _person()
    url = evaluation.evaluation_url(today_person)
    assert url == f"http://127.0.0.1:5000/bewertung/{evaluation.token_for(today_person.id)}"

    assert evaluation.evaluation_url(_person(TODAY + timedelta(days=1))) is None  # before day 2
    closed = _person(TODAY - timedelta(weeks=8, days=1))
    assert evaluation.evaluation_url(closed) is None
    assert evaluation.evaluation_url(_person(TODAY - timedelta(weeks=8))) is not None

    full = factories.held_seminar(capacity=8)
    factories.fill(full, 8, today=full.registration_deadline)
    waiting = factories.book_before(full, 99)
    assert waiting.state == "waitlisted"
    assert evaluation.evaluation_url(waiting) is None

    evaluation.submit(today_person.id, Answer(scores={"useful": 4}))
    db.session.refresh(today_person)
    assert evaluation.evaluation_url(today_person) is None


def test_an_erased_person_has_no_questionnaire(app, client):
    person = _person()
    token_url = _url(person)
    admin = factories.user("admin")
    erase(person.email, "Antrag per E-Mail", actor_id=admin.id)
    db.session.expire_all()
    erased = db.session.get(Registration, person.id)
    assert evaluation.evaluation_url(erased) is None
    page = client.get(token_url)
    assert page.status_code == 404
    assert "Zu diesem Link gibt es keinen Fragebogen" in text(page.text)


# -- answering ---------------------------------------------------------------------------------


def test_the_questionnaire_works_without_javascript(client, app):
    person = _person()
    page = client.get(_url(person))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    body = page.text
    assert len(re.findall(r"<fieldset", body)) == 6
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", body, re.S)
    assert [text(legend) for legend in legends] == [
        f"{n}. {q.text}" for n, q in enumerate(evaluation.QUESTIONS, start=1)
    ]
    assert body.count('type="radio"') == 6 * 6  # five values and "keine Angabe" each
    assert body.count("<textarea") == 2
    assert 'method="post"' in body and "hx-" not in body.split("<main", 1)[1]


def test_an_answer_is_stored_once_and_names_nobody(client, app):
    person = _person()
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))

    sent = client.post(_url(person), data=ANSWER)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"{_url(person)}/danke")
    thanks = client.get(sent.headers["Location"])
    assert "Vielen Dank für Ihre Antworten!" in text(thanks.text)

    (stored,) = _answers()
    assert stored.seminar_id == person.seminar_id
    assert stored.answered_on == TODAY
    assert stored.scores == {"useful": 4, "clear": 5, "material": 3, "setting": 2, "recommend": 5}
    assert stored.liked == "Die Beispiele aus anderen Städten." and stored.improve == ""
    assert re.fullmatch(r"[0-9a-f]{32}", stored.id)
    # nothing in the row or the log leads back to the person
    columns = set(EvaluationAnswer.__table__.columns.keys())
    assert columns == {"id", "seminar_id", "answered_on", "scores", "liked", "improve"}
    audit_after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert audit_after == audit_before
    assert db.session.get(Registration, person.id).evaluation_given is True

    again = client.get(_url(person))
    assert "Sie haben den Fragebogen schon beantwortet" in text(again.text)
    resent = client.post(_url(person), data=ANSWER)
    assert resent.status_code == 409
    assert "Sie haben den Fragebogen schon beantwortet" in text(resent.text)
    assert len(_answers()) == 1


def test_an_empty_questionnaire_is_refused_and_nothing_is_noted(client, app):
    person = _person()
    empty = dict.fromkeys(ANSWER, "")
    page = client.post(_url(person), data=empty)
    assert page.status_code == 422
    assert "Bitte beantworten Sie mindestens eine Frage" in text(page.text)
    assert _answers() == []
    assert db.session.get(Registration, person.id).evaluation_given is False


def test_bad_input_is_explained_and_the_form_keeps_what_was_typed(client, app):
    person = _person()
    page = client.post(_url(person), data={**ANSWER, "useful": "9", "improve": "Mehr Pausen"})
    assert page.status_code == 422
    assert "Bitte wählen Sie einen Wert von 1 bis 5" in text(page.text)
    assert re.search(r'id="clear-5" name="clear" value="5" checked', page.text)
    assert "Mehr Pausen</textarea>" in page.text
    too_long = client.post(_url(person), data={**ANSWER, "liked": "x" * 2001})
    assert too_long.status_code == 422
    assert "Bitte höchstens 2.000 Zeichen eingeben." in text(too_long.text)
    assert _answers() == []


def test_a_line_break_counts_as_one_character_as_in_the_browser(client, app):
    person = _person()
    typed = "a" * 999 + "\r\n" + "b" * 1000  # 2000 characters in the text box
    assert client.post(_url(person), data={**ANSWER, "liked": typed}).status_code == 303
    assert _answers()[0].liked == "a" * 999 + "\n" + "b" * 1000


def test_before_day_two_and_after_closing_nothing_is_taken(client, app):
    early = _person(TODAY + timedelta(days=1))
    page = client.get(_url(early))
    assert page.status_code == 200
    assert "Der Fragebogen ist noch nicht geöffnet" in text(page.text)
    assert client.post(_url(early), data=ANSWER).status_code == 409
    late = _person(TODAY - timedelta(weeks=9))
    assert "Der Fragebogen ist geschlossen" in text(client.get(_url(late)).text)
    assert client.post(_url(late), data=ANSWER).status_code == 409
    assert _answers() == []
    with pytest.raises(evaluation.EvaluationRefused) as refused:
        evaluation.submit(early.id, Answer(scores={"useful": 3}))
    assert "Der Fragebogen öffnet am 2. Seminartag" in refused.value.message


def test_a_foreign_or_broken_link_finds_no_questionnaire(client, app):
    cancelled = _person()
    from app.services.registrations import cancel_registration

    cancel_registration(cancelled.id)
    for url in (_url(cancelled), "/bewertung/nicht-echt", "/bewertung/" + "A" * 300):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Dieser Link ist ungültig" in text(page.text)


def test_two_submits_at_once_count_once(app):
    person = _person()
    registration_id = person.id
    db.session.commit()
    barrier = threading.Barrier(2)

    def send(_n):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                evaluation.submit(registration_id, Answer(scores={"useful": 5}))
                return "stored"
            except AlreadyAnswered:
                return "already"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(send, range(2)))
    assert outcomes == ["already", "stored"]
    assert len(_answers()) == 1


def test_the_service_checks_what_the_form_would(app):
    person = _person()
    with pytest.raises(EmptyAnswer):
        evaluation.submit(person.id, Answer(liked="   "))
    with pytest.raises(evaluation.EvaluationRefused):
        evaluation.submit(person.id, Answer(scores={"useful": 6}))
    with pytest.raises(evaluation.EvaluationRefused):
        evaluation.submit(person.id, Answer(scores={"unknown": 3}))
    assert evaluation.access_of(person) == Access.OPEN


# -- the sign-in sheet of day 2 ------------------------------------------------------------------


def test_the_day_two_sheet_carries_each_persons_code(client, app):
    seminar = factories.held_seminar()
    factories.fill(seminar, 3, today=seminar.registration_deadline)
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    factories.login(client, account)

    day1 = client.get(f"/manage/seminare/{seminar.id}/unterschriften/1").text
    assert "<svg" not in day1
    day2 = client.get(f"/manage/seminare/{seminar.id}/unterschriften/2").text
    codes = re.findall(r"<svg role=\"img\".*?</svg>", day2, re.S)
    assert len(codes) == 3
    assert "style=" not in day2  # the CSP allows no inline style
    people = sorted(
        db.session.scalars(sa.select(Registration).where(Registration.seminar_id == seminar.id)),
        key=lambda r: r.last_name,
    )
    for row, (person, code) in enumerate(zip(people, codes, strict=True), start=1):
        expected = segno.make(evaluation.questionnaire_url(person), error="m")
        assert expected.svg_inline(scale=0.5, border=2, unit="mm").split("<path", 1)[1] in code
        assert f"<title>QR-Code zum Fragebogen (Zeile {row})</title>" in code


# -- results ---------------------------------------------------------------------------------


def _organiser(client, seminar):
    factories.login(client, factories.user("vhs", vhs_id=seminar.vhs_id))


def test_below_five_answers_organisers_see_only_the_count(client, app):
    seminar = factories.held_seminar()
    factories.evaluation_answers(seminar, 4, liked="Sehr persönlicher Satz")
    _organiser(client, seminar)
    page = client.get(f"/manage/seminare/{seminar.id}/bewertung")
    assert page.status_code == 200
    shown = text(page.text)
    assert "Bisher sind 4 Antworten eingegangen." in shown
    assert "Sehr persönlicher Satz" not in shown and "<svg" not in page.text
    export = client.get(f"/manage/seminare/{seminar.id}/bewertung.csv")
    assert export.status_code == 303
    assert "erst ab 5 Antworten" in text(client.get(export.headers["Location"]).text)


def test_from_five_answers_charts_tables_and_free_texts(client, app):
    seminar = factories.held_seminar()
    factories.evaluation_answers(seminar, 3, scores={"useful": 5, "clear": 4})
    factories.evaluation_answers(seminar, 2, scores={"useful": 2}, liked="Mehr\nPraxis")
    _organiser(client, seminar)
    page = client.get(f"/manage/seminare/{seminar.id}/bewertung").text
    charts = re.findall(r'<svg id="(q-[a-z]+)" class="chart" role="img"', page)
    assert charts == [f"q-{q.key}" for q in evaluation.QUESTIONS]
    assert '<title id="q-useful-title">Verteilung der Antworten: Was ich im Seminar' in page
    # the chart's description names every number, as the table beside it does
    assert "1: Antworten 0. 2: Antworten 2. 3: Antworten 0. 4: Antworten 0. 5: Antworten 3." in (
        page
    )
    shown = text(page)
    assert "5 Antworten" in shown
    # the first statement: three times 5, twice 2 -> mean 3,8; the table says the same
    assert "Durchschnitt 3,8 von 5 · 5 Antworten" in shown
    assert "2 – trifft eher nicht zu 2 40 %" in shown
    assert "5 – trifft voll zu 3 60 %" in shown
    assert "Mehr<br>Praxis" in page


def test_the_exports_are_formula_safe_and_carry_only_the_day(client, app):
    seminar = factories.held_seminar()
    factories.evaluation_answers(seminar, 5, liked="=HYPERLINK(1)", improve="+1 mehr Zeit")
    _organiser(client, seminar)
    raw = client.get(f"/manage/seminare/{seminar.id}/bewertung.csv")
    assert raw.status_code == 200
    assert raw.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Seminar Nr.", "Modul", "Volkshochschule", "1. Tag", "Beantwortet am"]
    assert len(rows) == 6
    assert rows[1][4] == TODAY.strftime("%d.%m.%Y")
    assert rows[1][-2:] == ["'=HYPERLINK(1)", "'+1 mehr Zeit"]
    workbook = load_workbook(
        io.BytesIO(client.get(f"/manage/seminare/{seminar.id}/bewertung.xlsx").data)
    )
    sheet = workbook.active
    assert sheet.max_row == 6
    liked = sheet.cell(row=2, column=len(rows[0]) - 1)
    assert liked.value == "=HYPERLINK(1)" and liked.data_type == "s"
    assert sheet.cell(row=2, column=6).value == 4  # a score is a number


def test_sums_leave_out_seminars_below_five(client, app):
    big = factories.held_seminar()
    small = factories.held_seminar(module=2)
    factories.evaluation_answers(big, 5, liked="Aus dem großen Seminar")
    factories.evaluation_answers(small, 2, liked="Aus dem kleinen Seminar")
    login_admin(client)
    page = client.get("/manage/admin/bewertung")
    shown = text(page.text)
    assert "Beide Module: 5 Antworten aus 1 Seminar" in shown
    assert "Nicht enthalten: 1 Seminar mit zusammen 2 Antworten, jeweils unter 5." in shown
    assert "Aus dem großen Seminar" in shown and "Aus dem kleinen Seminar" not in shown
    per_module = text(client.get("/manage/admin/bewertung?modul=2").text)
    assert "Aufbaumodul: 0 Antworten aus 0 Seminaren" in per_module
    assert "Aus dem kleinen Seminar" not in per_module
    small_page = text(client.get(f"/manage/admin/bewertung/seminare/{small.id}").text)
    assert "Bisher sind 2 Antworten eingegangen." in small_page
    export = client.get("/manage/admin/bewertung.csv")
    assert "Aus dem kleinen Seminar" not in export.data.decode("utf-8-sig")
    assert export.data.decode("utf-8-sig").count("Aus dem großen Seminar") == 5


@pytest.mark.parametrize("odd", ["²", "１", "99999999999", "-1", "x"])
def test_odd_filter_values_are_ignored_not_a_server_error(client, app, odd):
    login_admin(client)
    for url in ("/manage/admin/bewertung", "/manage/admin/bewertung.csv"):
        for name in ("modul", "programm", "seminar"):
            assert client.get(f"{url}?{name}={odd}").status_code == 200


def test_the_admin_page_answers_htmx_with_its_fragment(client, app, htmx):
    login_admin(client)
    page = client.get("/manage/admin/bewertung?modul=1", headers=htmx)
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<div id="evaluation-results">')
    assert "<html" not in page.text


def test_observers_read_the_figures_but_not_the_free_texts(client, app):
    seminar = factories.held_seminar()
    factories.evaluation_answers(seminar, 5, liked="Frau Beispielname war toll")
    factories.login(client, factories.user("observer"))
    page = client.get("/manage/admin/bewertung")
    assert page.status_code == 200
    assert "Durchschnitt" in text(page.text)
    assert "Beispielname" not in page.text
    one = client.get(f"/manage/admin/bewertung/seminare/{seminar.id}")
    assert one.status_code == 200 and "Beispielname" not in one.text
    assert client.get("/manage/admin/bewertung.csv").status_code == 403
    assert client.get(f"/manage/seminare/{seminar.id}/bewertung").status_code == 404
