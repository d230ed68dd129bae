"""Helpers shared by the admin tests: an admin login, seminar form data, visible text."""

import html
import re
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail, Registration
from tests import factories


def login_admin(client):
    account = factories.user("admin")
    assert factories.login(client, account).status_code == 303
    return account


def text(page: str) -> str:
    """Visible text: tags dropped, entities decoded, spaces collapsed."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")
    return " ".join(plain.split())


def seminar_form(programme, vhs, first_day: date | None = None, **overrides) -> dict:
    """A valid seminar form for ``vhs`` in ``programme`` (days inside its period);
    ``overrides`` replace single fields, as typed."""
    day1 = first_day or programme.period_start + timedelta(days=30)
    data = {
        "programme_id": str(programme.id),
        "vhs_id": str(vhs.id),
        "module": "1",
        "capacity": "20",
        "venue_name": "Bildungszentrum, Raum 2",
        "venue_street": "Marktplatz 5",
        "venue_postcode": "40213",
        "venue_town": "Düsseldorf",
        "day1": day1.isoformat(),
        "day1_starts": "09:00",
        "day1_ends": "17:00",
        "day2": (day1 + timedelta(days=1)).isoformat(),
        "day2_starts": "09:00",
        "day2_ends": "17:00",
        "registration_deadline": (day1 - timedelta(days=7)).isoformat(),
        "note": "",
    }
    data.update(overrides)
    return data


def registrations(seminar_id: int) -> list[Registration]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def mails(kind: str) -> list[OutboxMail]:
    """The queued mails of ``kind``, written as they will be sent."""
    factories.compose_mails()
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
        )
    )


def field_error(page: str, field: str) -> str:
    """The error text shown under one form field."""
    match = re.search(rf'<p class="field-error" id="{field}-error"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no error element for {field}"
    return text(match.group(1))


def field_value(page: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', page)
    assert match, f"no input {field}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None
