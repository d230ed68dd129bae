"""The anonymous evaluation after a seminar (DOMAIN.md, decision "Evaluation").

Goal: whoever holds the database, the application's logs and the web server's access
log cannot tell which person gave which answer. What is stored, and why:

- **Who may answer.** Confirmed people who attended (present on at least one day), from
  day 2 until ``rules.EVALUATION_OPEN_WEEKS`` after it, once each.
- **Their address** is ``/bewertung/<token>`` with the person's personal link token (the
  one the mail after the seminar issues anyway, stored as a digest only,
  ``services/links.py``): random, no readable id. Addresses of the first version
  (the registration id signed, readable in every access log) no longer open the
  questionnaire: they lead to ``/bewertung``, which explains how to get a new one.
- **In the room**, the organisers print anonymous one-time codes (``issue_room_codes``):
  as many as people attended, tied to nobody, stored as a keyed digest, valid until the
  questionnaire closes; a code's row is deleted when it is used. No sheet carries a
  person's own address any more.
- **Answering is two transactions.** The first notes on the registration that it
  answered (a conditional UPDATE, so of two submits only one counts) or deletes the
  room code; the second stores the answer. They never share a transaction id
  (PostgreSQL's ``xmin``).
- **No stored order.** An answer row holds the seminar, the scores and the two texts:
  no registration, no time (not even the day: with the access log's times a day with a
  single answer would name its author) and a random key. Adding an answer rewrites all
  of the seminar's answers in one transaction under the seminar's lock, each with a new
  random key, inserted in the order of those keys: so all of a seminar's rows share one
  ``xmin``, and their physical order (SQLite's rowid, PostgreSQL's ctid) follows the
  fresh random keys (on PostgreSQL also free space), never the order people answered
  in. The ``xmin`` of a seminar's answers is adjacent to the note of whoever answered
  last, which tells that this person answered (the note says so anyway), not which of
  the answers is theirs.
- Nothing is logged and no audit entry is written for an answer.

Why no pending pool released in batches: its pending rows would be readable (there is
no cipher to seal them), and the notes' ``xmin`` order tells whose answers are still
pending, so right after a release a single pending answer would name its author.
Rewriting the seminar's whole set at each answer hides every answer among all of them.

What the access log adds: the time an address or code was used. The mail after the
seminar (kept in the outbox for a while) ties a personal address to its person, so
database and access log together tell *when* a person answered; since no answer
carries a time, a day or an order, that names none of the answers.

Limits (why this is not more): the notes tell *who* answered; with fewer answers the
crowd an answer hides in is smaller, which is why results (figures and free texts) are
shown from ``rules.EVALUATION_MIN_ANSWERS`` on, and sums take only seminars that reach
it. Two copies of the database taken before and after one answer, a PostgreSQL WAL
archive or point-in-time backup, and old row versions not yet vacuumed (SQLite: free
pages, unless ``secure_delete``) show which answer came with which note: only
encrypting answers until a batch is released would hide that, and it needs a cipher
the project does not have. A person may answer through their own address *and* with
a room code; the codes are tied to nobody, so this cannot be told apart; the
organisers can only print as many codes as people attended less the answers already
given (a new print makes the codes not yet used invalid), which bounds it. Likewise
whoever holds the codes (the VHS) could fill them in instead of handing them out: the
audit log shows each print and its number. Whoever holds the app's secret key can test
guesses against the room codes' digests; the codes carry 60 random bits.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from app import rules
from app.core import tabular
from app.core.formatting import date_short, one_decimal
from app.core.timeutil import today_berlin
from app.database import locked, write_transaction
from app.extensions import db
from app.models import (
    Attendance,
    EvaluationAnswer,
    EvaluationCode,
    Registration,
    RegistrationState,
    Seminar,
    SeminarState,
)
from app.services import audit, messages
from app.services.audit import Action, Subject
from app.services.errors import ServiceError
from app.services.links import registration_by_token
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


# -- the personal address ------------------------------------------------------------

# The first version's addresses: the registration id signed (readable: base64 of it)
_LEGACY_SALT = "evaluation-questionnaire"
_LEGACY_TOKEN_MAX = 100


def is_legacy_token(token: str) -> bool:
    """An address of the first version, signed by this site: it no longer opens the
    questionnaire (it names the person in every access log), the route explains."""
    if len(token) > _LEGACY_TOKEN_MAX or "." not in token:
        return False
    signer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_LEGACY_SALT)
    try:
        return type(signer.loads(token)) is int
    except BadSignature:
        return False


def registration_for(token: str) -> Registration | None:
    """The registration a personal link token belongs to; None for any other."""
    return registration_by_token(token)


class Access(StrEnum):
    """Where one person stands with the questionnaire."""

    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    ANSWERED = "answered"
    ABSENT = "absent"  # confirmed, but not (yet) recorded present on any day
    NONE = "none"  # not a confirmed participant (any more), or erased


def _confirmed(registration: Registration) -> bool:
    """Confirmed people of a seminar that was not cancelled, not erased."""
    return (
        registration.erased_at is None
        and registration.state == RegistrationState.CONFIRMED
        and registration.seminar.state != SeminarState.CANCELLED
    )


def _attended_clause():
    """SQL for ``rules.may_answer_evaluation``: present on at least one day."""
    return (
        sa.select(Attendance.registration_id)
        .where(Attendance.registration_id == Registration.id, Attendance.present.is_(True))
        .exists()
    )


def attended(registration_id: int) -> bool:
    """Recorded present on at least one seminar day (``rules.may_answer_evaluation``)."""
    days = dict(
        db.session.execute(
            sa.select(Attendance.day, Attendance.present).where(
                Attendance.registration_id == registration_id
            )
        )
        .tuples()
        .all()
    )
    return rules.may_answer_evaluation(days.get(1), days.get(2))


def _window_access(seminar: Seminar, today: date) -> Access:
    window = rules.evaluation_window(seminar.day2, today)
    return {
        rules.EvaluationWindow.NOT_YET: Access.NOT_YET,
        rules.EvaluationWindow.CLOSED: Access.CLOSED,
    }.get(window, Access.OPEN)


def access_of(registration: Registration, today: date | None = None) -> Access:
    if not _confirmed(registration):
        return Access.NONE
    if registration.evaluation_given:
        return Access.ANSWERED
    window = _window_access(registration.seminar, today or today_berlin())
    if window != Access.OPEN:
        return window
    return Access.OPEN if attended(registration.id) else Access.ABSENT


def last_day(seminar: Seminar) -> date:
    """The last day the questionnaire takes answers."""
    return seminar.day2 + timedelta(weeks=rules.EVALUATION_OPEN_WEEKS)


def evaluation_url(registration: Registration, token: str) -> str | None:
    """The absolute address of the person's questionnaire with their personal link
    ``token``, or None when the person may not (or no longer) answer: not confirmed,
    not attended, erased, already answered, before day 2 or after it closed."""
    if access_of(registration) != Access.OPEN:
        return None
    return absolute_url("public.evaluation", token=token)


def qr_svg(url: str, title: str) -> Markup:
    """The address as a QR code: inline SVG markup for a printed page (no style
    attribute, so the CSP allows it), about 2 cm wide."""
    import segno  # loaded on first use: worker memory

    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=0.5, border=2, unit="mm", title=title, svgclass="qr")
    # segno writes the markup itself and escapes the title: safe to embed as it is
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


# -- anonymous one-time codes for the room -----------------------------------------------

# 12 characters from 32 that cannot be mistaken for each other: 60 random bits
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_INPUT_MAX = 40


def _code_digest(code: str) -> str:
    """Keyed with the app's secret: a copy of the database cannot test guesses."""
    key = hashlib.sha256(b"evaluation-room-code:" + current_app.config["SECRET_KEY"].encode())
    return hmac.new(key.digest(), code.encode(), hashlib.sha256).hexdigest()


def normalised_code(typed: str) -> str | None:
    """``k7qx-m4pd 2rxz`` -> ``K7QXM4PD2RXZ``; None for anything that is no code."""
    if len(typed) > CODE_INPUT_MAX:
        return None
    code = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def code_shown(code: str) -> str:
    """Grouped for reading out and typing: ``K7QX-M4PD-2RXZ``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def attended_count(seminar_id: int) -> int:
    """Confirmed, not erased people of the seminar present on at least one day."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.seminar_id == seminar_id,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.erased_at.is_(None),
            _attended_clause(),
        )
    )


def codes_at_most(seminar_id: int, attended: int | None = None) -> int:
    """One code per person who attended, less the answers already given (through a
    personal address or a code): the answers can never outnumber the people present."""
    if attended is None:
        attended = attended_count(seminar_id)
    return max(0, attended - answer_counts([seminar_id])[seminar_id])


class CodesRefused(ServiceError):
    """No codes can be made now: the organiser is told why."""


def codes_open(seminar: Seminar, today: date | None = None) -> bool:
    """Codes can be printed until the questionnaire closes (not for a cancelled one)."""
    today = today or today_berlin()
    return seminar.state != SeminarState.CANCELLED and today <= last_day(seminar)


def issue_room_codes(
    seminar_id: int, how_many: int, actor_id: int | None, today: date | None = None
) -> list[str]:
    """``how_many`` new one-time codes for the seminar (at most ``codes_at_most``); the
    codes printed before and not yet used stop working. Only their
    digests are stored; the codes themselves are returned once, to be printed."""
    today = today or today_berlin()
    with write_transaction() as session:
        seminar = locked(Seminar, seminar_id)
        if seminar is None or not codes_open(seminar, today):
            raise CodesRefused(messages.EVALUATION_CODES_CLOSED)
        attended = attended_count(seminar_id)
        if attended == 0:
            raise CodesRefused(messages.EVALUATION_CODES_NOBODY_PRESENT)
        most = codes_at_most(seminar_id, attended)
        if most == 0:
            raise CodesRefused(messages.EVALUATION_CODES_ALL_ANSWERED)
        if not 1 <= how_many <= most:
            raise CodesRefused(messages.evaluation_codes_count(most))
        session.execute(sa.delete(EvaluationCode).where(EvaluationCode.seminar_id == seminar_id))
        codes = [
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            for _ in range(how_many)
        ]
        session.add_all(
            EvaluationCode(
                digest=_code_digest(code), seminar_id=seminar_id, valid_until=last_day(seminar)
            )
            for code in codes
        )
        audit.record(
            Action.EVALUATION_CODES,
            seminar_id=seminar_id,
            subject=Subject.SEMINAR,
            subject_id=seminar_id,
            actor_id=actor_id,
            detail=messages.evaluation_codes_made(how_many),
        )
    return codes


@dataclass(frozen=True)
class CodeCard:
    """One slip of the sheet to print: the code as typed, its address as a QR code."""

    code: str
    url: str
    qr: Markup


def room_code_cards(codes: list[str]) -> list[CodeCard]:
    cards = []
    for number, code in enumerate(codes, start=1):
        url = absolute_url("public.evaluation_by_code", code=code_shown(code))
        cards.append(CodeCard(code_shown(code), url, qr_svg(url, messages.room_code_title(number))))
    return cards


def seminar_of_code(code: str, today: date | None = None) -> Seminar | None:
    """The seminar a valid, unused code belongs to, typed in any grouping (None:
    unknown, used or expired)."""
    today = today or today_berlin()
    code = normalised_code(code)
    if code is None:
        return None
    return db.session.scalar(
        sa.select(Seminar)
        .join(EvaluationCode, EvaluationCode.seminar_id == Seminar.id)
        .where(EvaluationCode.digest == _code_digest(code), EvaluationCode.valid_until >= today)
    )


def code_access(seminar: Seminar | None, today: date | None = None) -> Access:
    if seminar is None or seminar.state == SeminarState.CANCELLED:
        return Access.NONE
    return _window_access(seminar, today or today_berlin())


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


class CodeUsed(EvaluationRefused):
    message = messages.EVALUATION_CODE_INVALID


def refusal(seminar: Seminar, access: Access) -> EvaluationRefused:
    """The refusal that matches where the person stands (anything but OPEN)."""
    if access == Access.ANSWERED:
        return AlreadyAnswered()
    if access == Access.NOT_YET:
        return EvaluationRefused(messages.evaluation_not_yet(seminar.day2))
    if access == Access.CLOSED:
        return EvaluationRefused(messages.evaluation_closed(last_day(seminar)))
    if access == Access.ABSENT:
        return EvaluationRefused(messages.EVALUATION_NOT_ATTENDED)
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


def _store(seminar_id: int, answer: Answer) -> None:
    """Add the answer to the seminar's others, in a transaction of its own: every answer
    of the seminar is written anew with a fresh random key, in the order of the keys,
    so that no row's transaction id or place tells when it came."""
    with write_transaction() as session:
        locked(Seminar, seminar_id)  # one rewrite of a seminar's answers at a time
        kept = session.execute(
            sa.select(
                EvaluationAnswer.scores, EvaluationAnswer.liked, EvaluationAnswer.improve
            ).where(EvaluationAnswer.seminar_id == seminar_id)
        ).all()
        contents = [(dict(row.scores or {}), row.liked, row.improve) for row in kept]
        contents.append((answer.scores, answer.liked, answer.improve))
        keyed = sorted(((secrets.token_hex(16), content) for content in contents), key=_first)
        session.execute(
            sa.delete(EvaluationAnswer).where(EvaluationAnswer.seminar_id == seminar_id)
        )
        session.execute(
            sa.insert(EvaluationAnswer),
            [
                {
                    "id": key,
                    "seminar_id": seminar_id,
                    "scores": scores,
                    "liked": liked,
                    "improve": improve,
                }
                for key, (scores, liked, improve) in keyed
            ],
        )


def _first(pair: tuple) -> str:
    return pair[0]


def _claim(registration_id: int, today: date) -> int:
    """Note that the person answered (its own transaction); the seminar's id."""
    with write_transaction() as session:
        registration = session.get(Registration, registration_id, populate_existing=True)
        if registration is None:
            raise NotAvailable()
        access = access_of(registration, today)
        if access != Access.OPEN:
            raise refusal(registration.seminar, access)
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
        return registration.seminar_id


def _unclaim(registration_id: int) -> None:
    """The answer could not be stored: the person may try again."""
    with write_transaction() as session:
        session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id)
            .values(evaluation_given=False)
            .execution_options(synchronize_session=False)
        )


def submit(registration_id: int, answer: Answer, today: date | None = None) -> None:
    """Store one anonymous answer through the person's own address: first the note that
    they answered, then, in another transaction, the answer among the seminar's others."""
    today = today or today_berlin()
    answer = _checked(answer)
    seminar_id = _claim(registration_id, today)
    try:
        _store(seminar_id, answer)
    except Exception:
        _unclaim(registration_id)
        raise


def _use_code(code: str, today: date) -> int:
    """Delete the code (its own transaction): the seminar's id; refused when the code
    is unknown, used, expired, or the questionnaire is not open."""
    with write_transaction() as session:
        row = session.get(EvaluationCode, _code_digest(code), populate_existing=True)
        if row is None or row.valid_until < today:
            raise CodeUsed()
        seminar = session.get(Seminar, row.seminar_id)
        access = code_access(seminar, today)
        if access != Access.OPEN:
            raise refusal(seminar, access)
        used = session.execute(
            sa.delete(EvaluationCode)
            .where(EvaluationCode.digest == row.digest)
            .execution_options(synchronize_session=False)
        ).rowcount
        if used != 1:
            raise CodeUsed()
        return row.seminar_id


def submit_with_code(code: str, answer: Answer, today: date | None = None) -> None:
    """Store one anonymous answer given with a one-time code from the room."""
    today = today or today_berlin()
    answer = _checked(answer)
    code = normalised_code(code)
    if code is None:
        raise CodeUsed()
    seminar_id = _use_code(code, today)
    try:
        _store(seminar_id, answer)
    except Exception:
        _give_back_code(code, seminar_id)
        raise


def _give_back_code(code: str, seminar_id: int) -> None:
    """The answer could not be stored: the code works again."""
    with write_transaction() as session:
        seminar = session.get(Seminar, seminar_id)
        if seminar is not None:
            session.add(
                EvaluationCode(
                    digest=_code_digest(code), seminar_id=seminar_id, valid_until=last_day(seminar)
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
    *[f"{n}. {q.text}" for n, q in enumerate(QUESTIONS, start=1)],
    *[text for _key, text in FREE_TEXTS],
]
# The figures alone: what observers download (free texts may name someone).
FIGURES_HEADER = EXPORT_HEADER[: -len(FREE_TEXTS)]


def export_rows(seminars: list[Seminar], free_texts: bool = True) -> list[list]:
    """One row per answer of the seminars that reach the threshold, in the order of
    their random keys (never when or by whom); a question not answered is an empty
    cell. Without ``free_texts``, the figures alone (``FIGURES_HEADER``)."""
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
                *[scores.get(key, "") for key in QUESTION_KEYS],
                *((answer.liked, answer.improve) if free_texts else ()),
            ]
        )
    rows.sort(key=lambda row: row[0])  # stable: answers stay in key order per seminar
    return rows


def as_csv(rows: list[list], header: list[str] = EXPORT_HEADER) -> bytes:
    """UTF-8 with BOM and semicolons; every text cell formula-safe."""
    return tabular.csv_bytes(header, rows)


def as_xlsx(rows: list[list], header: list[str] = EXPORT_HEADER) -> bytes:
    """Numbers as numbers, every text a string cell (never a formula)."""
    return tabular.xlsx_bytes("Bewertung", (header, rows))
