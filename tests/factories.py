"""Small builders for test data; registrations go through the booking service."""

from datetime import date, time, timedelta
from itertools import count

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Council, Programme, Registration, Seminar, SeminarState, Vhs
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
