"""The mail after the seminar: one per person who attended both days, queued once.

Day 2 counts as marked when an organiser closes the attendance ("Anwesenheit abschließen
und Bescheinigungen versenden", from day 2 on), or, for seminars nobody closed, when
``flask send-certificates`` runs a few days after day 2. Either way each person who earns
a certificate and has not had this mail gets it (the outbox's ``dedupe_key``), so a person
marked present later still gets theirs on the next run. People who attended one day or
none get no mail from here; erased people never get one.

The mail carries the certificate as a PDF made when it goes out (``attachments_for``,
called by the outbox), so the transaction that queues it only writes rows; the evaluation
link, when there is one; and, after a Basismodul, open Aufbaumodul seminars nearby.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app import rules
from app.core.enums import Module
from app.database import locked, write_transaction
from app.extensions import db
from app.models import AuditEntry, OutboxMail, Registration, Seminar, SeminarState
from app.services import audit, mail, messages
from app.services.audit import Action, Subject
from app.services.certificates import (
    certificate_pdf,
    earns_certificate,
    filename,
    standings,
)
from app.services.errors import ServiceError
from app.services.evaluation import evaluation_url
from app.services.links import issue_link
from app.services.retention import MAIL_KEPT_DAYS
from app.services.series import next_module_suggestions

KIND = "after_seminar"
# Mails are sent at most this many days after day 2: their rows (with the dedupe keys
# that keep anyone from getting a second mail) stay in the outbox longer than that.
LOOKBACK_DAYS = MAIL_KEPT_DAYS - 2
# ``flask send-certificates`` takes a seminar nobody closed this many days after day 2
DEFAULT_DAYS_AFTER = 3


class CloseRefused(ServiceError):
    """The attendance cannot be closed (yet, or any more)."""


@dataclass(frozen=True)
class Closed:
    """What closing did: mails queued now, people who had theirs, people without one."""

    queued: int
    earlier: int
    without: int


def mail_key(registration_id: int) -> str:
    return f"after-seminar:{registration_id}"


def close_attendance(seminar_id: int, actor_id: int | None, today: date) -> Closed:
    """An organiser closes the attendance: every person who earned a certificate and has
    not had the mail gets it. One transaction, with its audit entry."""
    with write_transaction():
        seminar = locked(Seminar, seminar_id)
        if seminar is None:
            raise CloseRefused(messages.SEMINAR_NOT_FOUND)
        if seminar.state == SeminarState.CANCELLED:
            raise CloseRefused(messages.SEMINAR_CANCELLED)
        if today < seminar.day2:
            raise CloseRefused(messages.attendance_close_not_yet(seminar.day2))
        if not rules.after_seminar_mail_open(seminar.day2, today, LOOKBACK_DAYS):
            raise CloseRefused(messages.attendance_close_too_late(LOOKBACK_DAYS))
        closed = _queue_for(seminar)
        _log(seminar, closed, actor_id)
        return closed


def queue_due(today: date, days_after: int = DEFAULT_DAYS_AFTER) -> tuple[int, int]:
    """For ``flask send-certificates``: the seminars whose day 2 lies ``days_after`` days
    back or more (at most ``LOOKBACK_DAYS``) get their mails as if closed. Returns
    (seminars with new mails, mails queued). Safe to run every day."""
    newest = today - timedelta(days=max(days_after, 0))
    oldest = today - timedelta(days=LOOKBACK_DAYS)
    seminars_with_mails = queued = 0
    ids = db.session.scalars(
        sa.select(Seminar.id)
        .where(
            Seminar.state == SeminarState.PUBLISHED,
            Seminar.day2 <= newest,
            Seminar.day2 >= oldest,
        )
        .order_by(Seminar.day2, Seminar.id)
    ).all()
    for seminar_id in ids:
        with write_transaction():
            seminar = locked(Seminar, seminar_id)
            closed = _queue_for(seminar)
            if closed.queued:
                _log(seminar, closed, None)
        if closed.queued:
            seminars_with_mails += 1
            queued += closed.queued
    return seminars_with_mails, queued


def _queue_for(seminar: Seminar) -> Closed:
    everyone = standings(seminar)
    earners = [s.registration for s in everyone if s.earns]
    keys = [mail_key(r.id) for r in earners]
    had = set()
    if keys:
        had = set(
            db.session.scalars(
                sa.select(OutboxMail.dedupe_key).where(OutboxMail.dedupe_key.in_(keys))
            )
        )
    fresh = [r for r in earners if mail_key(r.id) not in had]
    for registration in fresh:
        queue_after_seminar(registration)
    return Closed(queued=len(fresh), earlier=len(had), without=len(everyone) - len(earners))


def _log(seminar: Seminar, closed: Closed, actor_id: int | None) -> None:
    audit.record(
        Action.ATTENDANCE_CLOSED,
        seminar_id=seminar.id,
        subject=Subject.SEMINAR,
        subject_id=seminar.id,
        actor_id=actor_id,
        detail=messages.attendance_closed(closed.queued, closed.earlier, closed.without),
    )


def queue_after_seminar(registration: Registration) -> OutboxMail:
    """The mail to one person who earned a certificate (the caller's transaction)."""
    seminar = registration.seminar
    token = issue_link(registration)
    suggestions = []
    if seminar.module == Module.BASIC:
        suggestions = [
            (other, mail.absolute_url("public.seminar_page", seminar_id=other.id))
            for other in next_module_suggestions(registration)
        ]
    return mail.queue(
        KIND,
        registration.email,
        registration=registration,
        dedupe_key=mail_key(registration.id),
        seminar=seminar,
        certificate_link=mail.absolute_url("public.certificate", token=token),
        link=mail.absolute_url("public.registration", token=token),
        evaluation=evaluation_url(registration),
        suggestions=suggestions,
    )


def attachments_for(message: OutboxMail) -> list[tuple[str, str, str, bytes]]:
    """The files a mail carries that are made when it goes out: ``(filename, maintype,
    subtype, content)``. The certificate, while the person still earns it (not erased,
    still recorded present on both days)."""
    if message.kind != KIND or message.registration_id is None:
        return []
    registration = db.session.get(Registration, message.registration_id)
    if registration is None or not earns_certificate(registration):
        return []
    return [(filename(registration), "application", "pdf", certificate_pdf(registration))]


# -- what the organisers' certificate page shows ---------------------------------------------


def close_open(seminar: Seminar, today: date) -> bool:
    """Whether the organisers may close the attendance today (and mails go out)."""
    return seminar.state != SeminarState.CANCELLED and rules.after_seminar_mail_open(
        seminar.day2, today, LOOKBACK_DAYS
    )


def mails_of(registration_ids: list[int]) -> dict[int, OutboxMail]:
    """registration id -> the mail after the seminar queued for it (sent or not)."""
    if not registration_ids:
        return {}
    keys = {mail_key(rid): rid for rid in registration_ids}
    found = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.dedupe_key.in_(keys)))
    return {keys[m.dedupe_key]: m for m in found}


def last_closed(seminar_id: int) -> AuditEntry | None:
    """The latest closing of the seminar's attendance (by a person or the daily run)."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.seminar_id == seminar_id,
            AuditEntry.action == Action.ATTENDANCE_CLOSED.value,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    ).first()
