"""The mail after the seminar: one per confirmed person who attended at least one day,
queued once.

Day 2 counts as marked when an organiser closes the attendance ("Anwesenheit abschließen
und Bescheinigungen versenden", from day 2 on), or, for seminars nobody closed, when
``flask send-certificates`` runs a few days after day 2. Either way each confirmed person
present on at least one day, with both days recorded (``rules.gets_after_seminar_mail``),
who has not had this mail gets it (the outbox's ``dedupe_key``), so a person whose day is
recorded later still gets theirs on the next run. People absent on both days get no mail
from here; erased people never get one.

The mail carries the certificate as a PDF made when it goes out (``attachments_for``,
registered with the outbox) when the person earned it (both days), else a sentence why not; so
the transaction that queues it only writes rows. It carries the evaluation link, when
there is one, and after a completed Basismodul open Aufbaumodul seminars nearby.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app import rules
from app.core.enums import Module
from app.core.timeutil import today_berlin
from app.database import locked, write_transaction
from app.extensions import db
from app.models import (
    AuditEntry,
    OutboxMail,
    Registration,
    RegistrationState,
    Seminar,
    SeminarState,
)
from app.services import audit, mail, messages, outbox
from app.services.audit import Action, Subject
from app.services.availability import availability_for
from app.services.certificates import (
    Standing,
    certificate_pdf,
    earns_certificate,
    filename,
    standing_of,
    standings,
)
from app.services.errors import ServiceError
from app.services.evaluation import evaluation_url
from app.services.links import issue_link
from app.services.series import next_module_suggestions

KIND = "after_seminar"
# Mails are sent at most this many days after day 2, while the questionnaire is open;
# their rows (with the dedupe keys that keep anyone from getting a second mail) stay in
# the outbox longer than that (``retention.kept_days``).
LOOKBACK_DAYS = rules.AFTER_SEMINAR_MAIL_DAYS
# ``flask send-certificates`` takes a seminar nobody closed this many days after day 2
DEFAULT_DAYS_AFTER = 3


class CloseRefused(ServiceError):
    """The attendance cannot be closed (yet, or any more)."""


@dataclass(frozen=True)
class Closed:
    """What closing did: mails queued now (``certified`` of them with the certificate),
    people who had theirs, confirmed people without a certificate."""

    queued: int
    earlier: int
    without: int
    certified: int = 0


def mail_key(registration_id: int) -> str:
    return f"after-seminar:{registration_id}"


def close_attendance(seminar_id: int, actor_id: int | None, today: date) -> Closed:
    """An organiser closes the attendance: every person who attended (at least one day)
    and has not had the mail gets it. One transaction, with its audit entry."""
    with write_transaction():
        seminar = locked(Seminar, seminar_id)
        if seminar is None:
            raise CloseRefused(messages.SEMINAR_NOT_FOUND)
        if seminar.state == SeminarState.CANCELLED:
            raise CloseRefused(messages.SEMINAR_CANCELLED)
        if today < seminar.day2:
            raise CloseRefused(messages.attendance_close_not_yet(seminar.day2))
        if not rules.after_seminar_mail_open(seminar.day2, today):
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
    recipients = [s for s in everyone if gets_mail(s)]
    keys = [mail_key(s.registration.id) for s in recipients]
    had = set()
    if keys:
        had = set(
            db.session.scalars(
                sa.select(OutboxMail.dedupe_key).where(OutboxMail.dedupe_key.in_(keys))
            )
        )
    fresh = [s for s in recipients if mail_key(s.registration.id) not in had]
    for standing in fresh:
        queue_after_seminar(standing.registration, standing)
    return Closed(
        queued=len(fresh),
        earlier=len(had),
        without=sum(1 for s in everyone if not s.earns),
        certified=sum(1 for s in fresh if s.earns),
    )


def gets_mail(standing: Standing) -> bool:
    """Whether the person gets the mail after the seminar (with or without certificate)."""
    return (
        not standing.erased
        and standing.registration.state == RegistrationState.CONFIRMED
        and rules.gets_after_seminar_mail(standing.day1, standing.day2)
    )


def _log(seminar: Seminar, closed: Closed, actor_id: int | None) -> None:
    audit.record(
        Action.ATTENDANCE_CLOSED,
        seminar_id=seminar.id,
        subject=Subject.SEMINAR,
        subject_id=seminar.id,
        actor_id=actor_id,
        detail=messages.attendance_closed(
            closed.queued, closed.earlier, closed.without, closed.certified
        ),
    )


def queue_after_seminar(registration: Registration, standing: Standing | None = None) -> OutboxMail:
    """The mail to one person who attended (the caller's transaction): the certificate
    when earned, else why not; the evaluation link; after a completed Basismodul the
    Aufbaumodul seminars nearby."""
    seminar = registration.seminar
    standing = standing or standing_of(registration)
    token = issue_link(registration)
    with_places, waitlist_only = [], []
    if standing.earns and seminar.module == Module.BASIC:
        with_places, waitlist_only = next_seminars(registration)
    return mail.queue(
        KIND,
        registration.email,
        registration=registration,
        dedupe_key=mail_key(registration.id),
        seminar=seminar,
        certificate=standing.earns,
        # the day the person attended, when only one (the kind sentence why no certificate)
        attended_day=None if standing.earns else (1 if standing.day1 else 2),
        certificate_link=mail.absolute_url("public.certificate", token=token),
        link=mail.absolute_url("public.registration", token=token),
        evaluation=evaluation_url(registration, token),
        next_module=Module.ADVANCED,
        suggestions=with_places,
        waitlist_only=waitlist_only,
    )


SUGGESTED = 3  # Aufbaumodul seminars with free places the mail names at most


def next_seminars(registration: Registration) -> tuple[list, list]:
    """The Aufbaumodul seminars the mail suggests, each with its page's address: those
    with free places (the nearest ``SUGGESTED``), and apart those of the nearest that
    take people on their waiting list only (all places taken or held)."""
    ranked = next_module_suggestions(registration, limit=None)
    free = availability_for(ranked, today_berlin())

    def listed(seminars):
        return [(s, mail.absolute_url("public.seminar_page", seminar_id=s.id)) for s in seminars]

    with_places = [s for s in ranked if not free[s.id].full][:SUGGESTED]
    waitlist_only = [s for s in ranked[:SUGGESTED] if free[s.id].full]
    return listed(with_places), listed(waitlist_only)


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


outbox.register_kind(KIND, attachments=attachments_for)


# -- what the organisers' certificate page shows ---------------------------------------------


def close_open(seminar: Seminar, today: date) -> bool:
    """Whether the organisers may close the attendance today (and mails go out)."""
    return seminar.state != SeminarState.CANCELLED and rules.after_seminar_mail_open(
        seminar.day2, today
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
