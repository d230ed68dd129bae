"""Demo data relative to today, so that every scenario of the site can be tried.

Registrations go through the booking service like any other, so the demo
never holds a state the site itself could not produce.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.commands.demo_interest import seed_interest
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    Council,
    CouncilKind,
    OutboxMail,
    Programme,
    Registration,
    RegistrationState,
    Role,
    Seminar,
    SeminarState,
    SeminarTrainer,
    Trainer,
    TrainerKind,
    Vhs,
)
from app.services.accounts import accept_invitation, create_user
from app.services.attendance import set_presence
from app.services.registrations import Applicant, book_seat
from app.services.seminars import cancel_seminar


@dataclass(frozen=True)
class DemoVhs:
    slug: str
    name: str
    town: str
    street: str
    postcode: str
    contact: str


VHS = [
    DemoVhs(
        "aachen", "Volkshochschule Aachen", "Aachen", "Peterstraße 21–25", "52062", "Miriam Hahn"
    ),
    DemoVhs(
        "bielefeld",
        "Volkshochschule Bielefeld",
        "Bielefeld",
        "Ravensberger Park 1",
        "33607",
        "Jonas Meier",
    ),
    DemoVhs(
        "bochum",
        "Volkshochschule Bochum",
        "Bochum",
        "Gustav-Heinemann-Platz 2–6",
        "44787",
        "Aylin Demir",
    ),
    DemoVhs("bonn", "Volkshochschule Bonn", "Bonn", "Mülheimer Platz 1", "53111", "Katharina Wolf"),
    DemoVhs(
        "dortmund",
        "Volkshochschule Dortmund",
        "Dortmund",
        "Hansastraße 2–4",
        "44137",
        "Mehmet Yılmaz",
    ),
    DemoVhs(
        "duesseldorf",
        "Volkshochschule Düsseldorf",
        "Düsseldorf",
        "Bertha-von-Suttner-Platz 1",
        "40227",
        "Sabine Krüger",
    ),
    DemoVhs(
        "duisburg",
        "Volkshochschule Duisburg",
        "Duisburg",
        "Steinsche Gasse 26",
        "47051",
        "Thomas Becker",
    ),
    DemoVhs("essen", "Volkshochschule Essen", "Essen", "Burgplatz 1", "45127", "Elena Popescu"),
    DemoVhs(
        "koeln", "Volkshochschule Köln", "Köln", "Cäcilienstraße 35", "50667", "Daniel Schmitz"
    ),
    DemoVhs(
        "muenster", "Volkshochschule Münster", "Münster", "Aegidiimarkt 3", "48143", "Fatma Aksoy"
    ),
]

FIRST_NAMES = [
    "Ahmet",
    "Aleksandra",
    "Amira",
    "Ana",
    "Bilal",
    "Chiara",
    "Dimitrios",
    "Elif",
    "Emre",
    "Fatima",
    "Giorgos",
    "Hanna",
    "Ibrahim",
    "Ioana",
    "Jamal",
    "Katarzyna",
    "Leyla",
    "Luca",
    "Mariam",
    "Mehmet",
    "Nadia",
    "Nikola",
    "Olga",
    "Omar",
    "Paulina",
    "Rania",
    "Sami",
    "Selin",
    "Tamara",
    "Thi Lan",
    "Yusuf",
    "Zeynep",
]
LAST_NAMES = [
    "Abdi",
    "Al-Hassan",
    "Bajramović",
    "Çelik",
    "Dąbrowski",
    "Demir",
    "Ferreira",
    "Georgiou",
    "Haddad",
    "Ivanova",
    "Kaya",
    "Kowalczyk",
    "Lopez",
    "Mansour",
    "Marković",
    "Nguyễn",
    "Novak",
    "O'Neill",
    "Özdemir",
    "Papadopoulos",
    "Petrović",
    "Rossi",
    "Şahin",
    "Schneider",
    "Szabó",
    "Traoré",
    "Vasquez",
    "Yıldız",
    "Zhang",
]

ASCII = str.maketrans(
    {
        "ç": "c",
        "ğ": "g",
        "ı": "i",
        "ş": "s",
        "ö": "oe",
        "ü": "ue",
        "ä": "ae",
        "ß": "ss",
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "ễ": "e",
        "á": "a",
        "'": "",
        " ": "",
        "-": "",
    }
)


def _next_friday(day: date) -> date:
    """The first Friday on or after ``day``, skipping the Christmas holidays."""
    friday = day + timedelta(days=(4 - day.weekday()) % 7)
    while (friday.month == 12 and friday.day >= 20) or (friday.month == 1 and friday.day <= 6):
        friday += timedelta(days=7)
    return friday


def _friday_before(day: date) -> date:
    """The last Friday on or before ``day``."""
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _two_day_seminar(programme, vhs, module, day1, deadline, room) -> Seminar:
    """A published seminar at the VHS's own address, Friday and Saturday 9 to 17."""
    return Seminar(
        programme=programme,
        vhs=vhs,
        module=module,
        state=SeminarState.PUBLISHED,
        capacity=20,
        venue_name=f"{vhs.name}, {room}",
        venue_street=vhs.street,
        venue_postcode=vhs.postcode,
        venue_town=vhs.town,
        day1=day1,
        day1_starts=time(9, 0),
        day1_ends=time(17, 0),
        day2=day1 + timedelta(days=1),
        day2_starts=time(9, 0),
        day2_ends=time(17, 0),
        registration_deadline=deadline,
    )


def _people(rng: random.Random, town: str, count: int, tag: str) -> list[Applicant]:
    people = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().translate(ASCII)
        people.append(Applicant(last, first, town, f"{local}.{tag}{n}@example.org"))
    return people


# (vhs slug, module, weeks ahead, registrations, scenario); "finished" lies in the past
PLAN = [
    ("koeln", 1, 3, 18, "nearly full"),
    ("koeln", 2, -3, 11, "finished"),
    ("dortmund", 1, 4, 24, "full with a waiting list"),
    ("dortmund", 2, 12, 9, None),
    ("essen", 1, 5, 5, "below the minimum"),
    ("duesseldorf", 1, 0, 11, "registration closed"),
    ("duesseldorf", 2, 9, 13, None),
    ("bochum", 1, 6, 12, None),
    ("bonn", 1, 7, 8, None),
    ("bonn", 2, 14, 2, "cancelled"),
    ("muenster", 1, 8, 15, None),
    ("muenster", 2, 16, 0, None),
    ("aachen", 2, 6, 10, None),
    ("bielefeld", 1, 9, 7, None),
    ("duisburg", 1, 11, 3, None),
    ("duisburg", 2, 18, 0, "draft"),
]


def seed(today: date | None = None) -> dict[str, int]:
    today = today or today_berlin()
    rng = random.Random(2026)
    start = (today - timedelta(days=60)).replace(day=1)
    end = today + timedelta(days=200)
    programme = Programme(
        title="Chancengerechtigkeit und Integration vor Ort (Demodaten)",
        period_start=start,
        period_end=end,
    )
    db.session.add(programme)
    vhs_by_slug = {}
    for item in VHS:
        vhs = Vhs(
            slug=item.slug,
            name=item.name,
            town=item.town,
            street=item.street,
            postcode=item.postcode,
            contact_name=item.contact,
            contact_email=f"integration@vhs-{item.slug}.example",
            contact_phone="0211 000000",
        )
        council = Council(
            town=item.town,
            kind=CouncilKind.INTEGRATIONSRAT,
            office_email=f"integrationsrat@{item.slug}.example",
        )
        db.session.add_all([vhs, council])
        vhs_by_slug[item.slug] = (vhs, council)
    db.session.flush()

    bookings: list[tuple[Seminar, list[Applicant], date]] = []
    for slug, module, weeks, registrations, scenario in PLAN:
        vhs, council = vhs_by_slug[slug]
        if scenario == "registration closed":
            day1 = today + timedelta(days=3)
            deadline = today - timedelta(days=1)
        elif scenario == "finished":
            day1 = _friday_before(today + timedelta(weeks=weeks))
            deadline = day1 - timedelta(days=7)
        else:
            day1 = _next_friday(today + timedelta(weeks=weeks))
            deadline = day1 - timedelta(days=7)
        seminar = _two_day_seminar(
            programme, vhs, module, day1, deadline, f"Seminarraum {rng.randint(1, 12)}"
        )
        seminar.councils = [council]
        db.session.add(seminar)
        people = _people(rng, vhs.town, registrations, f"{slug}{module}")
        bookings.append((seminar, people, min(today, deadline)))
    db.session.commit()

    total = 0
    for (*_plan, scenario), (seminar, people, booking_day) in zip(PLAN, bookings, strict=True):
        for n, person in enumerate(people):
            # the last two of the nearly full seminar registered online and have not yet
            # opened their mail: their places are held
            held = scenario == "nearly full" and n >= len(people) - 2
            book_seat(seminar.id, person, today=booking_day, hold_hours=48 if held else None)
            total += 1
    for plan, (seminar, _, _) in zip(PLAN, bookings, strict=True):
        if plan[-1] == "cancelled":
            # as an organiser cancels: every registration ends cancelled, each person told
            cancel_seminar(seminar.id)
    for plan, (seminar, _, _) in zip(PLAN, bookings, strict=True):
        if plan[-1] == "draft":
            seminar.state = SeminarState.DRAFT
    _demo_tandems([seminar for seminar, _, _ in bookings])
    seed_interest(programme, vhs_by_slug, today)  # declarations in every state
    for plan, (seminar, _, _) in zip(PLAN, bookings, strict=True):
        if plan[-1] == "finished":
            _demo_attendance(seminar, today)
    # Demo people are made up: their confirmation mails are never sent.
    db.session.execute(sa.delete(OutboxMail))
    db.session.commit()
    return {"vhs": len(VHS), "seminars": len(PLAN), "registrations": total}


def _demo_attendance(seminar: Seminar, today: date) -> None:
    """Attendance on both days of a finished seminar, recorded through the service: most
    present, two absent on day 1, one absent and two not recorded on day 2."""
    people = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.seminar_id == seminar.id,
            Registration.state == RegistrationState.CONFIRMED,
        )
        .order_by(Registration.id)
    ).all()
    ids = [person.id for person in people]
    for n, registration_id in enumerate(ids):
        set_presence(registration_id, 1, n not in (2, 7), None, today=today)
        if n in (4, 9):
            continue  # not recorded
        set_presence(registration_id, 2, n != 2, None, today=today)


TRAINERS = [
    ("Dr. Miriam Albers", TrainerKind.ADULT_EDUCATOR),
    ("Stefan Ocak", TrainerKind.ADULT_EDUCATOR),
    ("Hülya Karaca", TrainerKind.COUNCIL_FIELD),
    ("Tobias Mensah", TrainerKind.COUNCIL_FIELD),
]


def _demo_tandems(seminars: list[Seminar]) -> None:
    """Trainers with tandems for the first seminars: one tandem incomplete, the rest
    without trainers, so that the administration's warnings can be seen."""
    trainers = [
        Trainer(name=name, email=f"{name.split()[-1].lower().translate(ASCII)}@trainer.example",
                kind=kind)
        for name, kind in TRAINERS
    ]  # fmt: skip
    db.session.add_all(trainers)
    adult = [t for t in trainers if t.kind == TrainerKind.ADULT_EDUCATOR]
    field = [t for t in trainers if t.kind == TrainerKind.COUNCIL_FIELD]
    for n, seminar in enumerate(seminars[:6]):
        seminar.trainer_assignments.append(
            SeminarTrainer(trainer=adult[n % 2], travel_cost_cents=4_000 + 1_250 * n)
        )
        if n != 5:
            seminar.trainer_assignments.append(
                SeminarTrainer(trainer=field[n % 2], travel_cost_cents=2_500 + 700 * n)
            )
    db.session.commit()


def scale(seminars: int, registrations: int, today: date | None = None) -> dict[str, int]:
    """More of the same for benchmarks: ``seminars`` published seminars at as many VHS
    as the per-location rule allows (two each), ``registrations`` booked through the
    booking service. Adds to what is there."""
    today = today or today_berlin()
    rng = random.Random(seminars * 7919 + registrations)
    programme = Programme.current()
    if programme is None:
        seed(today)
        programme = Programme.current()
    start = db.session.scalar(sa.select(sa.func.count()).select_from(Vhs))
    created = []
    for n in range(seminars):
        index = start + n // 2
        if n % 2 == 0:
            town = f"Stadt {index}"
            vhs = Vhs(
                slug=f"vhs-stadt-{index}",
                name=f"Volkshochschule Stadt {index}",
                town=town,
                street="Am Markt 1",
                postcode="40210",
            )
            db.session.add(vhs)
        day1 = _next_friday(today + timedelta(days=14 + n % 120))
        seminar = _two_day_seminar(
            programme, vhs, 1 + n % 2, day1, day1 - timedelta(days=7), "Saal"
        )
        db.session.add(seminar)
        created.append(seminar)
    db.session.commit()
    targets = [(seminar.id, seminar.venue_town) for seminar in created]
    for n in range(registrations):
        seminar_id, town = targets[rng.randrange(len(targets))]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        book_seat(seminar_id, Applicant(last, first, town, f"scale{start}-{n}@example.org"))
        # one command books them all: let go of what each booking loaded, or every
        # commit would expire all of it again (the work would grow with the count)
        db.session.expunge_all()
    db.session.execute(sa.delete(OutboxMail))
    db.session.commit()
    return {"seminars": len(created), "registrations": registrations}


# -- demo logins (debug only) ------------------------------------------------------------

# (role, e-mail, name, VHS slug or council town); Köln's VHS hosts seminars for Köln's council
DEMO_ACCOUNTS = [
    (Role.ADMIN, "landesebene@demo.example", "Demo Landesebene", None),
    (Role.VHS, "vhs-koeln@demo.example", "Demo VHS Köln", "koeln"),
    (Role.CONTACT, "integrationsrat-koeln@demo.example", "Demo Integrationsrat Köln", "Köln"),
    (Role.OBSERVER, "beobachtung@demo.example", "Demo Beobachtung", None),
]


def create_demo_logins(keep_in: Path) -> list[tuple[Role, str, str]]:
    """One account per role with a fresh random password, written to ``keep_in`` so that
    ``make run`` can show them again. Only ever called by ``seed-demo`` in debug mode."""
    logins = []
    for role, email, name, scope in DEMO_ACCOUNTS:
        vhs_id = council_id = None
        if role == Role.VHS:
            vhs_id = db.session.scalar(sa.select(Vhs.id).where(Vhs.slug == scope))
        if role == Role.CONTACT:
            council_id = db.session.scalar(sa.select(Council.id).where(Council.town == scope))
        user, _token = create_user(
            email=email, role=role, name=name, vhs_id=vhs_id, council_id=council_id
        )
        password = secrets.token_urlsafe(12)
        accept_invitation(user.id, password)
        logins.append((role, email, password))
    db.session.execute(sa.delete(OutboxMail))  # nobody to invite: the passwords are set
    db.session.commit()
    keep_in.write_text(format_logins(logins), encoding="utf-8")
    return logins


def format_logins(logins: list[tuple[Role, str, str]]) -> str:
    lines = ["Demo-Zugänge (nur Demodaten, nur im Debug-Modus), Anmeldung unter /manage/anmelden:"]
    lines += [f"  {role.label}: {email} / {password}" for role, email, password in logins]
    return "\n".join(lines) + "\n"


def saved_logins(kept_in: Path) -> str | None:
    """The demo logins written when the demo data were loaded, if any."""
    return kept_in.read_text(encoding="utf-8") if kept_in.exists() else None
