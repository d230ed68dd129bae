"""The observer (the funder, the Landeszentrale, LIR staff): every seminar's figures,
nobody's name, and no change anywhere."""

import html
import re

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.auth.scope import get_registration_for, get_seminar_for
from app.extensions import db
from app.models import Registration, Role, SeminarState, TrainerKind, User
from app.services.registrations import book_seat
from app.services.trainers import set_tandem
from tests import factories

NAMES = ("Zwetschgenbaum", "Ottilie", "Quakenbrück", "ottilie.z@beispiel.example")


def _text(fragment: str) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", plain).strip()


def _rows(page: str) -> list[str]:
    body = page.split('<tbody id="dashboard-rows"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)


def _cell(row: str, label: str) -> str:
    return _text(re.search(rf'data-label="{label}">(.*?)</t[dh]>', row, re.DOTALL).group(1))


def _assert_nobody(text: str) -> None:
    for word in NAMES:
        assert word.casefold() not in text.casefold(), word


@pytest.fixture
def world(app):
    """Two VHS with a seminar each; one distinctive person among the registered."""
    bochum = factories.vhs(name="Volkshochschule Bochum")
    essen = factories.vhs(name="Volkshochschule Essen")
    running = factories.seminar(vhs=bochum, capacity=20)
    book_seat(
        running.id,
        factories.applicant(last_name=NAMES[0], first_name=NAMES[1], town=NAMES[2], email=NAMES[3]),
    )
    factories.fill(running, 11)  # 12 confirmed: two trainers funded
    set_tandem(running.id, {TrainerKind.ADULT_EDUCATOR: (factories.trainer().id, 0)})
    short = factories.seminar(vhs=essen, capacity=20)
    factories.fill(short, 5)  # below the minimum of 8
    return {"running": running, "short": short}


@pytest.fixture
def observer(app, client):
    account = factories.user("observer")
    assert factories.login(client, account).status_code == 303
    return account


def test_the_dashboard_shows_every_seminar_with_its_figures_and_no_person(
    client, world, observer, htmx
):
    page = client.get("/manage/")
    assert page.status_code == 200
    rows = {_cell(row, "Seminar").split(" · ")[1].split(" ")[1]: row for row in _rows(page.text)}
    assert set(rows) == {"Bochum", "Essen"}  # both VHS: every seminar of the programme
    assert _cell(rows["Bochum"], "Bestätigt") == "12 von 20"
    assert "Findet statt" in _cell(rows["Bochum"], "Stand")
    assert _cell(rows["Essen"], "Bestätigt") == "5 von 20"
    assert "Unter Mindestzahl" in _cell(rows["Essen"], "Stand")
    _assert_nobody(page.text)
    # links lead to figures only, never to the people
    running = world["running"]
    assert f'href="/manage/seminare/{running.id}/raumbedarf"' in page.text
    assert f'href="/manage/seminare/{running.id}"' not in page.text
    assert "/anwesenheit/" not in page.text
    assert "Teilnehmende</a>" not in page.text

    poll = client.get("/manage/", headers=htmx)  # the live poll gets the rows only
    assert poll.status_code == 200
    assert poll.text.lstrip().startswith('<tbody id="dashboard-rows"')
    _assert_nobody(poll.text)


def test_the_navigation_offers_only_what_an_observer_may_open(client, world, observer):
    page = client.get("/manage/").text
    nav = page.split('<nav class="org-nav" aria-label="Verwaltung">', 1)[1].split("</nav>", 1)[0]
    assert "Förderübersicht" in nav
    assert "Verwaltung" not in nav and "Nutzer*innen" not in nav and "Protokoll" not in nav
    funding = client.get("/manage/admin/foerderung").text
    assert "Programm und Regeln" not in funding  # no section list of closed admin pages
    assert "/manage/admin/seminare/" not in funding  # seminars link to their figures
    assert f'href="/manage/seminare/{world["running"].id}/raumbedarf"' in funding


def test_every_link_an_observer_is_shown_opens(client, world, observer):
    """Follow every link under /manage from the dashboard on: none ends in 403 or 404."""
    seen, queue = set(), ["/manage/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, f"{url} -> {response.status_code}"
        if response.mimetype == "text/html":
            _assert_nobody(response.text)
            links = re.findall(r'href="(/manage/[^"#]*)"', response.text)
            queue.extend(html.unescape(link) for link in links)
    assert "/manage/admin/foerderung" in seen
    assert f"/manage/seminare/{world['running'].id}/raumbedarf" in seen


def test_room_needs_show_headcount_and_catering_and_no_person(client, world, observer):
    running = world["running"]
    page = client.get(f"/manage/seminare/{running.id}/raumbedarf")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Raumbedarf" in text
    cells = re.findall(r'data-label="Personen im Raum">(\d+)<', page.text)
    assert cells == ["13", "13"]  # 12 participants and the one trainer assigned, each day
    assert "144,00" in text  # catering budget: 12 people × 12 EUR
    _assert_nobody(page.text)
    assert "Unterschriftenliste" not in text
    assert "/unterschriften/" not in page.text
    assert "teilnehmende.csv" not in page.text and "teilnehmende.xlsx" not in page.text
    assert f'href="/manage/seminare/{running.id}"' not in page.text


def test_the_funding_overview_and_its_csv_show_the_figures(client, world, observer, htmx):
    page = client.get("/manage/admin/foerderung")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Förderübersicht" in text and "2 Seminare" in text
    assert "Volkshochschule Bochum" in text and "Volkshochschule Essen" in text
    _assert_nobody(page.text)
    table = client.get("/manage/admin/foerderung?modul=1", headers=htmx)
    assert table.status_code == 200 and table.text.lstrip().startswith('<div id="funding-table"')

    export = client.get("/manage/admin/foerderung.csv")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    body = export.get_data().decode("utf-8-sig")
    assert "Volkshochschule Bochum" in body and ";12;1;" in body  # 12 confirmed, 1 funded
    _assert_nobody(body)


@pytest.mark.parametrize(
    "path",
    [
        "/manage/seminare/{seminar}",
        "/manage/seminare/{seminar}/anwesenheit/1",
        "/manage/seminare/{seminar}/teilnehmende.csv",
        "/manage/seminare/{seminar}/teilnehmende.xlsx",
        "/manage/seminare/{seminar}/unterschriften/1",
        "/manage/anmeldungen/{registration}/stornieren",
    ],
)
def test_pages_about_people_do_not_exist_for_an_observer(client, world, observer, path):
    seminar = world["running"]
    registration = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == seminar.id)
    ).first()
    response = client.get(path.format(seminar=seminar.id, registration=registration.id))
    assert response.status_code == 404
    _assert_nobody(response.text)


@pytest.mark.parametrize(
    "path",
    ["/manage/admin/", "/manage/admin/seminare", "/manage/admin/nutzer", "/manage/admin/protokoll"],
)
def test_the_rest_of_the_admin_area_stays_closed(client, world, observer, path):
    assert client.get(path).status_code == 403


def _count(seminar) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).where(Registration.seminar_id == seminar.id)
    )


def test_an_observer_changes_nothing(client, world, observer):
    running = world["running"]
    before = _count(running)
    added = client.post(
        f"/manage/seminare/{running.id}/teilnehmende", data=factories.form_data(900)
    )
    assert added.status_code == 403
    assert "Nur lesender Zugang" in added.text and "nichts gespeichert" in added.text
    assert _count(running) == before

    withdrawn = client.post(f"/manage/admin/seminare/{world['short'].id}/zurueckziehen")
    assert withdrawn.status_code == 403
    db.session.expire_all()
    assert world["short"].state == SeminarState.PUBLISHED

    # even a read-only page refuses anything but reading
    assert client.post("/manage/admin/foerderung").status_code in (403, 405)


def test_an_htmx_write_gets_the_message_where_it_was_triggered(client, world, observer, htmx):
    registration = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == world["running"].id)
    ).first()
    response = client.post(
        f"/manage/anmeldungen/{registration.id}/anwesenheit/1",
        data={"present": "1"},
        headers=htmx,
    )
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "this"
    assert response.headers["HX-Reswap"] == "beforebegin"
    assert "<html" not in response.text and "Nur lesender Zugang" in response.text


def test_the_scope_gates_keep_observers_out_unless_a_page_asks_for_figures(app, world):
    observer = factories.user("observer")
    running = world["running"]
    with pytest.raises(NotFound):
        get_seminar_for(running.id, observer)
    assert get_seminar_for(running.id, observer, figures_only=True) == running
    registration = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == running.id)
    ).first()
    with pytest.raises(NotFound):
        get_registration_for(registration.id, observer)
    # asking for figures widens nobody else's scope
    other_vhs = factories.user("vhs", vhs_id=world["short"].vhs_id)
    with pytest.raises(NotFound):
        get_seminar_for(running.id, other_vhs, figures_only=True)


def test_an_admin_invites_an_observer_without_vhs_or_council(client, world):
    admin = factories.user("admin")
    factories.login(client, admin)
    form = client.get("/manage/admin/nutzer").text
    assert 'value="observer"' in form
    response = client.post(
        "/manage/admin/nutzer",
        data={
            "email": "foerderung@land.example",
            "name": "Landeszentrale",
            "role": "observer",
            "vhs_id": str(world["running"].vhs_id),  # chosen by mistake: not kept
            "council_id": "0",
        },
    )
    assert response.status_code == 200
    assert "Einladungslink" in response.text
    account = db.session.scalars(
        sa.select(User).where(User.email == "foerderung@land.example")
    ).one()
    assert account.role == Role.OBSERVER
    assert account.vhs_id is None and account.council_id is None
    assert "alle Seminare, nur Zahlen" in _text(client.get("/manage/admin/nutzer").text)


def test_an_observer_still_logs_out(client, observer):
    assert client.post("/manage/abmelden").status_code == 303
    assert client.get("/manage/").status_code == 302  # back to the login page
