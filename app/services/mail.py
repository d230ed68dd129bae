"""Composing mails and queueing them in the outbox, inside the caller's transaction.

Each kind of mail is one template ``templates/mail/<kind>.jinja`` with the
blocks ``subject``, ``text`` and ``html``.
"""

from urllib.parse import urlsplit

from flask import current_app, g, has_request_context

from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState, User
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


def _deliver_after_response(queued) -> None:
    """Remember a queued mail (an OutboxMail, or the id of a row written at once) for
    delivery right after the response (see ``outbox.init_delivery``). Outside a request
    no response comes, the sender delivers it: a command that queues thousands of mails
    must not keep them all (each commit would expire every one of them again)."""
    if has_request_context():
        g.setdefault("queued_mails", []).append(queued)


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
    _deliver_after_response(mail)
    return mail


# Requests from the "send me a link" forms: the request stores one row whatever the
# address, and the sender looks the address up when it delivers (the composer its kind
# registered, ``outbox.register_kind``), so that the answer costs the same work for known
# and unknown addresses.


def queue_request(kind: str, address: str) -> OutboxMail:
    mail = OutboxMail(kind=kind, recipient=address, subject="", text_body="", html_body="")
    db.session.add(mail)
    _deliver_after_response(mail)
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


# Mails about a registration are composed when they are delivered (``compose``): the
# transaction that causes one (a booking, a cancellation, a move up) writes its row only,
# with the kind and what the text needs besides the registration. Its personal link, text
# and calendar file are made by the sender (``outbox.compose_later``), from the
# registration and its seminar as they are then.


INSERT_MAIL = OutboxMail.__table__.insert().returning(OutboxMail.__table__.c.id)


def queue_later(
    kind: str,
    registration: Registration,
    *,
    dedupe_key: str | None = None,
    at_once: bool = False,
    **params,
) -> None:
    """Queue a mail about ``registration`` (or its row just written: its id, email and
    state are read), to be composed at delivery; ``params`` are plain values (JSON).
    ``at_once``: written now by a plain INSERT instead of at the session's next flush (a
    booking's hot path, which writes no ORM objects)."""
    values = {
        "kind": kind,
        "recipient": registration.email,
        "subject": "",
        "text_body": "",
        "html_body": "",
        "registration_id": registration.id,
        "dedupe_key": dedupe_key,
        "params": params,
    }
    if at_once:
        queued = db.session.execute(INSERT_MAIL, values).scalar_one()
    else:
        queued = OutboxMail(**values)
        db.session.add(queued)
    _deliver_after_response(queued)


def compose(mail: OutboxMail, registration: Registration) -> None:
    """Fill in a mail queued with ``queue_later``: a new personal link, the text and the
    calendar file. The mail tells of the moment it was queued (the state then, kept in
    its params), with the seminar's data as they are now. Inside the caller's
    transaction."""
    params = {"state": _state(registration), "position": None, **(mail.params or {})}
    state = params["state"]
    ics = None
    if mail.kind in ("confirmation", "moved_up", "seminar_changed"):
        # a calendar entry only for a confirmed place, not for a held or waiting one
        if state == "confirmed":
            ics = _calendar_entry(registration)
    elif mail.kind in ("cancelled", "seminar_cancelled") and params.get("in_calendar"):
        ics = _calendar_cancellation(registration)
    subject, text, html = _render(
        mail.kind, registration=registration, **params, **_registration_context(registration)
    )
    mail.subject, mail.text_body, mail.html_body, mail.ics = subject, text, html, ics
    mail.params = None


def _state(registration: Registration) -> str:
    return RegistrationState(registration.state).value


def queue_confirmation(
    registration: Registration,
    position: int | None = None,
    *,
    at_once: bool = False,
    holds_full: bool = False,
) -> None:
    """``position``: the place on the waiting list when waitlisted; ``holds_full``:
    waitlisted because the seminar's held places are at their cap, not because it is
    full (the mail says so)."""
    extra = {"holds_full": True} if holds_full else {}
    queue_later(
        "confirmation",
        registration,
        at_once=at_once,
        state=_state(registration),
        position=position,
        **extra,
    )


def queue_moved_up(registration: Registration) -> None:
    """A place from the waiting list: confirmed (with the calendar file) or held until
    the person confirms it through the link."""
    queue_later("moved_up", registration, state=_state(registration))


def queue_hold_released(registration: Registration) -> None:
    queue_later("hold_released", registration)


def queue_cancelled(
    registration: Registration, by_organiser: bool, in_calendar: bool = False
) -> None:
    """``in_calendar``: the person held a confirmed place, so their calendar has the
    seminar's days (sent with the confirmation): a calendar cancellation removes them."""
    queue_later("cancelled", registration, by_organiser=by_organiser, in_calendar=in_calendar)


def queue_seminar_cancelled(registration: Registration, in_calendar: bool = False) -> None:
    queue_later(
        "seminar_cancelled",
        registration,
        in_calendar=in_calendar,
        dedupe_key=f"seminar-cancelled:{registration.id}",
    )


def queue_seminar_changed(registration: Registration, changes: list[list[str]]) -> None:
    """Dates, times or place of the seminar changed: the person is told what changed;
    a confirmed person gets the updated calendar entry (same UIDs, the seminar's raised
    SEQUENCE), a waiting one none (they never had one)."""
    queue_later(
        "seminar_changed",
        registration,
        changes=changes,
        state=_state(registration),
        in_calendar=registration.state == RegistrationState.CONFIRMED,
        dedupe_key=f"seminar-changed:{registration.id}:{registration.seminar.calendar_sequence}",
    )


def reminder_key(registration: Registration) -> str:
    """One reminder per registration and first day (a moved seminar is reminded anew)."""
    return f"reminder:{registration.id}:{registration.seminar.day1.isoformat()}"


def queue_reminder(registration: Registration) -> None:
    queue_later("reminder", registration, dedupe_key=reminder_key(registration))


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
