"""``flask seed-demo`` gives every scenario the public site has to show."""

import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Seminar, SeminarState, User, Vhs
from app.services.availability import availability_for


def test_seed_demo_creates_each_scenario(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demodaten geladen" in result.output

    today = today_berlin()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vhs)) >= 10
    seminars = list(db.session.scalars(sa.select(Seminar)))
    assert {s.module for s in seminars} == {1, 2}
    public = [s for s in seminars if s.state == SeminarState.PUBLISHED]
    finished = [s for s in public if s.day2 < today]
    assert len(finished) == 1, "one finished seminar (see test_after_the_seminar.py)"
    assert all(s.day1 > today for s in public if s not in finished)
    seats = availability_for(public, today).values()
    assert any(a.is_open and 0 < a.free <= 3 for a in seats), "one nearly full"
    assert any(a.full and a.waitlisted > 0 for a in seats), "one full with a waiting list"
    assert any(a.is_open and not a.takes_place for a in seats), "one below the minimum"
    assert any(a.closed == "deadline_passed" for a in seats), "one closed"

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "enthält schon Daten" in again.output
    assert len(list(db.session.scalars(sa.select(Seminar)))) == len(seminars)


def test_demo_home_page_lists_seminars_by_date_and_filters(runner, client):
    runner.invoke(args=["seed-demo"])
    home = client.get("/")
    assert "Volkshochschule Köln" in home.text and "Volkshochschule Dortmund" in home.text
    filtered = client.get("/?vhs=koeln", headers={"HX-Request": "true"})
    assert "Volkshochschule Köln" in filtered.text
    assert "Volkshochschule Dortmund" not in filtered.text
    only_advanced = client.get("/?modul=2")
    assert (
        "Basismodul:</span>"
        not in only_advanced.text.split('id="seminar-results"')[1].split('id="modules-heading"')[0]
    )


def _logins(output: str) -> dict[str, tuple[str, str]]:
    """role label -> (e-mail, password), as ``seed-demo`` prints them."""
    found = {}
    for line in output.splitlines():
        label, sep, rest = line.strip().partition(": ")
        if sep and " / " in rest:
            email, password = rest.split(" / ")
            found[label] = (email, password)
    return found


def test_seed_demo_in_debug_prints_a_working_login_per_role(app_factory, tmp_path):
    app = app_factory(DEBUG=True, DEMO_LOGINS_FILE=str(tmp_path / "logins.txt"))
    app.debug = True
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        logins = _logins(result.output)
        assert set(logins) == {
            "Landesebene (alle Seminare)",
            "Volkshochschule",
            "Ansprechperson eines Integrationsrats",
            "Beobachtung (nur Zahlen, nur lesen)",
        }
        client = app.test_client()
        for email, password in logins.values():
            response = client.post("/manage/anmelden", data={"email": email, "password": password})
            assert response.status_code == 303, email
            assert "Köln" in client.get("/manage/").text
            client.post("/manage/abmelden")
        again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
        assert _logins(again.output) == logins  # shown again on the next `make run`


def test_seed_demo_outside_debug_creates_no_login(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _logins(result.output) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
