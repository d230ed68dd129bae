"""Delivering the outbox: after the response (one web worker at a time, see
``deliver_after_response``), and by ``flask send-mail`` or ``flask worker``.

A mail is claimed (an UPDATE that only one sender can win), sent, then marked
sent, so two senders never send the same mail. Failures are classified: a
server that cannot be reached (or refuses our login) and 4xx replies are
temporary and retried with exponential backoff, at most ``MAIL_MAX_ATTEMPTS``
times; a 5xx reply or an address the server cannot take fails the mail at once.
Failed mails are shown to the admins. Only an unreachable server pauses the
immediate delivery after a response: one bad address never holds up the others.
Every header goes through one guard (``header_text``): one line of plain text, an
address that it would change refused. Any other error while a mail is written or built
fails that mail with its reason; the next one goes out.
Without ``MAIL_SERVER`` mails are written as .eml files into ``MAIL_FOLDER``.

The sender knows no feature: a mail kind that needs more than its stored text registers
it where the kind is defined (``register_kind``): a request's composer, files made as the
mail goes out. ``create_app`` imports those modules, so every process that sends has them.
"""

import email.policy
import fcntl
import hashlib
import re
import smtplib
import ssl
import tempfile
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import idna
import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import joinedload

from app.core.text import WRITING_MARKS
from app.core.timeutil import utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import OutboxMail, Registration, Seminar
from app.services import mail as mail_service
from app.services.calendar import method_of

CLAIM = timedelta(minutes=5)
SENT, TEMPORARY, PERMANENT, UNREACHABLE = "sent", "temporary", "permanent", "unreachable"
MAX_BACKOFF = timedelta(hours=6)
BATCH = 50


# -- what a mail kind adds to sending (registered by the module that defines the kind) -------

Attachment = tuple[str, str, str, bytes]  # (filename, maintype, subtype, content)


@dataclass(frozen=True)
class Kind:
    """``composer(address)``: the kind is a request ("send me a link"), stored as one row
    whatever the address; inside the sender's write transaction the composer queues the
    real mail (or None, for an address we do not know). ``attachments(mail)``: files made
    as the mail goes out, never stored with it (a certificate)."""

    composer: Callable[[str], OutboxMail | None] | None = None
    attachments: Callable[[OutboxMail], list[Attachment]] | None = None


_KINDS: dict[str, Kind] = {}
_PLAIN = Kind()


def register_kind(
    kind: str,
    *,
    composer: Callable[[str], OutboxMail | None] | None = None,
    attachments: Callable[[OutboxMail], list[Attachment]] | None = None,
) -> None:
    """Tell the sender what mails of ``kind`` need (called when the defining module is
    imported)."""
    _KINDS[kind] = Kind(composer=composer, attachments=attachments)


def kind_of(kind: str) -> Kind:
    """What the sender knows of ``kind`` beyond its stored text (nothing: ``_PLAIN``)."""
    return _KINDS.get(kind, _PLAIN)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def smtp_address(address: str) -> str:
    """The address as it travels: an internationalised domain in its IDNA (xn--) form, so
    that it needs no SMTPUTF8 (a non-ASCII local part still does)."""
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def site_domain() -> str:
    """The host of BASE_URL: the domain of our Message-IDs, as of the calendar UIDs
    (never the machine's host name, which says nothing to the recipient)."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


# -- headers: one line of plain text, whatever people typed ---------------------------------

UNSAFE_ADDRESS = (
    "Nicht gesendet: Die Adresse enthält Steuerzeichen oder kodierte Wörter (=?…?=) "
    "und kann so nicht in den Kopf einer E-Mail."
)
# A MIME encoded word (RFC 2047): "=?charset?encoding?text?=". Mail libraries and mail
# programs decode it in a header, "=0D=0A" into a real line break that starts a header
# line (or the body) of the writer's choosing. Read leniently: any text up to "?=".
ENCODED_WORD = re.compile(r"=\?[^?]*\?[^?]*\?.*?\?=", re.DOTALL)
# What is left of one: "=?" (with any "=" before it, so that none forms anew)
ENCODED_WORD_OPENER = re.compile(r"=+\?")


class UnsafeHeader(ValueError):
    """An address that would not go into its header as it is."""


def header_text(value: str) -> str:
    """``value`` as one line of plain text for a mail header, however the mail library
    of the day reads it: control characters and line or paragraph separators become
    spaces, other format characters go (except those that belong to how names are
    written), encoded words are removed and what is left of one is taken apart, runs of
    spaces become one. Every header of every mail goes through here (``_header``)."""
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif category not in ("Cf", "Co", "Cs") or ch in WRITING_MARKS:
            kept.append(ch)
    text = ENCODED_WORD.sub(" ", "".join(kept))
    text = ENCODED_WORD_OPENER.sub("?", text)
    return " ".join(text.split())


def _header(message: EmailMessage, name: str, value: str, *, address: bool = False) -> None:
    """Set a header through ``header_text``. An address is never changed on the way (that
    would send the mail to someone else): one that would change, or that is not exactly
    one address, is refused (``UnsafeHeader``)."""
    text = header_text(value)
    if address and text != " ".join(value.split()):
        raise UnsafeHeader(UNSAFE_ADDRESS)
    message[name] = text
    if address and text and len(message[name].addresses) != 1:
        raise UnsafeHeader(UNSAFE_ADDRESS)


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, each made once: the standard registry makes a new
    class for every header it parses (in every part of every mail)."""

    def __init__(self):
        super().__init__()
        self._made = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


# ``email.policy.default`` as it writes a mail, with the header classes made once.
POLICY = email.policy.default.clone(header_factory=_HeaderClasses())


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    _header(message, "From", sender, address=True)
    _header(message, "To", smtp_address(mail.recipient), address=True)
    _header(message, "Subject", mail.subject)
    if mail.reply_to:
        _header(message, "Reply-To", smtp_address(mail.reply_to), address=True)
    _header(message, "Date", formatdate(localtime=False))
    _header(message, "Message-ID", make_msgid(idstring=f"outbox{mail.id}", domain=site_domain()))
    _header(message, "Auto-Submitted", "auto-generated")
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    if mail.ics:
        message.add_attachment(
            mail.ics,  # as text, so that the part says charset=utf-8
            subtype="calendar",
            filename="seminar.ics",
            params={"method": header_text(method_of(mail.ics))},
        )
    attachments = kind_of(mail.kind).attachments
    for name, maintype, subtype, content in attachments(mail) if attachments else []:
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=header_text(name)
        )
    return message


def _send_smtp(message: EmailMessage, config) -> None:
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    security = config["MAIL_SECURITY"].lower()
    if security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        # Non-ASCII addresses go out with SMTPUTF8 where the server offers it; where it does
        # not, send_message raises SMTPNotSupportedError: a permanent failure of this mail.
        client.send_message(message)


def classify(failure: Exception) -> str:
    """How a failed attempt counts: UNREACHABLE (no server, or our login refused: every
    mail would fail), TEMPORARY (a 4xx reply, the database busy or away a moment) or
    PERMANENT (a 5xx reply, an address the server cannot take, a mail that cannot be
    written or built)."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in failure.recipients.values()]
        return PERMANENT if codes and all(code >= 500 for code in codes) else TEMPORARY
    if isinstance(failure, smtplib.SMTPNotSupportedError | UnicodeError):
        return PERMANENT
    if isinstance(
        failure,
        smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError | smtplib.SMTPServerDisconnected,
    ):
        return UNREACHABLE
    if isinstance(failure, smtplib.SMTPResponseException):
        return PERMANENT if failure.smtp_code >= 500 else TEMPORARY
    if isinstance(failure, OSError):
        return UNREACHABLE  # refused, timed out, no route
    if isinstance(failure, sa.exc.OperationalError):
        return TEMPORARY
    return PERMANENT


def _reason(failure: Exception) -> str:
    if isinstance(failure, UnsafeHeader):
        return str(failure)
    return f"{type(failure).__name__}: {failure}"


def _write_file(message: EmailMessage, mail: OutboxMail, folder: str) -> Path:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{mail.id:06d}-{mail.kind}.eml"
    path.write_bytes(bytes(message))
    return path


# The mail folder keeps copies of personal data: they go with the person's data (an
# erasure, ``remove_mail_files``) and with the outbox's own retention (the purge,
# ``remove_old_mail_files``).


def mail_files(mail_ids) -> list[Path]:
    """The files ``_write_file`` wrote for these mails (none for a mail never delivered)."""
    folder = Path(current_app.config["MAIL_FOLDER"])
    if not folder.is_dir():
        return []
    return [path for mail_id in mail_ids for path in folder.glob(f"{mail_id:06d}-*.eml")]


def remove_mail_files(mail_ids) -> int:
    removed = 0
    for path in mail_files(mail_ids):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def remove_old_mail_files(kept_days: int) -> int:
    """Delete the mail folder's files written more than ``kept_days`` days ago, as the
    outbox's rows are deleted then."""
    folder = Path(current_app.config["MAIL_FOLDER"])
    if not folder.is_dir():
        return 0
    cutoff = time.time() - kept_days * 86400
    removed = 0
    for path in folder.glob("*.eml"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


_OUTBOX = OutboxMail.__table__
CLAIM_MAIL = (
    _OUTBOX.update()
    .where(
        _OUTBOX.c.id == sa.bindparam("mail_id"),
        _OUTBOX.c.sent_at.is_(None),
        sa.or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < sa.bindparam("now")),
    )
    .values(claimed_until=sa.bindparam("until"))
)


def _claim(mail_id: int) -> bool:
    """Take the mail for this sender; False when it is sent or another sender has it."""
    with write_transaction() as session:
        return _claim_in(session, mail_id)


def _claim_in(session, mail_id: int) -> bool:
    """``_claim`` inside the caller's write transaction.

    One conditional UPDATE: of two senders, only one changes the row (PostgreSQL
    re-checks the condition after waiting for the other's row lock).
    """
    now = utcnow()
    claimed = session.execute(CLAIM_MAIL, {"mail_id": mail_id, "now": now, "until": now + CLAIM})
    return claimed.rowcount == 1


def smtp_seems_down() -> bool:
    """The server could not be reached recently and a mail waits for its retry: leave new
    mail to the retries (``flask send-mail``) instead of holding a web worker for the
    SMTP timeout. A refused address does not count: it says nothing about the server."""
    return _any_unsent(
        OutboxMail.connection_failed.is_(True), OutboxMail.next_attempt_at > utcnow()
    )


def _any_unsent(*conditions) -> bool:
    """Is there a mail neither sent nor failed for good that meets ``conditions``?"""
    found = sa.select(OutboxMail.id).where(
        OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None), *conditions
    )
    return db.session.scalar(found.limit(1)) is not None


MARK_SENT = (
    _OUTBOX.update()
    .where(_OUTBOX.c.id == sa.bindparam("mail_id"))
    .values(claimed_until=None, connection_failed=False, sent_at=sa.bindparam("now"))
)


def _record(mail_id: int, outcome: str, error: str = "", *, claim: int | None = None) -> bool:
    """Write how the attempt went. ``claim``: the sender's next mail, claimed in the same
    transaction (one write fewer per mail); returns whether it was."""
    with write_transaction() as session:
        _write_outcome(session, mail_id, outcome, error)
        return claim is not None and _claim_in(session, claim)


def _write_outcome(session, mail_id: int, outcome: str, error: str) -> None:
    if outcome == SENT:  # the usual outcome, one plain UPDATE
        session.execute(MARK_SENT, {"mail_id": mail_id, "now": utcnow()})
        return
    mail = session.get(OutboxMail, mail_id, populate_existing=True)
    mail.claimed_until = None
    mail.connection_failed = outcome == UNREACHABLE
    mail.attempts += 1
    mail.last_error = error[:500]
    if outcome == PERMANENT or mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mail.failed_at = utcnow()
    else:
        mail.next_attempt_at = utcnow() + backoff(mail.attempts)


def deliver_pending(limit: int = BATCH, only: list[int] | None = None) -> dict[str, int]:
    """Send what is due (or only the mails ``only``); returns counts of sent and failed."""
    config = current_app.config
    now = utcnow()
    query = (
        sa.select(OutboxMail.id, OutboxMail.kind)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            OutboxMail.next_attempt_at <= now,
            sa.or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(OutboxMail.id.in_(only))
    due = db.session.execute(query).all()
    counts = {"sent": 0, "failed": 0}
    claimed_next = None  # the next mail's claim, when made with the last one's record
    for position, (mail_id, kind) in enumerate(due):
        claimed = _claim(mail_id) if claimed_next is None else claimed_next
        claimed_next = None
        if not claimed:
            continue
        # one mail that cannot be written, built or sent fails alone: never the others
        try:
            if kind_of(kind).composer:
                composed = _compose_request(mail_id)
            elif (mail := _composed(mail_id)) is None:
                continue
        except Exception as failure:
            current_app.logger.exception("Mail %s could not be written", mail_id)
            _failed(mail_id, failure, counts)
            continue
        if kind_of(kind).composer:
            if composed is not None:
                counts_more = deliver_pending(limit, only=[composed])
                counts = {key: counts[key] + counts_more[key] for key in counts}
            continue
        outcome, error = SENT, ""
        try:
            message = build_message(mail, config["MAIL_SENDER"])
            if config["MAIL_SERVER"]:
                _send_smtp(message, config)
            else:
                path = _write_file(message, mail, config["MAIL_FOLDER"])
                current_app.logger.info("Mail %s written to %s", mail_id, path)
        except Exception as failure:
            outcome, error = classify(failure), _reason(failure)
            current_app.logger.warning("Mail %s not delivered (%s): %s", mail_id, outcome, error)
        db.session.rollback()  # end the read, so that the next write starts locked
        if outcome == UNREACHABLE:
            _record(mail_id, outcome, error)
            counts["failed"] += 1
            break  # the server is away: the rest waits for the next run, not for timeouts
        following = due[position + 1][0] if position + 1 < len(due) else None
        claimed_next = _record(mail_id, outcome, error, claim=following)
        counts["sent" if outcome == SENT else "failed"] += 1
    return counts


def _failed(mail_id: int, failure: Exception, counts: dict[str, int]) -> None:
    """A mail that could not be written: tried again later when the database was busy
    or away, failed for good otherwise (a text that cannot be written stays so)."""
    db.session.rollback()
    outcome = TEMPORARY if isinstance(failure, sa.exc.OperationalError) else PERMANENT
    _record(mail_id, outcome, _reason(failure))
    counts["failed"] += 1


def _compose_request(mail_id: int) -> int | None:
    """Turn a "send me a link" request into its mail (or into nothing, for an address we
    do not know); the request row is done either way. Returns the new mail's id."""
    with write_transaction() as session:
        request = session.get(OutboxMail, mail_id, populate_existing=True)
        composed = kind_of(request.kind).composer(request.recipient)
        request.sent_at = utcnow()  # handled: the request itself is never sent
        request.claimed_until = None
        session.flush()
        composed_id = composed.id if composed is not None else None
    return composed_id


# What a mail about a registration reads besides it, in the same query.
_WITH_SEMINAR = [joinedload(Registration.seminar).joinedload(Seminar.vhs)]

NOTHING_TO_SEND = "Nicht gesendet: Die Anmeldung gibt es nicht mehr."


def compose_later(mail_id: int) -> bool:
    """Compose a mail queued with ``mail.queue_later`` (its own short transaction, apart
    from the one that queued it); False when there is nothing to send any more."""
    return _composed(mail_id) is not None


def _composed(mail_id: int) -> OutboxMail | None:
    """``compose_later``, returning the mail as committed (None: nothing to send), for
    the sender to build it without reading it again; everything else it read is read
    afresh when next used, as after any commit."""
    with write_transaction(keep_loaded=True) as session:
        mail = session.get(OutboxMail, mail_id, populate_existing=True)
        to_send = _compose(session, mail)
    for loaded in list(session.identity_map.values()):
        if loaded is not mail:
            session.expire(loaded)
    return mail if to_send else None


def _compose(session, mail: OutboxMail) -> bool:
    if mail.params is None:
        return True  # composed when queued, or on an earlier attempt
    registration = (
        session.get(
            Registration, mail.registration_id, options=_WITH_SEMINAR, populate_existing=True
        )
        if mail.registration_id
        else None
    )
    if registration is None or registration.erased_at is not None:
        mail.params, mail.claimed_until = None, None
        mail.failed_at, mail.last_error = utcnow(), NOTHING_TO_SEND
        return False
    mail_service.compose(mail, registration)
    return True


def watch(stop, poll_seconds: float) -> dict[str, int]:
    """The sender apart from the web workers (``flask send-mail --watch``): deliver what
    is due, then look again every ``poll_seconds``, until ``stop()`` says so. A mail is
    only marked sent after the server took it, so stopping loses nothing: what was not
    delivered stays in the outbox for the next start."""
    total = {"sent": 0, "failed": 0}
    while not stop():
        try:
            counts = deliver_pending()
        finally:
            db.session.remove()
        total = {key: total[key] + counts[key] for key in total}
        if counts["sent"] + counts["failed"] == 0:
            _sleep(stop, poll_seconds)
    return total


def _sleep(stop, seconds: float) -> None:
    """Sleep in short steps, so that a stop is noticed at once."""
    deadline = time.monotonic() + seconds
    while not stop() and time.monotonic() < deadline:
        time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))


def _delivery_lock_path(app: Flask) -> Path:
    """One lock file per database on this host: the web workers serving that database
    take turns delivering (tests on other databases never wait for each other)."""
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"seminare-delivery-{digest}.lock"


@contextmanager
def _delivery_turn(app: Flask):
    """Yield True when this thread may deliver now: no other web worker of this host
    delivers for the same database. Never waits."""
    try:
        lock = open(_delivery_lock_path(app), "a+b")  # noqa: SIM115 (closed below)
    except OSError:
        yield True  # no lock file to be had: deliver as before
        return
    try:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        lock.close()  # lets the lock go


def deliver_after_response(app: Flask) -> None:
    """The delivery after a response that queued mail (default settings: no sender apart).

    One web worker at a time per host and database delivers: whoever finds the turn free
    sends what is due, its own mails among them (a batch, oldest first), then hands the
    turn back and looks again, batch after batch until nothing is due, so that a mail
    committed while it delivered is never left behind. Whoever finds the turn taken
    answers its next request at once: the one delivering takes its mail along. Under a
    rush the mails thus wait in line as they would for ``flask worker``, instead of every
    web worker composing its own beside the others (each claim, composition and record
    a write of its own)."""
    while True:
        with _delivery_turn(app) as mine:
            if not mine:
                return
            with app.app_context():
                try:
                    if smtp_seems_down():
                        return
                    counts = deliver_pending()
                finally:
                    db.session.remove()
        if counts["sent"] + counts["failed"] == 0:
            return  # what is due is claimed by another sender (``flask send-mail``)
        with app.app_context():
            try:
                if not _anything_due():
                    return
            finally:
                db.session.remove()


def _anything_due() -> bool:
    now = utcnow()
    return _any_unsent(
        OutboxMail.next_attempt_at <= now,
        sa.or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
    )


def init_delivery(app: Flask) -> None:
    """After a response whose request queued mail, deliver it (the person has their
    answer) - unless a sender runs apart (``MAIL_SENDER_PROCESS``), which then does."""
    if app.config["MAIL_SENDER_PROCESS"]:
        return

    @app.after_request
    def _deliver_after_response(response):
        # Mail objects, or the ids of rows written at once (``mail.queue_later``). Only
        # mails that were committed have an identity; a rolled-back one has none (and an
        # id from a rolled-back transaction finds no row, or one that is due anyway).
        queued = [
            mail
            for mail in g.pop("queued_mails", [])
            if isinstance(mail, int) or sa.inspect(mail).identity_key
        ]
        if queued:
            response.call_on_close(lambda: deliver_after_response(app))
        return response
