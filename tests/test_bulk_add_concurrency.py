"""A bulk add and public registrations at the same moment, against a real gunicorn
server with several workers (CSRF on, as in production).

The organiser logs in, uploads a list with more people than there are free places and
confirms it; at the same moment, and for as long as the add runs, members of the
public register on the seminar page. Each row of the list is its own short booking
under the seminar's lock, so the public registrations take their turns between the
rows: nobody is overbooked, the places go first come first served, everyone else
waits on the list, and the result page shows what really became of each row.
"""

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationState
from app.organiser.bulk_add import BODY_MAX
from app.services import messages
from app.services.registrations import check_counts
from tests import factories
from tests.server import LiveServer

pytestmark = pytest.mark.server

CSRF_INPUT = re.compile(r'<input\b[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')
TIMEOUT = 60  # seconds, for any one request
OCCUPYING = {RegistrationState.CONFIRMED, RegistrationState.HELD}


@pytest.fixture(scope="module")
def live_server(migrated_database):
    with LiveServer(migrated_database, workers=3, threads=4) as server:
        yield server


def _csrf(response: requests.Response) -> str:
    assert response.status_code == 200, response.status_code
    return VALUE.search(CSRF_INPUT.search(response.text).group(0)).group(1)


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


class Organiser:
    def __init__(self, server: LiveServer, seminar_id: int, account):
        self.base = f"{server.url}/manage/seminare/{seminar_id}/mehrere-hinzufuegen"
        self.http = _session()
        token = _csrf(self.http.get(f"{server.url}/manage/anmelden", timeout=TIMEOUT))
        answer = self.http.post(
            f"{server.url}/manage/anmelden",
            data={"email": account.email, "password": factories.PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 303, answer.status_code

    def upload(self, content: bytes) -> requests.Response:
        token = _csrf(self.http.get(self.base, timeout=TIMEOUT))
        return self.http.post(
            self.base,
            data={"csrf_token": token},
            files={"file": ("liste.csv", content, "text/csv")},
            timeout=TIMEOUT,
        )

    def confirm(self, preview: requests.Response) -> requests.Response:
        form = re.search(r'<form[^>]*action="[^"]*/eintragen"(.*?)</form>', preview.text, re.S)
        fields = dict(re.findall(r'name="(csrf_token|token)"[^>]*value="([^"]*)"', form.group(1)))
        fields = {name: html.unescape(value) for name, value in fields.items()}
        return self.http.post(f"{self.base}/eintragen", data=fields, timeout=TIMEOUT)


class Visitor:
    """One person on the public seminar page, with their own session and token."""

    def __init__(self, server: LiveServer, seminar_id: int):
        self.url = f"{server.url}/seminare/{seminar_id}"
        self.http = _session()
        self.token = _csrf(self.http.get(self.url, timeout=TIMEOUT))

    def register(self, n: int) -> requests.Response:
        form = factories.form_data(n, last_name=f"Öffentlich{n}", email=f"public{n}@example.org")
        form["csrf_token"] = self.token
        return self.http.post(
            f"{self.url}/anmelden", data=form, allow_redirects=False, timeout=TIMEOUT
        )


def _list_of(people: range, padding: int = 0) -> bytes:
    lines = ["Name;Vorname;Ort;E-Mail-Adresse;Bemerkung"]
    lines += [f"Liste{n};Alex;Bochum;liste{n}@example.org;{'x' * padding}" for n in people]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _registrations(seminar_id: int) -> list[Registration]:
    db.session.remove()
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.seminar_id == seminar_id)
            .order_by(Registration.booked_at, Registration.id)
        )
    )


def test_a_bulk_add_at_capacity_beside_public_registrations_overbooks_nobody(app, live_server):
    school = factories.vhs()
    seminar = factories.seminar(vhs=school, capacity=20)
    seminar_id = seminar.id
    factories.fill(seminar, 12)  # 8 places free
    account = factories.user("vhs", vhs_id=school.id)
    db.session.commit()

    with live_server.log_shown_on_failure() as log_start:
        organiser = Organiser(live_server, seminar_id, account)
        preview = organiser.upload(_list_of(range(30)))
        assert preview.status_code == 200, preview.text[:2000]
        visitors = [Visitor(live_server, seminar_id) for _ in range(24)]

        barrier = threading.Barrier(1 + 4)
        bulk_done = threading.Event()
        sent: list[tuple[int, int]] = []  # (visitor, status)
        queue = iter(range(len(visitors)))
        lock = threading.Lock()

        def add_the_list():
            barrier.wait(timeout=TIMEOUT)
            try:
                return organiser.confirm(preview)
            finally:
                bulk_done.set()

        def keep_registering():
            barrier.wait(timeout=TIMEOUT)
            while True:
                with lock:
                    n = next(queue, None)
                if n is None:
                    return
                sent.append((n, visitors[n].register(n).status_code))
                if bulk_done.is_set():
                    return  # one more after the list was done, then stop

        with ThreadPoolExecutor(max_workers=5) as pool:
            result_future = pool.submit(add_the_list)
            for _ in range(4):
                pool.submit(keep_registering)
            result = result_future.result(timeout=5 * TIMEOUT)

        assert result.status_code == 200, result.text[:2000]
        assert sent and all(status == 303 for _n, status in sent), sent
        assert live_server.unhandled_errors_since(log_start) == []

    people = _registrations(seminar_id)
    listed = [r for r in people if r.email.startswith("liste")]
    public = [r for r in people if r.email.startswith("public")]
    assert len(listed) == 30 and len(public) == len(sent)
    occupying = [r for r in people if r.state in OCCUPYING]
    waiting = [r for r in people if r.state == RegistrationState.WAITLISTED]
    # nobody overbooked: exactly the capacity holds a place, everyone else waits
    assert len(occupying) == 20
    assert len(waiting) == len(people) - 20
    # first come, first served among the list's rows; a public registration may wait
    # while places are free (a third of the places held at most), so a place given after
    # someone began to wait went to a row of the list, which needs no hold
    vouched_waiting = [r.booked_at for r in waiting if r.vouched]
    if vouched_waiting:
        assert max(r.booked_at for r in occupying) <= min(vouched_waiting)
    first_waiting = min(r.booked_at for r in waiting)
    assert all(r.vouched for r in occupying if r.booked_at > first_waiting)
    assert sum(r.state == RegistrationState.HELD for r in people) <= 6
    assert check_counts(repair=False) == []
    # the result page shows each row's real outcome
    page = html.unescape(result.text)
    for registration in listed:
        shown = re.search(
            rf"<td data-label=\"E-Mail-Adresse\">{re.escape(registration.email)}</td>\s*"
            r'<td data-label="Ergebnis">\s*<span class="badge[^"]*">([^<]+)</span>',
            page,
        )
        assert shown is not None, registration.email
        expected = "Platz bestätigt" if registration.state in OCCUPYING else "Warteliste"
        assert shown.group(1).startswith(expected), (registration.email, shown.group(1))
    # and every person of the list got the usual confirmation, once
    mailed = db.session.scalars(
        sa.select(OutboxMail.registration_id).where(OutboxMail.kind == "confirmation")
    ).all()
    assert sorted(r for r in mailed if r in {p.id for p in listed}) == sorted(p.id for p in listed)


def test_the_server_takes_a_list_past_the_sites_form_limit_and_refuses_one_past_its_own(
    app, live_server
):
    school = factories.vhs()
    seminar_id = factories.seminar(vhs=school, capacity=20).id
    account = factories.user("vhs", vhs_id=school.id)
    db.session.commit()
    with live_server.log_shown_on_failure() as log_start:
        organiser = Organiser(live_server, seminar_id, account)
        # 200 people with a long note each: about 250 KB, past the site's 64 KB
        large = _list_of(range(200), padding=1200)
        assert 64 * 1024 < len(large) < 1024 * 1024
        preview = organiser.upload(large)
        assert preview.status_code == 200, preview.text[:2000]
        assert "200 Zeilen gelesen" in preview.text
        result = organiser.confirm(preview)
        assert result.status_code == 200
        assert "200 Personen hinzugefügt" in result.text
        # past the route's own limit: the form again, with the German reason
        too_large = organiser.upload(b"x" * (BODY_MAX + 1))
        assert too_large.status_code == 413
        assert html.escape(messages.table_problem("too_large", 500), quote=False) in too_large.text
        assert 'id="bulk-form"' in too_large.text
        assert live_server.unhandled_errors_since(log_start) == []
    assert len(_registrations(seminar_id)) == 200
