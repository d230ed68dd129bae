"""Small builders for test data; registrations go through the booking service."""

from datetime import date, time, timedelta
from itertools import count

import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    Council,
    OutboxMail,
    Programme,
    Registration,
    Seminar,
    SeminarState,
    Vhs,
)
from app.services.registrations import Applicant, book_seat

_serial = count(1)


def programme(**overrides) -> Programme:
    today = today_berlin()
    values = {
        "title": "Testprogramm",
        "period_start": today - timedelta(days=365),
        "period_end": today + timedelta(days=365),
    }
    values.update(overrides)
    item = Programme(**values)
    db.session.add(item)
    db.session.commit()
    return item


def vhs(**overrides) -> Vhs:
    n = next(_serial)
    values = {
        "slug": f"vhs-{n}",
        "name": f"Volkshochschule Teststadt {n}",
        "town": f"Teststadt {n}",
        "street": "Hauptstraße 1",
        "postcode": "40210",
        "contact_name": "Erika Mustermann",
        "contact_email": f"kontakt{n}@vhs.example",
    }
    values.update(overrides)
    item = Vhs(**values)
    db.session.add(item)
    db.session.commit()
    return item


def council(**overrides) -> Council:
    values = {"town": f"Teststadt {next(_serial)}", "office_email": "ir@stadt.example"}
    values.update(overrides)
    item = Council(**values)
    db.session.add(item)
    db.session.commit()
    return item


def seminar(**overrides) -> Seminar:
    """A published seminar three weeks ahead, registration open for two weeks."""
    day1 = overrides.pop("day1", today_berlin() + timedelta(days=21))
    values = {
        "module": 1,
        "state": SeminarState.PUBLISHED,
        "capacity": 20,
        "venue_name": "Bildungszentrum, Raum 2",
        "venue_street": "Marktplatz 5",
        "venue_postcode": "40213",
        "venue_town": "Düsseldorf",
        "day1": day1,
        "day1_starts": time(9, 0),
        "day1_ends": time(17, 0),
        "day2": day1 + timedelta(days=1),
        "day2_starts": time(9, 0),
        "day2_ends": time(17, 0),
        "registration_deadline": day1 - timedelta(days=7),
    }
    values.update(overrides)
    if "programme" not in values and "programme_id" not in values:
        values["programme"] = Programme.current() or programme()
    if "vhs" not in values and "vhs_id" not in values:
        values["vhs"] = vhs()
    item = Seminar(**values)
    db.session.add(item)
    db.session.commit()
    return item


def applicant(n: int = 0, **overrides) -> Applicant:
    values = {
        "last_name": f"Muster{n}",
        "first_name": "Alex",
        "town": "Köln",
        "email": f"person{n}@example.org",
    }
    values.update(overrides)
    return Applicant(**values)


def fill(target: Seminar, how_many: int, start: int = 0, today: date | None = None) -> None:
    """Book ``how_many`` distinct people through the booking service."""
    for n in range(start, start + how_many):
        book_seat(target.id, applicant(n), today=today)


def form_data(n: int = 0, **overrides) -> dict:
    data = {
        "last_name": f"Muster{n}",
        "first_name": "Alex",
        "town": "Köln",
        "email": f"person{n}@example.org",
        "privacy": "y",
        "website": "",
    }
    data.update(overrides)
    return data


PASSWORD = "ein sehr langes Passwort"


def user(role: str, **overrides):
    from app.models import Role, User

    values = {"email": f"{role}{next(_serial)}@org.example", "role": Role(role)}
    values.update(overrides)
    account = User(**values)
    account.set_password(PASSWORD)
    db.session.add(account)
    db.session.commit()
    return account


def login(client, account, password: str = PASSWORD):
    return client.post("/manage/anmelden", data={"email": account.email, "password": password})


def trainer(kind: str = "adult_educator", **overrides):
    from app.models import Trainer, TrainerKind

    n = next(_serial)
    values = {
        "name": f"Trainer*in {n}",
        "email": f"trainer{n}@example.org",
        "kind": TrainerKind(kind),
    }
    values.update(overrides)
    item = Trainer(**values)
    db.session.add(item)
    db.session.commit()
    return item


def link_token(registration) -> str:
    """A personal link's secret for ``registration``, as a mail would carry it."""
    from app.database import write_transaction
    from app.services.links import issue_link

    registration_id = registration.id
    db.session.commit()
    with write_transaction() as session:
        token = issue_link(session.get(Registration, registration_id))
    return token


def interest_form(kind: str = "vhs", n: int = 0, **overrides) -> dict:
    """What a person types into the VHS or the council interest form (``vhs`` or
    ``council`` names the chosen entry's id; ``councils`` a list of ids)."""
    day1 = today_berlin() + timedelta(days=30)
    data = {
        "contact_name": f"Ansprechperson {n}",
        "contact_email": f"kontakt{n}@example.org",
        "contact_phone": "0211 123456-0",
        "note": "",
        "privacy": "y",
        "website": "",
    }
    if kind == "vhs":
        data.update(
            basic_offered="y",
            basic_day1=day1.isoformat(),
            basic_day2=(day1 + timedelta(days=1)).isoformat(),
            room="Raum 2.14",
            room_capacity="20",
        )
    else:
        data.update(wants_basic="y", estimated_participants="12")
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def interest_token(declaration) -> str:
    """A new secret for a declaration's personal link, as a mail would carry it."""
    import secrets

    from app.services.links import digest

    token = secrets.token_urlsafe(32)
    declaration.link_digest = digest(token)
    db.session.commit()
    return token


def vhs_declaration(*, offers: tuple[dict, ...] = ({"module": 1},), councils=(), **overrides):
    """A VHS's interest declaration (confirmed unless ``state`` says otherwise) with one
    offer per dict of ``offers``; an offer's days default to two days inside the period."""
    from app.models import DeclarationState, OfferState, VhsDeclaration, VhsOffer

    n = next(_serial)
    values = {
        "contact_name": f"Vera Kontakt {n}",
        "contact_email": f"vhs-kontakt{n}@example.org",
        "room": "Raum 2.14",
        "room_capacity": 18,
        "step_free": True,
        "state": DeclarationState.CONFIRMED,
    }
    values.update(overrides)
    if "programme" not in values and "programme_id" not in values:
        values["programme"] = Programme.current() or programme()
    if "vhs" not in values and "vhs_id" not in values and "new_vhs_name" not in values:
        values["vhs"] = vhs()
    values["email_normalized"] = values["contact_email"].lower()
    item = VhsDeclaration(**values)
    first_day = today_berlin() + timedelta(days=60)
    for offer in offers:
        days = {"day1": first_day, "day2": first_day + timedelta(days=1)}
        first_day += timedelta(days=14)
        item.offers.append(VhsOffer(**{"state": OfferState.OPEN, **days, **offer}))
    item.councils = list(councils)
    db.session.add(item)
    db.session.commit()
    return item


def council_declaration(**overrides):
    """A council office's interest (confirmed, for the Basismodul, 10 people)."""
    from app.models import CouncilDeclaration, DeclarationState

    n = next(_serial)
    values = {
        "contact_name": f"Rana Rat {n}",
        "contact_email": f"rat-kontakt{n}@example.org",
        "wants_basic": True,
        "estimated_participants": 10,
        "state": DeclarationState.CONFIRMED,
    }
    values.update(overrides)
    if "programme" not in values and "programme_id" not in values:
        values["programme"] = Programme.current() or programme()
    if "council" not in values and "council_id" not in values and "new_council_town" not in values:
        values["council"] = council()
    values["email_normalized"] = values["contact_email"].lower()
    item = CouncilDeclaration(**values)
    db.session.add(item)
    db.session.commit()
    return item


# -- after the seminar: attendance, the evaluation, a person across the series -------------


def held_seminar(day2: date | None = None, **overrides) -> Seminar:
    """A published seminar whose day 2 is ``day2`` (default: today), day 1 the day before."""
    day2 = day2 or today_berlin()
    return seminar(day1=day2 - timedelta(days=1), **overrides)


def book_before(target: Seminar, n: int = 0, **person) -> Registration:
    """One confirmed place booked while registration was open (an organiser vouches)."""
    return book_seat(target.id, applicant(n, **person), today=target.registration_deadline)


def attend(registration: Registration, *days: int) -> None:
    """Mark the person present on ``days`` (1, 2) and absent on the others."""
    from app.services.attendance import set_presence

    seminar_days = {1: registration.seminar.day1, 2: registration.seminar.day2}
    for day, on in seminar_days.items():
        set_presence(registration.id, day, day in days, None, today=max(on, today_berlin()))


def evaluation_answers(target: Seminar, how_many: int, **overrides) -> None:
    """``how_many`` stored answers for ``target`` (as the questionnaire stores them)."""
    import secrets

    from app.models import EvaluationAnswer

    for n in range(how_many):
        values = {
            "scores": {"useful": 4, "clear": 5, "voice": 3},
            "liked": f"Gefallen {n}",
            "improve": "",
        }
        values.update(overrides)
        db.session.add(EvaluationAnswer(id=secrets.token_hex(16), seminar_id=target.id, **values))
    db.session.commit()


def seminar_held_with(people: list[tuple[str, str]], day2_ago: int = 0, **overrides):
    """A seminar whose second day was ``day2_ago`` days ago, with ``people`` (last name,
    first name) booked through the booking service while it was still ahead.
    Returns (seminar, registrations in the order given)."""
    item = seminar(**overrides)
    booked = [
        book_seat(item.id, applicant(1000 + next(_serial), last_name=last, first_name=first))
        for last, first in people
    ]
    day2 = today_berlin() - timedelta(days=day2_ago)
    item.day1, item.day2 = day2 - timedelta(days=1), day2
    item.registration_deadline = item.day1 - timedelta(days=7)
    db.session.commit()
    return item, booked


def record_days(registration, day1: bool | None, day2: bool | None) -> None:
    """Record a person's attendance as organisers do (None: left unrecorded)."""
    from app.services.attendance import set_presence

    for day, present in ((1, day1), (2, day2)):
        if present is not None:
            set_presence(registration.id, day, present, None)


def compose_mails() -> None:
    """Write every queued mail about a registration as the sender does when it delivers
    (mail.queue_later), without sending it: its text, link and calendar file."""
    from app.services.outbox import compose_later

    waiting = db.session.scalars(
        sa.select(OutboxMail.id).where(OutboxMail.params.is_not(None)).order_by(OutboxMail.id)
    ).all()
    for mail_id in waiting:
        compose_later(mail_id)
    db.session.expire_all()
