"""The anonymous evaluation after a seminar (docs/domain.md, "Evaluation").

Each confirmed person of a seminar has a personal questionnaire address from day 2 on:
``/bewertung/<token>``, the token being the registration's id signed with the app's
secret, so that printing a sign-in sheet or sending a mail stores nothing. An answer is
stored without any link to the person: a random key, the seminar, the day (no time) and
the answers. The registration only records *that* it answered, set in the same
transaction, so that one person answers once. No audit entry is written for an answer.

Results of a seminar are shown from ``rules.EVALUATION_MIN_ANSWERS`` answers on; sums
over several seminars (a module, the programme) take only seminars that reach it.
"""

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from app import rules
from app.core.formatting import date_short, one_decimal
from app.core.timeutil import today_berlin
from app.database import write_transaction
from app.extensions import db
from app.models import (
    EvaluationAnswer,
    Registration,
    RegistrationState,
    Seminar,
    SeminarState,
)
from app.services import messages
from app.services.errors import ServiceError
from app.services.exports import safe_cell
from app.services.mail import absolute_url


@dataclass(frozen=True)
class Question:
    key: str
    text: str


# The questionnaire, worded once: six statements rated 1 to 5, then two free texts.
QUESTIONS = (
    Question("useful", "Was ich im Seminar gelernt habe, hilft mir bei meiner Arbeit im Gremium."),
    Question("clear", "Die Trainer*innen haben die Themen verständlich erklärt."),
    Question("voice", "Ich konnte meine Fragen und Erfahrungen einbringen."),
    Question("material", "Die Unterlagen und Beispiele waren hilfreich."),
    Question("setting", "Raum, Zeiten und Verpflegung haben gepasst."),
    Question("recommend", "Ich empfehle das Seminar anderen Mitgliedern weiter."),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
SCALE = (
    (1, "trifft gar nicht zu"),
    (2, "trifft eher nicht zu"),
    (3, "teils, teils"),
    (4, "trifft eher zu"),
    (5, "trifft voll zu"),
)
FREE_TEXTS = (
    ("liked", "Was hat Ihnen besonders gefallen?"),
    ("improve", "Was sollten wir beim nächsten Mal besser machen?"),
)
FREE_TEXT_MAX = 2000
TOKEN_MAX = 100
_SALT = "evaluation-questionnaire"


# -- the personal address ------------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(registration_id: int) -> str:
    """The questionnaire's token for one registration: nothing is stored."""
    return _signer().dumps(registration_id)


def registration_for(token: str) -> Registration | None:
    """The registration a token was made for; None for a token we did not sign."""
    if len(token) > TOKEN_MAX:
        return None
    try:
        registration_id = _signer().loads(token)
    except BadSignature:
        return None
    if type(registration_id) is not int:
        return None
    return db.session.get(Registration, registration_id)


class Access(StrEnum):
    """Where one person stands with the questionnaire."""

    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    ANSWERED = "answered"
    NONE = "none"  # not a confirmed participant (any more), or erased


def may_take_part(registration: Registration) -> bool:
    """Confirmed people of a seminar that was not cancelled, not erased."""
    return (
        registration.erased_at is None
        and registration.state == RegistrationState.CONFIRMED
        and registration.seminar.state != SeminarState.CANCELLED
    )


def access_of(registration: Registration, today: date | None = None) -> Access:
    if not may_take_part(registration):
        return Access.NONE
    if registration.evaluation_given:
        return Access.ANSWERED
    window = rules.evaluation_window(registration.seminar.day2, today or today_berlin())
    return {
        rules.EvaluationWindow.NOT_YET: Access.NOT_YET,
        rules.EvaluationWindow.CLOSED: Access.CLOSED,
    }.get(window, Access.OPEN)


def last_day(seminar: Seminar) -> date:
    """The last day the questionnaire takes answers."""
    return seminar.day2 + timedelta(weeks=rules.EVALUATION_OPEN_WEEKS)


def questionnaire_url(registration: Registration) -> str | None:
    """The person's questionnaire address whatever the day (the sign-in sheet for day 2 is
    printed ahead); None for anyone who may never answer."""
    if not may_take_part(registration):
        return None
    return absolute_url("public.evaluation", token=token_for(registration.id))


def evaluation_url(registration: Registration) -> str | None:
    """The absolute address of the person's questionnaire, or None when the person may
    not (or no longer) answer: not confirmed, erased, already answered, before day 2 or
    after the questionnaire closed."""
    if access_of(registration) != Access.OPEN:
        return None
    return absolute_url("public.evaluation", token=token_for(registration.id))


def qr_svg(url: str, title: str) -> Markup:
    """The address as a QR code: inline SVG markup for a printed page (no style
    attribute, so the CSP allows it), about 2 cm wide."""
    import segno  # loaded on first use: worker memory

    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=0.5, border=2, unit="mm", title=title, svgclass="qr")
    # segno writes the markup itself and escapes the title: safe to embed as it is
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def questionnaire_codes(people: list[Registration]) -> dict[int, Markup]:
    """Registration id -> the QR code of the person's questionnaire, for the day-2
    sign-in sheet (everyone who may answer; the rows are numbered as on the sheet)."""
    codes = {}
    for row, person in enumerate(people, start=1):
        url = questionnaire_url(person)
        if url is not None:
            codes[person.id] = qr_svg(url, messages.questionnaire_code(row))
    return codes


# -- answering -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the questionnaire sent: question key -> 1..5 (absent: no answer), two texts."""

    scores: dict[str, int] = field(default_factory=dict)
    liked: str = ""
    improve: str = ""

    @property
    def empty(self) -> bool:
        return not self.scores and not self.liked.strip() and not self.improve.strip()


class EvaluationRefused(ServiceError):
    """The answer cannot be taken: the person is told why."""


class NotAvailable(EvaluationRefused):
    message = messages.EVALUATION_NOT_AVAILABLE


class AlreadyAnswered(EvaluationRefused):
    message = messages.EVALUATION_ALREADY_GIVEN


class EmptyAnswer(EvaluationRefused):
    message = messages.EVALUATION_EMPTY


def refusal(registration: Registration, access: Access) -> EvaluationRefused:
    """The refusal that matches where the person stands (anything but OPEN)."""
    if access == Access.ANSWERED:
        return AlreadyAnswered()
    if access == Access.NOT_YET:
        return EvaluationRefused(messages.evaluation_not_yet(registration.seminar.day2))
    if access == Access.CLOSED:
        return EvaluationRefused(messages.evaluation_closed(last_day(registration.seminar)))
    return NotAvailable()


def _checked(answer: Answer) -> Answer:
    scores = {key: value for key, value in answer.scores.items() if value is not None}
    if set(scores) - set(QUESTION_KEYS) or any(
        type(value) is not int or not 1 <= value <= 5 for value in scores.values()
    ):
        raise EvaluationRefused(messages.EVALUATION_SCALE)
    liked, improve = answer.liked.strip(), answer.improve.strip()
    if len(liked) > FREE_TEXT_MAX or len(improve) > FREE_TEXT_MAX:
        raise EvaluationRefused(messages.message_too_long(FREE_TEXT_MAX))
    checked = Answer(scores=scores, liked=liked, improve=improve)
    if checked.empty:
        raise EmptyAnswer()
    return checked


def submit(registration_id: int, answer: Answer, today: date | None = None) -> None:
    """Store one anonymous answer and note on the registration that it answered, in one
    transaction. The note is a conditional UPDATE (``evaluation_given`` still false), so
    of two submits only one counts, on PostgreSQL as on SQLite; the answer row carries a
    random key and only today's date."""
    today = today or today_berlin()
    answer = _checked(answer)
    with write_transaction() as session:
        registration = session.get(Registration, registration_id, populate_existing=True)
        if registration is None:
            raise NotAvailable()
        access = access_of(registration, today)
        if access != Access.OPEN:
            raise refusal(registration, access)
        claimed = session.execute(
            sa.update(Registration)
            .where(
                Registration.id == registration_id,
                Registration.evaluation_given.is_(False),
                Registration.erased_at.is_(None),
                Registration.state == RegistrationState.CONFIRMED,
            )
            .values(evaluation_given=True)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise AlreadyAnswered()
        session.add(
            EvaluationAnswer(
                id=secrets.token_hex(16),
                seminar_id=registration.seminar_id,
                answered_on=today,
                scores=answer.scores,
                liked=answer.liked,
                improve=answer.improve,
            )
        )


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    value: int
    label: str
    count: int
    percent: int  # of those who answered the question, rounded


@dataclass(frozen=True)
class Distribution:
    """How one statement was rated: the count of each value 1..5."""

    question: Question
    counts: tuple[int, ...]

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.answered:
            return None
        return sum(v * n for v, n in zip(range(1, 6), self.counts, strict=True)) / self.answered

    @property
    def mean_text(self) -> str:
        """'3,8' (German decimal comma), '–' without answers."""
        mean = self.mean
        return "–" if mean is None else one_decimal(mean)

    @property
    def bars(self) -> list[Bar]:
        total = self.answered
        return [
            Bar(value, label, count, round(100 * count / total) if total else 0)
            for (value, label), count in zip(SCALE, self.counts, strict=True)
        ]


@dataclass(frozen=True)
class Results:
    """Results over some seminars: ``answers`` counted (from seminars that reach the
    threshold), the distributions and free texts of those, and what was left out."""

    answers: int
    shown: bool
    distributions: list[Distribution] = field(default_factory=list)
    liked: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)
    seminars: int = 0  # seminars whose answers are counted
    seminars_left_out: int = 0  # seminars with answers, but fewer than the threshold
    answers_left_out: int = 0


def answer_counts(seminar_ids: list[int]) -> dict[int, int]:
    """Answers per seminar, in one grouped query (seminars without answers: 0)."""
    counts = dict.fromkeys(seminar_ids, 0)
    if seminar_ids:
        rows = db.session.execute(
            sa.select(EvaluationAnswer.seminar_id, sa.func.count())
            .where(EvaluationAnswer.seminar_id.in_(seminar_ids))
            .group_by(EvaluationAnswer.seminar_id)
        )
        counts.update(dict(rows.tuples().all()))
    return counts


def counted_seminars(seminar_ids: list[int]) -> tuple[list[int], dict[int, int]]:
    """The seminars whose answers may be shown (threshold reached), and every count."""
    counts = answer_counts(seminar_ids)
    return [sid for sid in seminar_ids if rules.evaluation_results_shown(counts[sid])], counts


def _answers(seminar_ids: list[int]) -> list[EvaluationAnswer]:
    if not seminar_ids:
        return []
    # ordered by the random key: the order says nothing about when or by whom
    return list(
        db.session.scalars(
            sa.select(EvaluationAnswer)
            .where(EvaluationAnswer.seminar_id.in_(seminar_ids))
            .order_by(EvaluationAnswer.id)
        )
    )


def _distribution(question: Question, answers: list[EvaluationAnswer]) -> Distribution:
    counts = [0] * 5
    for answer in answers:
        value = (answer.scores or {}).get(question.key)
        if type(value) is int and 1 <= value <= 5:
            counts[value - 1] += 1
    return Distribution(question, tuple(counts))


def results_for(seminar_ids: list[int]) -> Results:
    """The results of one seminar (a list of one) or of several together."""
    included, counts = counted_seminars(seminar_ids)
    left_out = [sid for sid in seminar_ids if sid not in included and counts[sid]]
    answers = _answers(included)
    return Results(
        answers=len(answers),
        shown=bool(included),
        distributions=[_distribution(q, answers) for q in QUESTIONS] if included else [],
        liked=[a.liked for a in answers if a.liked],
        improve=[a.improve for a in answers if a.improve],
        seminars=len(included),
        seminars_left_out=len(left_out),
        answers_left_out=sum(counts[sid] for sid in left_out),
    )


def seminar_results(seminar: Seminar) -> Results:
    """One seminar's results: only the number of answers below the threshold."""
    results = results_for([seminar.id])
    if not results.shown:
        return Results(answers=results.answers_left_out, shown=False)
    return results


# -- export ----------------------------------------------------------------------------

EXPORT_HEADER = [
    "Seminar Nr.",
    "Modul",
    "Volkshochschule",
    "1. Tag",
    "Beantwortet am",
    *[f"{n}. {q.text}" for n, q in enumerate(QUESTIONS, start=1)],
    *[text for _key, text in FREE_TEXTS],
]


def export_rows(seminars: list[Seminar]) -> list[list]:
    """One row per answer of the seminars that reach the threshold: the day it was
    given, never a time; a question not answered is an empty cell."""
    by_id = {s.id: s for s in seminars}
    included, _counts = counted_seminars(list(by_id))
    rows = []
    for answer in _answers(included):
        seminar = by_id[answer.seminar_id]
        scores = answer.scores or {}
        rows.append(
            [
                seminar.id,
                seminar.module.kind,
                seminar.vhs.name,
                date_short(seminar.day1),
                date_short(answer.answered_on),
                *[scores.get(key, "") for key in QUESTION_KEYS],
                answer.liked,
                answer.improve,
            ]
        )
    rows.sort(key=lambda row: row[0])  # stable: answers stay in key order per seminar
    return rows


def as_csv(rows: list[list]) -> bytes:
    """UTF-8 with BOM and semicolons; every text cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(
        [safe_cell(value) if isinstance(value, str) else value for value in row] for row in rows
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list]) -> bytes:
    """Numbers as numbers, every text a string cell (never a formula)."""
    from openpyxl import Workbook  # loaded on first use: worker memory
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bewertung"
    sheet.append(EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
