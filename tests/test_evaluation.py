"""The anonymous evaluation: the personal questionnaire address (the personal link, no
readable id), one answer per person who attended that cannot be linked back to them (no
shared transaction, no stored order, no day), the anonymous one-time codes for the
room, results from the fifth answer on, charts with their numbers, free texts, and the
exports."""

import base64
import csv
import io
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import flask
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import rules
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, EvaluationAnswer, EvaluationCode, Registration
from app.services import evaluation
from app.services.evaluation import FREE_TEXTS, Access, AlreadyAnswered, Answer, EmptyAnswer
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


def _person(day2: date = TODAY, *, present: tuple[int, ...] = (1,), **seminar):
    """A confirmed person of a seminar whose day 2 is ``day2``, present on ``present``."""
    target = factories.held_seminar(day2, **seminar)
    person = factories.book_before(target)
    if present:
        factories.attend(person, *present)
    return person


def _answers() -> list[EvaluationAnswer]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EvaluationAnswer)))


_TOKENS: dict[int, str] = {}


def _url(registration) -> str:
    """The person's questionnaire address: their personal link, as the mail carries it."""
    if registration.id not in _TOKENS:
        _TOKENS[registration.id] = factories.link_token(registration)
    return f"/bewertung/{_TOKENS[registration.id]}"


@pytest.fixture(autouse=True)
def _forget_tokens():
    yield
    _TOKENS.clear()


# -- the rules ------------------------------------------------------------------------------


def test_the_questionnaire_opens_on_day_two_and_closes_eight_weeks_after():
    day2 = date(2026, 3, 15)
    window = rules.evaluation_window
    assert window(day2, day2 - timedelta(days=1)) == rules.EvaluationWindow.NOT_YET
    assert window(day2, day2) == rules.EvaluationWindow.OPEN
    assert window(day2, day2 + timedelta(weeks=8)) == rules.EvaluationWindow.OPEN
    assert window(day2, day2 + timedelta(weeks=8, days=1)) == rules.EvaluationWindow.CLOSED


def test_only_people_present_on_a_day_may_answer():
    assert rules.may_answer_evaluation(True, None)
    assert rules.may_answer_evaluation(False, True)
    assert not rules.may_answer_evaluation(None, None)
    assert not rules.may_answer_evaluation(False, False)


def test_results_are_shown_from_five_answers_on():
    assert not rules.evaluation_results_shown(4)
    assert rules.evaluation_results_shown(5)


# -- the personal address -------------------------------------------------------------------


def _legacy_token(registration_id: int, key: str | None = None) -> str:
    """The address the first version made: the registration id signed (not encrypted)."""
    from itsdangerous import URLSafeSerializer

    key = key or flask.current_app.config["SECRET_KEY"]
    return URLSafeSerializer(key, salt="evaluation-questionnaire").dumps(registration_id)


def test_the_address_carries_no_readable_id(app):
    person = _person()
    token = factories.link_token(person)
    url = evaluation.evaluation_url(person, token)
    assert url == f"http://127.0.0.1:5000/bewertung/{token}"
    assert evaluation.registration_for(token).id == person.id
    # the first version's address was the id in base64 plus a signature ("MQ.xyz" for
    # id 1); this one is the personal link's 32 random bytes, and nothing else
    path = url.rsplit("/", 1)[1]
    assert "." not in path
    assert len(base64.urlsafe_b64decode(path + "=")) == 32
    assert not evaluation.is_legacy_token(path)
    assert evaluation.is_legacy_token(_legacy_token(person.id))
    assert evaluation.registration_for(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert evaluation.registration_for("x" * 500) is None


def test_the_mail_after_the_seminar_carries_the_personal_link_as_the_address(client, app):
    from app.models import OutboxMail
    from app.services.after_seminar import close_attendance

    seminar = factories.held_seminar()
    present, absent = factories.book_before(seminar, 1), factories.book_before(seminar, 2)
    factories.record_days(present, True, True)
    factories.record_days(absent, False, False)
    close_attendance(seminar.id, None, seminar.day2)
    (mail,) = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.kind == "after_seminar"))
    assert mail.registration_id == present.id
    (token,) = set(re.findall(r"/bewertung/([A-Za-z0-9_-]+)", mail.text_body))
    assert f"/anmeldung/{token}" in mail.text_body  # the same personal link
    assert "." not in token
    page = client.get(f"/bewertung/{token}")
    assert page.status_code == 200 and len(re.findall(r"<fieldset", page.text)) == 6


def test_an_old_address_with_the_id_leads_to_an_explanation_not_the_form(client, app):
    person = _person()
    old = client.get(f"/bewertung/{_legacy_token(person.id)}")
    assert old.status_code == 303
    assert old.headers["Location"].endswith("/bewertung?link=alt")
    page = client.get(old.headers["Location"])
    assert page.status_code == 200
    assert "Dieser Link gilt nicht mehr" in text(page.text)
    assert "Link erneut senden" in text(page.text)
    posted = client.post(f"/bewertung/{_legacy_token(person.id)}", data=ANSWER)
    assert posted.status_code == 303 and _answers() == []
    # one signed with another secret is simply invalid
    assert client.get(f"/bewertung/{_legacy_token(person.id, 'other')}").status_code == 404
    # the person's own page leads to the questionnaire with the new address
    token = factories.link_token(person)
    own = client.get(f"/anmeldung/{token}")
    assert f'href="/bewertung/{token}"' in own.text


def test_evaluation_url_only_while_the_person_may_answer(app):
    def url(person):
        return evaluation.evaluation_url(person, "t")

    today_person = _person()
    assert url(today_person) == "http://127.0.0.1:5000/bewertung/t"
    assert url(_person(TODAY + timedelta(days=1))) is None  # before day 2
    assert url(_person(TODAY - timedelta(weeks=8, days=1))) is None
    assert url(_person(TODAY - timedelta(weeks=8))) is not None

    full = factories.held_seminar(capacity=8)
    factories.fill(full, 8, today=full.registration_deadline)
    waiting = factories.book_before(full, 99)
    assert waiting.state == "waitlisted"
    assert url(waiting) is None

    evaluation.submit(today_person.id, Answer(scores={"useful": 4}))
    db.session.refresh(today_person)
    assert url(today_person) is None


def test_only_people_who_attended_may_answer(client, app):
    not_recorded = _person(present=())
    absent_both = _person()
    factories.record_days(absent_both, False, False)
    only_day2 = _person(present=(2,))
    for person in (not_recorded, absent_both):
        assert evaluation.evaluation_url(person, "t") is None
        page = client.get(_url(person))
        assert page.status_code == 200
        assert "Ihre Teilnahme ist noch nicht erfasst" in text(page.text)
        assert '<form method="post"' not in page.text.split("<main", 1)[1]
        assert client.post(_url(person), data=ANSWER).status_code == 409
        with pytest.raises(evaluation.EvaluationRefused) as refused:
            evaluation.submit(person.id, Answer(scores={"useful": 3}))
        assert "Ihre Anwesenheit ist noch nicht erfasst" in refused.value.message
    assert _answers() == []
    assert client.post(_url(only_day2), data=ANSWER).status_code == 303
    assert len(_answers()) == 1


def test_an_erased_person_has_no_questionnaire(app, client):
    person = _person()
    token_url = _url(person)
    admin = factories.user("admin")
    erase(person.email, "Antrag per E-Mail", actor_id=admin.id)
    db.session.expire_all()
    erased = db.session.get(Registration, person.id)
    assert evaluation.evaluation_url(erased, "t") is None
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

    url = _url(person)
    sent = client.post(url, data=ANSWER)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"{url}/danke")
    thanks = client.get(sent.headers["Location"])
    assert "Vielen Dank für Ihre Antworten!" in text(thanks.text)

    (stored,) = _answers()
    assert stored.seminar_id == person.seminar_id
    assert stored.scores == {"useful": 4, "clear": 5, "material": 3, "setting": 2, "recommend": 5}
    assert stored.liked == "Die Beispiele aus anderen Städten." and stored.improve == ""
    assert re.fullmatch(r"[0-9a-f]{32}", stored.id)
    # nothing in the row or the log leads back to the person
    columns = set(EvaluationAnswer.__table__.columns.keys())
    assert columns == {"id", "seminar_id", "scores", "liked", "improve"}  # not even the day
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

    own = _url(cancelled)
    cancel_registration(cancelled.id)
    for url in (own, "/bewertung/nicht-echt", "/bewertung/" + "A" * 300):
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


def test_two_people_answering_at_once_are_both_kept_once(app):
    """Adding an answer rewrites the seminar's answers under its lock: two at once
    neither lose nor double one."""
    seminar = factories.held_seminar()
    people = [factories.book_before(seminar, n) for n in range(3)]
    for person in people:
        factories.attend(person, 1)
    evaluation.submit(people[0].id, Answer(liked="Schon vorher"))
    ids = [person.id for person in people[1:]]
    db.session.commit()
    barrier = threading.Barrier(2)

    def send(n):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                evaluation.submit(ids[n], Answer(liked=f"Gleichzeitig {n}"))
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(send, range(2)))
    assert sorted(a.liked for a in _answers()) == [
        "Gleichzeitig 0",
        "Gleichzeitig 1",
        "Schon vorher",
    ]


def test_the_service_checks_what_the_form_would(app):
    person = _person()
    with pytest.raises(EmptyAnswer):
        evaluation.submit(person.id, Answer(liked="   "))
    with pytest.raises(evaluation.EvaluationRefused):
        evaluation.submit(person.id, Answer(scores={"useful": 6}))
    with pytest.raises(evaluation.EvaluationRefused):
        evaluation.submit(person.id, Answer(scores={"unknown": 3}))
    assert evaluation.access_of(person) == Access.OPEN


# -- nobody can join an answer to its author --------------------------------------------------


POSTGRES = bool(os.environ.get("TEST_DATABASE_URL", "").strip())


def _people_answer(client, how_many: int, present=(1,)):
    """``how_many`` people of one seminar answer one after another through their own
    address, each with an answer that says who gave it (for the test only)."""
    seminar = factories.held_seminar()
    people = []
    for n in range(how_many):
        person = factories.book_before(seminar, n)
        factories.attend(person, *present)
        people.append(person)
    urls = [_url(person) for person in people]
    for n, url in enumerate(urls):
        assert client.post(url, data={**ANSWER, "liked": f"Antwort {n}"}).status_code == 303
    return seminar, people


def _physical_order(seminar_id: int) -> list[str]:
    """The answers as the database keeps them on disk (SQLite: rowid, PostgreSQL: ctid)."""
    order = sa.column("ctid" if POSTGRES else "rowid")
    db.session.rollback()
    rows = db.session.execute(
        sa.select(EvaluationAnswer.id, EvaluationAnswer.liked)
        .where(EvaluationAnswer.seminar_id == seminar_id)
        .order_by(order)
    ).all()
    return rows


def test_neither_stored_order_nor_keys_tell_who_answered_when(client, app):
    seminar, _people = _people_answer(client, 8)
    rows = _physical_order(seminar.id)
    answered_in = [f"Antwort {n}" for n in range(8)]
    assert sorted(liked for _id, liked in rows) == sorted(answered_in)
    # written in the order of random keys, drawn anew for every answer each time one
    # is added: neither the place nor the key follows the order people answered in
    # (SQLite's rowids follow the writing order; PostgreSQL may also fill free space)
    if not POSTGRES:
        assert [key for key, _liked in rows] == sorted(key for key, _liked in rows)
    assert [liked for _key, liked in rows] != answered_in  # 1 in 40,320 by chance
    assert [liked for _key, liked in sorted(rows)] != answered_in
    before = {key for key, _liked in rows}
    other = factories.book_before(seminar, 50)
    factories.attend(other, 1)
    assert client.post(_url(other), data={**ANSWER, "liked": "Antwort 8"}).status_code == 303
    after = {key for key, _liked in _physical_order(seminar.id)}
    assert len(after) == 9 and not before & after
    # SQLite: the answers have no integer key that could count up
    assert EvaluationAnswer.__table__.c.id.type.python_type is str


def test_no_transaction_joins_an_answer_to_a_person(client, app):
    """PostgreSQL: xmin equality or adjacency; SQLite (no transaction ids): rowids."""
    seminar, people = _people_answer(client, 6)
    db.session.rollback()
    if not POSTGRES:
        # all the seminar's answers were written together, in one run of rowids after
        # the last person's note: no rowid sets one answer apart from the others
        rowids = sorted(
            db.session.scalars(
                sa.select(sa.column("rowid"))
                .select_from(EvaluationAnswer)
                .where(EvaluationAnswer.seminar_id == seminar.id)
            )
        )
        assert rowids == list(range(rowids[0], rowids[0] + 6))
        return
    xmin = sa.literal_column("xmin::text::bigint")
    marks = dict(
        db.session.execute(
            sa.select(Registration.id, xmin).where(Registration.seminar_id == seminar.id)
        )
        .tuples()
        .all()
    )
    answers = dict(
        db.session.execute(
            sa.select(EvaluationAnswer.liked, xmin).where(EvaluationAnswer.seminar_id == seminar.id)
        )
        .tuples()
        .all()
    )
    # no answer shares its transaction with a person's note
    assert not set(answers.values()) & set(marks.values())
    # and no answer's transaction id sets it apart: all were written together
    assert len(set(answers.values())) == 1
    (written,) = set(answers.values())

    def near(xid):
        return {pid for pid, mark in marks.items() if abs(mark - xid) <= 2}

    # adjacency points at the same person (whoever answered last) for every answer:
    # it cannot tell the answers apart, so it names nobody's answer
    assert {frozenset(near(xid)) for xid in answers.values()} == {frozenset(near(written))}
    assert near(written) == {people[-1].id}


def test_an_answer_with_a_code_shares_nothing_with_the_code(client, app):
    """The one-time code is deleted in a transaction of its own, before the answer."""
    seminar, account = _codes_seminar(client, present=3)
    codes = evaluation.issue_room_codes(seminar.id, 3, account.id)
    for n, code in enumerate(codes):
        assert client.post(f"/bewertung/raum/{code}", data={**ANSWER, "liked": f"Code {n}"})
    rows = _physical_order(seminar.id)
    assert sorted(liked for _key, liked in rows) == ["Code 0", "Code 1", "Code 2"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCode)) == 0


# -- the sign-in sheet of day 2 and the one-time codes for the room ------------------------------


def _codes_seminar(client, present: int = 3, day2: date = TODAY):
    seminar = factories.held_seminar(day2)
    for n in range(present + 1):
        person = factories.book_before(seminar, n)
        if n < present:
            factories.attend(person, 1)
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    factories.login(client, account)
    return seminar, account


def test_the_day_two_sheet_carries_no_questionnaire_code(client, app):
    seminar, _account = _codes_seminar(client)
    for day in (1, 2):
        sheet = client.get(f"/manage/seminare/{seminar.id}/unterschriften/{day}")
        assert sheet.status_code == 200
        # no person's questionnaire address, no QR code: only, on screen, the way to
        # the anonymous codes
        assert "<svg" not in sheet.text and 'href="/bewertung' not in sheet.text
        assert "http://127.0.0.1:5000/bewertung" not in sheet.text
        codes_link = f'href="/manage/seminare/{seminar.id}/bewertung/codes"'
        assert (codes_link in sheet.text) == (day == 2)


def test_organisers_print_as_many_anonymous_codes_as_people_attended(client, app):
    seminar, _account = _codes_seminar(client, present=3)
    page = client.get(f"/manage/seminare/{seminar.id}/bewertung/codes")
    assert page.status_code == 200
    assert 'value="3"' in page.text  # as many as attended, by default
    too_many = client.post(f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "4"})
    assert too_many.status_code == 422
    assert "Bitte geben Sie eine Zahl von 1 bis 3 an" in text(too_many.text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCode)) == 0

    sheet = client.post(f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "3"})
    assert sheet.status_code == 200
    assert sheet.headers["Cache-Control"] == "no-store"
    codes = re.findall(r'<p class="code">([A-Z0-9-]+)</p>', sheet.text)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert len(re.findall(r'<svg role="img"', sheet.text)) == 3
    assert "style=" not in sheet.text  # the CSP allows no inline style
    # stored as digests only, tied to nobody, valid until the questionnaire closes
    stored = list(db.session.scalars(sa.select(EvaluationCode)))
    assert len(stored) == 3
    assert set(EvaluationCode.__table__.columns.keys()) == {"digest", "seminar_id", "valid_until"}
    for row in stored:
        assert row.valid_until == evaluation.last_day(seminar)
        assert all(code.replace("-", "") not in row.digest for code in codes)
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "evaluation_codes" and codes[0] not in entry.detail

    # a new print makes the earlier codes not yet used invalid
    again = client.post(f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "2"})
    new_codes = re.findall(r'<p class="code">([A-Z0-9-]+)</p>', again.text)
    assert len(new_codes) == 2
    assert client.get(f"/bewertung/raum/{codes[0]}").status_code == 404
    assert client.get(f"/bewertung/raum/{new_codes[0]}").status_code == 200
    # answers already given count against the codes: never more answers than people
    evaluation.submit_with_code(new_codes[0], Answer(scores={"useful": 4}))
    assert 'value="2"' in client.get(f"/manage/seminare/{seminar.id}/bewertung/codes").text
    third = client.post(f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "3"})
    assert third.status_code == 422
    assert "Bitte geben Sie eine Zahl von 1 bis 2 an" in text(third.text)


def test_nobody_attended_no_codes_and_observers_get_none(client, app):
    seminar, _account = _codes_seminar(client, present=0)
    refused = client.post(f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "1"})
    assert refused.status_code == 422
    assert "Bitte erfassen Sie zuerst die Anwesenheit" in text(refused.text)
    observer = app.test_client()
    factories.login(observer, factories.user("observer"))
    assert observer.get(f"/manage/seminare/{seminar.id}/bewertung/codes").status_code == 404
    assert observer.post(
        f"/manage/seminare/{seminar.id}/bewertung/codes", data={"how_many": "1"}
    ).status_code in (403, 404)


def test_a_code_answers_once_and_names_nobody(client, app):
    seminar, account = _codes_seminar(client, present=2)
    code, other = evaluation.issue_room_codes(seminar.id, 2, account.id)
    shown = evaluation.code_shown(code)
    client = app.test_client()  # a person in the room, not the organiser
    # typed by hand, in small letters and without dashes
    typed = client.post("/bewertung", data={"code": code.lower()})
    assert typed.status_code == 303
    assert typed.headers["Location"].endswith(f"/bewertung/raum/{shown}")
    form = client.get(typed.headers["Location"])
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<fieldset", form.text)) == 6
    sent = client.post(f"/bewertung/raum/{shown}", data=ANSWER)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/bewertung/danke")
    assert "Vielen Dank für Ihre Antworten!" in text(client.get("/bewertung/danke").text)
    (stored,) = _answers()
    assert stored.seminar_id == seminar.id
    # used once: the code is gone
    again = client.post(f"/bewertung/raum/{shown}", data=ANSWER)
    assert again.status_code == 404
    assert "oder er wurde schon benutzt" in text(again.text)
    wrong = client.post("/bewertung", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "oder er wurde schon benutzt" in text(wrong.text)
    assert 'value="AAAA-BBBB-CCCC"' in wrong.text  # what was typed stays
    assert client.post("/bewertung", data={"code": "x" * 300}).status_code == 422
    with pytest.raises(evaluation.CodeUsed):
        evaluation.submit_with_code(code, Answer(scores={"useful": 2}))
    # the code expires when the questionnaire closes
    with pytest.raises(evaluation.EvaluationRefused):
        evaluation.submit_with_code(
            other, Answer(scores={"useful": 2}), today=TODAY + timedelta(weeks=9)
        )
    assert len(_answers()) == 1


def test_a_code_before_day_two_opens_nothing_yet(client, app):
    seminar, account = _codes_seminar(client, present=1, day2=TODAY + timedelta(days=1))
    (code,) = evaluation.issue_room_codes(seminar.id, 1, account.id, today=TODAY)
    page = client.get(f"/bewertung/raum/{evaluation.code_shown(code)}")
    assert "Der Fragebogen ist noch nicht geöffnet" in text(page.text)
    assert client.post(f"/bewertung/raum/{code}", data=ANSWER).status_code == 409
    assert _answers() == []


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


def test_the_exports_are_formula_safe_and_carry_no_day(client, app):
    seminar = factories.held_seminar(TODAY - timedelta(days=3))
    factories.evaluation_answers(seminar, 5, liked="=HYPERLINK(1)", improve="+1 mehr Zeit")
    _organiser(client, seminar)
    raw = client.get(f"/manage/seminare/{seminar.id}/bewertung.csv")
    assert raw.status_code == 200
    assert raw.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == [
        "Seminar Nr.",
        "Modul",
        "Volkshochschule",
        "1. Tag",
        "1. " + evaluation.QUESTIONS[0].text,
    ]
    assert len(rows) == 6
    assert TODAY.strftime("%d.%m.%Y") not in raw.data.decode("utf-8-sig")  # no day of answering
    assert rows[1][-2:] == ["'=HYPERLINK(1)", "'+1 mehr Zeit"]
    workbook = load_workbook(
        io.BytesIO(client.get(f"/manage/seminare/{seminar.id}/bewertung.xlsx").data)
    )
    sheet = workbook.active
    assert sheet.max_row == 6
    liked = sheet.cell(row=2, column=len(rows[0]) - 1)
    assert liked.value == "=HYPERLINK(1)" and liked.data_type == "s"
    assert sheet.cell(row=2, column=5).value == 4  # a score is a number


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
    assert client.get(f"/manage/seminare/{seminar.id}/bewertung").status_code == 404


def test_observers_download_the_figures_as_csv_and_xlsx(client, app):
    seminar = factories.held_seminar()
    factories.evaluation_answers(seminar, 5, liked="Frau Beispielname war toll")
    factories.login(client, factories.user("observer"))
    page = client.get("/manage/admin/bewertung").text
    assert 'href="/manage/admin/bewertung.csv"' in page
    assert "Antworten (nur Zahlen) als CSV" in text(page)
    csv_export = client.get("/manage/admin/bewertung.csv")
    assert csv_export.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_export.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 6  # the header and five answers
    assert rows[0][0] == "Seminar Nr." and rows[1][0] == str(seminar.id)
    assert not any(question in rows[0] for _key, question in FREE_TEXTS)
    assert "Beispielname" not in csv_export.data.decode("utf-8-sig")
    xlsx_export = client.get(f"/manage/admin/bewertung.xlsx?seminar={seminar.id}")
    assert xlsx_export.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_export.data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(cells) == 6 and cells[0] == rows[0]
    assert all("Beispielname" not in str(value) for row in cells for value in row)
