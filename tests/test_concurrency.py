"""Simultaneous registrations against a real gunicorn server with several workers.

The server runs in its own processes on the test database; the test data is
written here, committed, and the outcome is read back from the database.
CSRF protection is on in the server, so every simulated person first loads the
seminar page in their own session and sends its token back.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import Registration, RegistrationState, Seminar
from app.services.registrations import cancel_registration, check_counts, waitlist_position
from tests import factories
from tests.server import LiveServer

pytestmark = pytest.mark.server

CSRF_INPUT = re.compile(r'<input\b[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')
TIMEOUT = 30  # seconds, for any one request
DUPLICATE_MESSAGE = "bereits für dieses Seminar angemeldet"


@pytest.fixture(scope="module")
def live_server(migrated_database):
    with LiveServer(migrated_database, workers=4, threads=4) as server:
        yield server


class Person:
    """One browser: its own cookies (session, CSRF) and the token from the page."""

    def __init__(self, server: LiveServer, seminar_id: int):
        self.server = server
        self.seminar_id = seminar_id
        self.http = requests.Session()
        # A fresh connection per request: no stale keep-alive connection at release time.
        self.http.headers["Connection"] = "close"
        self.csrf_token: str | None = None

    def open_seminar_page(self) -> "Person":
        response = self.http.get(f"{self.server.url}/seminare/{self.seminar_id}", timeout=TIMEOUT)
        assert response.status_code == 200, response.status_code
        field = CSRF_INPUT.search(response.text)
        assert field is not None, "no csrf_token input on the seminar page"
        self.csrf_token = VALUE.search(field.group(0)).group(1)
        return self

    def register(self, **form) -> requests.Response:
        data = {**form, "csrf_token": self.csrf_token}
        return self.http.post(
            f"{self.server.url}/seminare/{self.seminar_id}/anmelden",
            data=data,
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def close(self) -> None:
        self.http.close()


def _register_all_at_once(people: list[Person], forms: list[dict]) -> list[requests.Response]:
    """Send every person's form at the same moment; the responses in the same order."""
    barrier = threading.Barrier(len(people))

    def send(person: Person, form: dict) -> requests.Response:
        barrier.wait(timeout=TIMEOUT)
        return person.register(**form)

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(send, people, forms))


@pytest.fixture
def visitors(live_server):
    """Make people who have opened a seminar's page; their sessions are closed afterwards."""
    made: list[Person] = []

    def make(seminar_id: int, how_many: int) -> list[Person]:
        people = [Person(live_server, seminar_id) for _ in range(how_many)]
        made.extend(people)
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(Person.open_seminar_page, people))
        return people

    yield make
    for person in made:
        person.close()
    # After every burst: the counts each seminar row keeps equal its registrations.
    db.session.remove()
    assert check_counts(repair=False) == []


def _registrations(seminar_id: int) -> list[Registration]:
    """The committed registrations, read in a fresh session."""
    db.session.remove()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.id)
        )
    )


def _statuses(responses: list[requests.Response]) -> list[int]:
    return [response.status_code for response in responses]


def test_sixty_people_at_once_hold_a_third_of_twenty_places_and_queue_the_rest(
    app, live_server, visitors
):
    seminar_id = factories.seminar(capacity=20).id
    forms = [factories.form_data(n) for n in range(60)]
    with live_server.log_shown_on_failure() as log_start:
        people = visitors(seminar_id, 60)
        responses = _register_all_at_once(people, forms)
        statuses = _statuses(responses)

        assert not [s for s in statuses if s >= 500], statuses
        assert statuses == [303] * 60, statuses
        for response in responses:
            # Where a booking leads (its own page, or a "check your mail" page) is the
            # views' business; here only that every booking was accepted.
            assert response.headers.get("Location", "").startswith("/"), response.headers

        registrations = _registrations(seminar_id)
        states = [r.state for r in registrations]
        assert len(registrations) == 60
        # public registrations hold their places until the addresses are proven, a third
        # of the places at most (6 of 20); the others wait for those holds to end
        assert states.count(RegistrationState.HELD) == 6
        assert states.count(RegistrationState.WAITLISTED) == 54
        assert {r.email_normalized for r in registrations} == {
            f"person{n}@example.org" for n in range(60)
        }
        positions = sorted(
            waitlist_position(r) for r in registrations if r.state == RegistrationState.WAITLISTED
        )
        assert positions == list(range(1, 55))
        # First come, first served: nobody holding a place booked after someone waitlisted.
        last_confirmed = max(
            r.booked_at for r in registrations if r.state == RegistrationState.HELD
        )
        first_waiting = min(
            r.booked_at for r in registrations if r.state == RegistrationState.WAITLISTED
        )
        assert last_confirmed <= first_waiting
        # Nothing failed behind the responses either (work done after the response is sent).
        assert live_server.unhandled_errors_since(log_start) == []


def test_ten_submissions_of_one_address_at_once_make_one_registration(app, live_server, visitors):
    seminar_id = factories.seminar(capacity=20).id
    spellings = [
        "same@example.org",
        "  Same@Example.org ",
        "SAME@EXAMPLE.ORG",
        " same@example.org",
        "Same@example.org  ",
        "sAmE@ExAmPlE.oRg",
        "same@EXAMPLE.org",
        "   SAME@example.ORG",
        "Same@Example.Org",
        "same@example.org ",
    ]
    forms = [factories.form_data(n, email=email) for n, email in enumerate(spellings)]
    with live_server.log_shown_on_failure() as log_start:
        people = visitors(seminar_id, 10)
        responses = _register_all_at_once(people, forms)
        statuses = _statuses(responses)

        assert not [s for s in statuses if s >= 500], statuses
        assert sorted(statuses) == [303] + [422] * 9, statuses
        for response in responses:
            if response.status_code == 422:
                assert DUPLICATE_MESSAGE in response.text

        registrations = _registrations(seminar_id)
        assert len(registrations) == 1
        assert registrations[0].email_normalized == "same@example.org"
        assert registrations[0].state == RegistrationState.HELD
        assert live_server.unhandled_errors_since(log_start) == []


def _cancel_form_token(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=TIMEOUT)
    assert response.status_code == 200, response.status_code
    return VALUE.search(CSRF_INPUT.search(response.text).group(0)).group(1)


def test_cancellations_and_registrations_at_the_same_moment_move_up_exactly_once(
    app, live_server, visitors
):
    from app.models import OutboxMail

    seminar = factories.seminar(capacity=10)
    seminar_id = seminar.id
    factories.fill(seminar, 20)  # 10 confirmed, 10 waitlisted
    before = _registrations(seminar_id)
    newest = max(r.id for r in before)
    leaving = [r for r in before if r.state == RegistrationState.CONFIRMED][:5]
    queue = [r.id for r in before if r.state == RegistrationState.WAITLISTED]
    cancel_urls = [
        f"{live_server.url}/anmeldung/{factories.link_token(r)}/stornieren" for r in leaving
    ]
    db.session.remove()

    with live_server.log_shown_on_failure():
        # every cancellation is sent twice at once (a double tap), next to ten new people
        cancellers = []
        for url in cancel_urls + cancel_urls:
            session = requests.Session()
            session.headers["Connection"] = "close"
            cancellers.append((session, url, _cancel_form_token(session, url)))
        newcomers = visitors(seminar_id, 10)
        barrier = threading.Barrier(len(cancellers) + len(newcomers))

        def cancel(item):
            session, url, token = item
            barrier.wait(timeout=TIMEOUT)
            return session.post(
                url, data={"csrf_token": token}, allow_redirects=False, timeout=TIMEOUT
            )

        def register(pair):
            person, form = pair
            barrier.wait(timeout=TIMEOUT)
            return person.register(**form)

        with ThreadPoolExecutor(max_workers=len(cancellers) + len(newcomers)) as pool:
            cancelled = pool.map(cancel, cancellers)
            registered = pool.map(
                register, [(p, factories.form_data(100 + n)) for n, p in enumerate(newcomers)]
            )
            statuses = [r.status_code for r in list(cancelled) + list(registered)]
        for session, _url, _token in cancellers:
            session.close()

    assert not [s for s in statuses if s >= 500], statuses
    after = {r.id: r for r in _registrations(seminar_id)}
    states = [r.state for r in after.values()]
    assert states.count(RegistrationState.CONFIRMED) == 10
    assert states.count(RegistrationState.CANCELLED) == 5
    # the first five of the queue moved up, in order; the newcomers queue behind the rest
    assert [after[i].state for i in queue] == [RegistrationState.CONFIRMED] * 5 + [
        RegistrationState.WAITLISTED
    ] * 5
    assert {r.state for r in after.values() if r.id > newest} == {RegistrationState.WAITLISTED}
    moved_mails = db.session.scalars(
        sa.select(OutboxMail.registration_id).where(OutboxMail.kind == "moved_up")
    ).all()
    assert sorted(moved_mails) == sorted(queue[:5])  # one mail each, never two


def test_a_burst_of_unproven_addresses_holds_no_place_above_the_cap(app, live_server, visitors):
    """Thirty addresses at once for a seminar with 13 free places: a third of its 20
    places (6) is held, never more, on the plain path (new addresses) and on the ORM
    path (addresses with a cancelled registration there) alike."""
    seminar = factories.seminar(capacity=20)
    seminar_id = seminar.id
    factories.fill(seminar, 7)  # vouched: confirmed, 13 places free
    factories.fill(seminar, 10, start=200)  # will cancel: their addresses come back
    for registration in _registrations(seminar_id)[7:]:
        cancel_registration(registration.id)
    numbers = list(range(100, 115)) + list(range(200, 210)) + list(range(300, 305))
    forms = [factories.form_data(n) for n in numbers]
    with live_server.log_shown_on_failure() as log_start:
        people = visitors(seminar_id, len(forms))
        statuses = _statuses(_register_all_at_once(people, forms))
        assert statuses == [303] * len(forms), statuses
        assert live_server.unhandled_errors_since(log_start) == []

    registrations = _registrations(seminar_id)
    states = [r.state for r in registrations]
    assert states.count(RegistrationState.HELD) == 6  # 0 holds above the cap
    assert states.count(RegistrationState.CONFIRMED) == 7
    assert states.count(RegistrationState.WAITLISTED) == len(forms) - 6
    db.session.remove()
    assert db.session.get(Seminar, seminar_id).held_count == 6
