"""Messages from a seminar's organisers to its people.

An organiser (VHS staff, a host council's contact person, the state organisers) writes
to the seminar's people with a place (confirmed, or held until the person confirms it:
they are the seminar's people too), its waiting list, or both. Each person gets a mail
of their own through the outbox (nobody sees another address), with their personal
link and the organiser's address as Reply-To. Cancelled registrations get nothing.
Sending is one transaction: lock the seminar, check the hourly limit
(``rules.next_message_at``, counted from the audit log), queue one mail per person, log
the message with the count.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import rules
from app.core.enums import LabelledStrEnum
from app.core.formatting import moment
from app.core.text import has_control_characters
from app.core.timeutil import utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import (
    ACTIVE_STATES,
    AuditEntry,
    Registration,
    RegistrationState,
    Role,
    Seminar,
    User,
)
from app.services import audit, mail, messages
from app.services.audit import Action
from app.services.errors import ServiceError
from app.services.links import issue_link
from app.services.registrations import lock_seminar

KIND = "broadcast"  # the outbox's kind and the mail template's name
SUBJECT_MAX = 150
BODY_MAX = 5000
PLACES = (RegistrationState.CONFIRMED, RegistrationState.HELD)


class Audience(LabelledStrEnum):
    """Who receives a message."""

    # "confirmed" (the form's value) reaches every place: confirmed and held ones
    CONFIRMED = "confirmed", "Teilnehmende mit bestätigtem oder vorgemerktem Platz"
    WAITLISTED = "waitlisted", "Warteliste"
    BOTH = "both", "Teilnehmende und Warteliste"

    @property
    def states(self) -> tuple[RegistrationState, ...]:
        if self == Audience.CONFIRMED:
            return PLACES
        if self == Audience.WAITLISTED:
            return (RegistrationState.WAITLISTED,)
        return ACTIVE_STATES


@dataclass(frozen=True)
class Message:
    audience: Audience
    subject: str
    body: str


@dataclass(frozen=True)
class Preview:
    """The mail the first recipient would get, and how many get one."""

    count: int
    recipient: Registration
    subject: str
    text: str


class MessageRefused(ServiceError):
    """The subject or the text cannot go out as written (``field`` says which)."""


class NoRecipients(ServiceError):
    field = "audience"
    message = messages.MESSAGE_NO_RECIPIENTS


class TooManyMessages(ServiceError):
    """The seminar's hourly limit is reached; ``possible_at`` (UTC) says when it is not."""

    def __init__(self, possible_at: datetime):
        super().__init__(
            messages.too_many_messages(rules.MESSAGES_PER_SEMINAR, moment(possible_at))
        )
        self.possible_at = possible_at


# -- the text ------------------------------------------------------------------------


def cleaned(message: Message) -> Message:
    """Subject on one line; the text with plain line breaks, trimmed."""
    body = message.body.replace("\r\n", "\n").replace("\r", "\n").strip()
    return Message(message.audience, " ".join(message.subject.split()), body)


def text_errors(message: Message) -> dict[str, str]:
    """What keeps the subject or the text from going out: field -> message. The text is
    plain: angle brackets are fine (escaped in the mail's HTML part), control
    characters are not (line breaks and tabs are)."""
    found = {}
    subject, body = message.subject, message.body
    if not subject.strip():
        found["subject"] = messages.MESSAGE_SUBJECT_MISSING
    elif len(subject) > SUBJECT_MAX:
        found["subject"] = messages.message_too_long(SUBJECT_MAX)
    elif has_control_characters(subject):
        found["subject"] = messages.NO_CONTROL_CHARACTERS
    if not body.strip():
        found["body"] = messages.MESSAGE_BODY_MISSING
    elif len(body) > BODY_MAX:
        found["body"] = messages.message_too_long(BODY_MAX)
    elif has_control_characters(body.replace("\r", "").replace("\n", "").replace("\t", "")):
        found["body"] = messages.NO_CONTROL_CHARACTERS
    elif messages.MESSAGE_PLACEHOLDER in body:
        found["body"] = messages.MESSAGE_PLACEHOLDER_LEFT
    return found


def sender_label(user: User) -> str:
    """For whom an organiser writes: their VHS, their council, or the state level."""
    if user.role == Role.VHS and user.vhs is not None:
        return user.vhs.name
    if user.role == Role.CONTACT and user.council is not None:
        return f"{user.council.kind.label} {user.council.town}"
    return messages.STATE_ORGANISERS


def draft(seminar: Seminar, user: User) -> str:
    """The German text a new message starts from, signed by the organiser."""
    signature = "\n".join(part for part in (user.name, sender_label(user)) if part)
    return messages.message_draft(seminar, signature)


# -- who receives it ---------------------------------------------------------------------


def audience_counts(seminar: Seminar) -> dict[Audience, int]:
    """How many people each choice reaches (the seminar's kept counts)."""
    places = sum(seminar.count_of(state) for state in PLACES)
    waitlisted = seminar.count_of(RegistrationState.WAITLISTED)
    return {
        Audience.CONFIRMED: places,
        Audience.WAITLISTED: waitlisted,
        Audience.BOTH: places + waitlisted,
    }


def recipients(seminar_id: int, audience: Audience) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id, Registration.state.in_(audience.states))
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def next_possible(seminar_id: int, now: datetime | None = None) -> datetime | None:
    """None while the seminar's organisers may send a message; else when they may (UTC)."""
    now = now or utcnow()
    sent = db.session.scalars(
        sa.select(AuditEntry.at).where(
            AuditEntry.seminar_id == seminar_id,
            AuditEntry.action == Action.MESSAGE_SENT,
            AuditEntry.at > now - rules.MESSAGE_WINDOW,
        )
    ).all()
    return rules.next_message_at(sent, now)


# -- preview and sending -----------------------------------------------------------------


def _context(message: Message, seminar: Seminar, sender: User, link: str | None) -> dict:
    return {
        "seminar": seminar,
        "message_subject": message.subject,
        "message_body": message.body,
        "sender_name": sender.name or sender.email,
        "sender_label": sender_label(sender),
        "sender_email": sender.email,
        "link": link,
    }


def _checked(message: Message) -> Message:
    message = cleaned(message)
    errors = text_errors(message)
    if errors:
        field, text = next(iter(errors.items()))
        raise MessageRefused(text, field)
    return message


def preview(seminar: Seminar, message: Message, sender: User) -> Preview:
    """The mail as the first recipient would get it (with a stand-in for the personal
    link, which is issued only when the mail goes out), and the number of recipients.
    Writes nothing."""
    message = _checked(message)
    people = recipients(seminar.id, message.audience)
    if not people:
        raise NoRecipients()
    # the very renderer the outbox's mails go through, so the preview is the mail
    subject, text, _html = mail._render(
        KIND, registration=people[0], **_context(message, seminar, sender, None)
    )
    return Preview(count=len(people), recipient=people[0], subject=subject, text=text)


def send_message(
    seminar_id: int, message: Message, *, actor_id: int, now: datetime | None = None
) -> int:
    """Queue one mail per recipient, Reply-To the organiser, and log the message with
    the count; returns the count. Refused (nothing written) when the text is not fit
    (``MessageRefused``), nobody would receive it (``NoRecipients``) or the seminar's
    hourly limit is reached (``TooManyMessages``)."""
    message = _checked(message)
    with write_transaction():
        seminar = lock_seminar(seminar_id)
        possible_at = next_possible(seminar.id, now)
        if possible_at is not None:
            raise TooManyMessages(possible_at)
        people = recipients(seminar.id, message.audience)
        if not people:
            raise NoRecipients()
        sender = db.session.get(User, actor_id)
        for registration in people:
            link = mail.absolute_url("public.registration", token=issue_link(registration))
            mail.queue(
                KIND,
                registration.email,
                registration=registration,
                reply_to=sender.email,
                **_context(message, seminar, sender, link),
            )
        audit.record(
            Action.MESSAGE_SENT,
            seminar_id=seminar.id,
            actor_id=actor_id,
            detail=messages.message_logged(len(people), message.audience.label, message.subject),
        )
    return len(people)
