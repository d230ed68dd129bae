"""Two admins selecting at the same moment, against a real gunicorn server with several
workers on the active database: the per-location rule (one seminar per module and VHS)
holds at selection, the winner gets the draft, the other a clear message and nothing
half-written."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import DeclarationState, OfferState, Seminar, User, Vhs, VhsOffer
from tests import factories
from tests.server import LiveServer

pytestmark = pytest.mark.server

CSRF_INPUT = re.compile(r'<input\b[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')
TIMEOUT = 30  # seconds, for any one request
LOCATION_RULE = "Je Standort wird nur ein Seminar pro Modul gefördert"
SAME_VHS = "Diese VHS steht vermutlich schon im Verzeichnis"
DECIDED = "schon entschieden"


@pytest.fixture(scope="module")
def live_server(migrated_database):
    with LiveServer(migrated_database, workers=4, threads=2) as server:
        yield server


def _token(html: str) -> str:
    return VALUE.search(CSRF_INPUT.search(html).group(0)).group(1)


class Admin:
    """One admin's browser: logged in, with the confirm page of an offer open."""

    def __init__(self, server: LiveServer, account):
        self.server = server
        self.email = account.email
        self.http = requests.Session()
        self.http.headers["Connection"] = "close"
        self.token: str | None = None

    def log_in(self) -> "Admin":
        page = self.http.get(f"{self.server.url}/manage/anmelden", timeout=TIMEOUT)
        response = self.http.post(
            f"{self.server.url}/manage/anmelden",
            data={
                "email": self.email,
                "password": factories.PASSWORD,
                "csrf_token": _token(page.text),
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code == 303, response.status_code
        return self

    def open_confirm_page(self, offer_id: int) -> "Admin":
        url = f"{self.server.url}/manage/admin/interesse/angebot/{offer_id}/auswaehlen"
        page = self.http.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.token = _token(page.text)
        self.url = url
        return self

    def select(self, day1, day2, **more) -> requests.Response:
        return self.http.post(
            self.url,
            data={
                "day1": day1.isoformat(),
                "day2": day2.isoformat(),
                "capacity": "16",
                "csrf_token": self.token,
                **more,
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def admins(app, live_server):
    made: list[Admin] = []

    def make(how_many: int) -> list[Admin]:
        accounts = [factories.user("admin") for _ in range(how_many)]
        db.session.commit()
        people = [Admin(live_server, account).log_in() for account in accounts]
        made.extend(people)
        return people

    yield make
    for admin in made:
        admin.close()


def _at_once(calls) -> list[requests.Response]:
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _seminars(vhs_id: int | None = None) -> list[Seminar]:
    db.session.remove()
    query = sa.select(Seminar)
    if vhs_id is not None:
        query = query.where(Seminar.vhs_id == vhs_id)
    return list(db.session.scalars(query))


def _offer(offer_id: int) -> VhsOffer:
    db.session.remove()
    return db.session.get(VhsOffer, offer_id)


def test_two_admins_selecting_the_basismodul_at_one_vhs_at_once(app, live_server, admins):
    vhs = factories.vhs(name="Volkshochschule Zweifach")
    council = factories.council(town="Zweifach")
    first = factories.vhs_declaration(vhs=vhs, councils=[council], offers=({"module": 1},))
    second = factories.vhs_declaration(vhs=vhs, councils=[council], offers=({"module": 1},))
    offers = [first.offers[0], second.offers[0]]
    ids = [o.id for o in offers]
    days = [(o.day1, o.day2) for o in offers]
    vhs_id = vhs.id
    account = {"invite_account": "y", "account_email": vhs.contact_email}
    db.session.remove()

    with live_server.log_shown_on_failure() as log_start:
        people = admins(2)
        for person, offer_id in zip(people, ids, strict=True):
            person.open_confirm_page(offer_id)
        responses = _at_once(
            [
                lambda p=person, d=day: p.select(*d, **account)
                for person, day in zip(people, days, strict=True)
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [303, 422], statuses
        loser = next(r for r in responses if r.status_code == 422)
        assert LOCATION_RULE in loser.text
        assert live_server.unhandled_errors_since(log_start) == []

    (seminar,) = _seminars(vhs_id)
    states = sorted(_offer(offer_id).state for offer_id in ids)
    assert states == sorted([OfferState.SELECTED, OfferState.OPEN])
    winner = next(offer_id for offer_id in ids if _offer(offer_id).state == OfferState.SELECTED)
    assert _offer(winner).seminar_id == seminar.id
    # both asked for the VHS account: it was invited once, by the winner
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.vhs_id == vhs_id))
        == 1
    )


def test_two_admins_selecting_the_same_offer_at_once(app, live_server, admins):
    declaration = factories.vhs_declaration(offers=({"module": 2},))
    offer = declaration.offers[0]
    offer_id, day1, day2 = offer.id, offer.day1, offer.day2
    vhs_id = declaration.vhs_id
    db.session.remove()

    with live_server.log_shown_on_failure() as log_start:
        people = admins(2)
        for person in people:
            person.open_confirm_page(offer_id)
        responses = _at_once([lambda p=person: p.select(day1, day2) for person in people])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [303, 422], statuses
        loser = next(r for r in responses if r.status_code == 422)
        assert DECIDED in loser.text
        assert live_server.unhandled_errors_since(log_start) == []

    assert len(_seminars(vhs_id)) == 1
    assert _offer(offer_id).state == OfferState.SELECTED


def test_two_declarations_of_one_new_vhs_selected_at_once_make_one_vhs(app, live_server, admins):
    made = [
        factories.vhs_declaration(
            new_vhs_name="Volkshochschule Neugründung",
            new_vhs_town="Neuort",
            offers=({"module": 1},),
            state=DeclarationState.CONFIRMED,
        )
        for _ in range(2)
    ]
    ids = [d.offers[0].id for d in made]
    days = [(d.offers[0].day1, d.offers[0].day2) for d in made]
    db.session.remove()

    with live_server.log_shown_on_failure() as log_start:
        people = admins(2)
        for person, offer_id in zip(people, ids, strict=True):
            person.open_confirm_page(offer_id)
        responses = _at_once(
            [lambda p=person, d=day: p.select(*d) for person, day in zip(people, days, strict=True)]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [303, 422], statuses
        assert LOCATION_RULE in next(r for r in responses if r.status_code == 422).text
        assert live_server.unhandled_errors_since(log_start) == []

    db.session.remove()
    (vhs,) = db.session.scalars(sa.select(Vhs).where(Vhs.town == "Neuort"))
    assert len(_seminars(vhs.id)) == 1


def test_one_new_vhs_spelled_two_ways_and_selected_at_once_makes_one_vhs(app, live_server, admins):
    made = [
        factories.vhs_declaration(
            new_vhs_name=name,
            new_vhs_town="Zweiort",
            offers=({"module": 1},),
            state=DeclarationState.CONFIRMED,
        )
        for name in ("Volkshochschule Zweiort", "VHS Zweiort")
    ]
    ids = [d.offers[0].id for d in made]
    days = [(d.offers[0].day1, d.offers[0].day2) for d in made]
    db.session.remove()

    with live_server.log_shown_on_failure() as log_start:
        people = admins(2)
        for person, offer_id in zip(people, ids, strict=True):
            person.open_confirm_page(offer_id)  # neither knows of the other yet
        responses = _at_once(
            [lambda p=person, d=day: p.select(*d) for person, day in zip(people, days, strict=True)]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [303, 422], statuses
        assert SAME_VHS in next(r for r in responses if r.status_code == 422).text
        assert live_server.unhandled_errors_since(log_start) == []

    db.session.remove()
    (vhs,) = db.session.scalars(sa.select(Vhs).where(Vhs.town == "Zweiort"))
    assert len(_seminars(vhs.id)) == 1
