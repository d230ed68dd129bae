"""Composing mails and queueing them in the outbox, inside the caller's transaction.

Each kind of mail is one template ``templates/mail/<kind>.jinja`` with the
blocks ``subject``, ``text`` and ``html``.
"""

from urllib.parse import urlsplit

from flask import current_app, g

from app.extensions import db
from app.models import OutboxMail, Registration, User
from app.services.calendar import cancellation_ics, seminar_ics
from app.services.links import issue_link


def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail: BASE_URL plus the route's path (works outside requests too)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _render(kind: str, **context) -> tuple[str, str, str]:
    template = current_app.jinja_env.get_template(f"mail/{kind}.jinja")
    parts = []
    for block in ("subject", "text", "html"):
        block_context = template.new_context(context)
        parts.append("".join(template.blocks[block](block_context)).strip())
    subject, text, html = parts
    return " ".join(subject.split()), text + "\n", html


def queue(
    kind: str,
    recipient: str,
    *,
    registration: Registration | None = None,
    ics: str | None = None,
    dedupe_key: str | None = None,
    reply_to: str | None = None,
    **context,
) -> OutboxMail:
    subject, text, html = _render(kind, registration=registration, **context)
    mail = OutboxMail(
        kind=kind,
        recipient=recipient,
        subject=subject,
        text_body=text,
        html_body=html,
        ics=ics,
        registration_id=registration.id if registration else None,
        dedupe_key=dedupe_key,
        reply_to=reply_to,
    )
    db.session.add(mail)
    # delivered right after the response (see outbox.init_delivery)
    g.setdefault("queued_mails", []).append(mail)
    return mail


# Requests from the "send me a link" forms: the request stores one row whatever the
# address, and the sender looks the address up when it delivers (``compose_requests``),
# so that the answer costs the same work for known and unknown addresses.
REQUESTS = ("links_request", "password_reset_request")


def queue_request(kind: str, address: str) -> OutboxMail:
    mail = OutboxMail(kind=kind, recipient=address, subject="", text_body="", html_body="")
    db.session.add(mail)
    g.setdefault("queued_mails", []).append(mail)
    return mail


def _registration_context(registration: Registration) -> dict:
    return {
        "seminar": registration.seminar,
        "link": absolute_url("public.registration", token=issue_link(registration)),
    }


def _host() -> str:
    """The host part of the calendar events' UIDs."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _organizer() -> str | None:
    """The sender, the ORGANIZER of the calendar events."""
    return current_app.config["MAIL_SENDER"] or None


def _calendar_entry(registration: Registration) -> str:
    return seminar_ics(registration, _host(), _organizer())


def _calendar_cancellation(registration: Registration) -> str:
    return cancellation_ics(registration, _host(), _organizer())


def queue_confirmation(registration: Registration, position: int | None) -> None:
    queue(
        "confirmation",
        registration.email,
        registration=registration,
        position=position,
        # a calendar entry only for a confirmed place, not for the waiting list
        ics=_calendar_entry(registration) if registration.state == "confirmed" else None,
        **_registration_context(registration),
    )


def queue_moved_up(registration: Registration) -> None:
    """A place from the waiting list: confirmed (with the calendar file) or held until
    the person confirms it through the link."""
    queue(
        "moved_up",
        registration.email,
        registration=registration,
        ics=_calendar_entry(registration) if registration.state == "confirmed" else None,
        **_registration_context(registration),
    )


def queue_hold_released(registration: Registration) -> None:
    queue(
        "hold_released",
        registration.email,
        registration=registration,
        **_registration_context(registration),
    )


def queue_cancelled(
    registration: Registration, by_organiser: bool, in_calendar: bool = False
) -> None:
    """``in_calendar``: the person held a confirmed place, so their calendar has the
    seminar's days (sent with the confirmation): a calendar cancellation removes them."""
    queue(
        "cancelled",
        registration.email,
        registration=registration,
        by_organiser=by_organiser,
        in_calendar=in_calendar,
        ics=_calendar_cancellation(registration) if in_calendar else None,
        **_registration_context(registration),
    )


def queue_seminar_cancelled(registration: Registration, in_calendar: bool = False) -> None:
    queue(
        "seminar_cancelled",
        registration.email,
        registration=registration,
        in_calendar=in_calendar,
        ics=_calendar_cancellation(registration) if in_calendar else None,
        dedupe_key=f"seminar-cancelled:{registration.id}",
        **_registration_context(registration),
    )


def queue_seminar_changed(registration: Registration, changes: list[list[str]]) -> None:
    """Dates, times or place of the seminar changed: the person is told what changed;
    a confirmed person gets the updated calendar entry (same UIDs, the seminar's raised
    SEQUENCE), a waiting one none (they never had one)."""
    confirmed = registration.state == "confirmed"
    queue(
        "seminar_changed",
        registration.email,
        registration=registration,
        changes=changes,
        in_calendar=confirmed,
        ics=_calendar_entry(registration) if confirmed else None,
        dedupe_key=f"seminar-changed:{registration.id}:{registration.seminar.calendar_sequence}",
        **_registration_context(registration),
    )


def reminder_key(registration: Registration) -> str:
    """One reminder per registration and first day (a moved seminar is reminded anew)."""
    return f"reminder:{registration.id}:{registration.seminar.day1.isoformat()}"


def queue_reminder(registration: Registration) -> None:
    queue(
        "reminder",
        registration.email,
        registration=registration,
        dedupe_key=reminder_key(registration),
        **_registration_context(registration),
    )


def queue_links(email: str, registrations: list[Registration]) -> OutboxMail:
    return queue(
        "links",
        email,
        items=[
            (r, absolute_url("public.registration", token=issue_link(r))) for r in registrations
        ],
    )


def queue_invitation(user: User, token: str) -> None:
    queue(
        "invitation",
        user.email,
        user=user,
        link=absolute_url("auth.accept_invitation", token=token),
    )
