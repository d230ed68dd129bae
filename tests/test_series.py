"""A person across the series, identified by the normalised e-mail address: what organisers
see on a participant, how many people completed one module or both, and which Aufbaumodul
seminars the mail after a completed Basismodul suggests."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import FrozenCompletion, Registration, RegistrationState, SeminarState
from app.services.personal_data import erase
from app.services.registrations import cancel_registration
from app.services.retention import purge
from app.services.series import completion_counts, next_module_suggestions, notes_for
from tests import factories
from tests.admin_helpers import login_admin, text

TODAY = today_berlin()


MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"


def _month(day) -> str:
    return f"{MONTHS.split()[day.month - 1]} {day.year}"


def _finished_basic(vhs=None, councils=(), days_ago: int = 30, **seminar):
    """A Basismodul whose day 2 lies ``days_ago`` back."""
    values = {"vhs": vhs} if vhs is not None else {}
    return factories.held_seminar(
        TODAY - timedelta(days=days_ago), module=1, councils=list(councils), **values, **seminar
    )


# -- on the participants page ----------------------------------------------------------------


def test_organisers_see_the_basismodul_of_the_same_person(client, app):
    cologne = factories.vhs(name="VHS Köln", town="Köln")
    basic = _finished_basic(cologne)
    completed = factories.book_before(basic, 1, email="Lan.Nguyen@Example.org")
    factories.attend(completed, 1, 2)
    half = factories.book_before(basic, 2, email="halb@example.org")
    factories.attend(half, 1)
    coming_basic = factories.seminar(module=1, vhs=cologne)
    factories.book_before(coming_basic, 3, email="bald@example.org")
    full_basic = factories.seminar(module=1, capacity=8, vhs=cologne)
    factories.fill(full_basic, 8, start=20)
    factories.book_before(full_basic, 4, email="wartet@example.org")
    gone = factories.book_before(coming_basic, 5, email="storniert@example.org")
    cancel_registration(gone.id)

    advanced = factories.seminar(module=2)
    for n, email in enumerate(
        [
            "lan.nguyen@example.org",
            "halb@example.org",
            "bald@example.org",
            "wartet@example.org",
            "storniert@example.org",
        ]
    ):
        factories.book_before(advanced, 50 + n, email=email, last_name=f"Person{n}")
    factories.login(client, factories.user("vhs", vhs_id=advanced.vhs_id))
    page = client.get(f"/manage/seminare/{advanced.id}")
    rows = {}
    for row in page.text.split('<tr id="person-')[1:]:
        last_name = row.split("</th>")[0].rsplit(">", 1)[1]
        rows[last_name] = text(row.split("</tr>")[0])
    assert f"Basismodul besucht (VHS Köln, {_month(basic.day1)})" in rows["Person0"]
    assert "Basismodul" not in rows["Person1"]  # one day only: not completed
    assert f"für Basismodul angemeldet (VHS Köln, {_month(coming_basic.day1)})" in rows["Person2"]
    assert f"Warteliste Basismodul (VHS Köln, {_month(full_basic.day1)})" in rows["Person3"]
    assert "Basismodul" not in rows["Person4"]  # cancelled


def test_the_notes_follow_the_normalised_address_and_skip_erased_people(app):
    basic = _finished_basic()
    first = factories.book_before(basic, 1, email="Ayse.Celik@Beispiel.example")
    factories.attend(first, 1, 2)
    advanced = factories.seminar(module=2)
    later = factories.book_before(advanced, 1, email="ayse.celik@beispiel.EXAMPLE")
    assert [n.standing for n in notes_for([later])[later.id]] == ["completed"]

    erase("ayse.celik@beispiel.example", "Antrag", actor_id=None, cancel_upcoming=True)
    db.session.expire_all()
    everyone = list(
        db.session.scalars(sa.select(Registration).where(Registration.seminar_id == advanced.id))
    )
    assert notes_for(everyone) == {}


# -- completion counts -------------------------------------------------------------------------


def _complete(seminar, email: str, n: int, *days: int):
    registration = factories.book_before(seminar, n, email=email)
    factories.attend(registration, *days)
    return registration


def test_completions_per_vhs_and_council(app, client):
    north, south = factories.vhs(name="VHS Nord"), factories.vhs(name="VHS Süd")
    xstadt, ystadt = factories.council(town="Xstadt"), factories.council(town="Ystadt")
    basic_north = _finished_basic(north, [xstadt])
    advanced_south = factories.held_seminar(
        TODAY - timedelta(days=10), module=2, vhs=south, councils=[ystadt]
    )
    unhosted = factories.held_seminar(TODAY - timedelta(days=5), module=1, vhs=south)
    _complete(basic_north, "both@example.org", 1, 1, 2)
    _complete(advanced_south, "BOTH@example.org", 1, 1, 2)
    _complete(basic_north, "one@example.org", 2, 1, 2)
    _complete(basic_north, "halfway@example.org", 3, 2)
    _complete(unhosted, "alone@example.org", 4, 1, 2)
    _complete(basic_north, "erased@example.org", 5, 1, 2)
    erase("erased@example.org", "Antrag", actor_id=None)

    counts = completion_counts()
    assert (counts.one, counts.both) == (2, 1)
    assert [(r.name, r.one, r.both) for r in counts.by_vhs] == [
        ("VHS Nord", 1, 1),
        ("VHS Süd", 1, 1),
    ]
    assert [(r.name, r.one, r.both) for r in counts.by_council] == [
        ("Xstadt", 1, 1),
        ("Ystadt", 0, 1),
    ]
    assert (counts.without_council.one, counts.without_council.both) == (1, 0)

    login_admin(client)
    page = client.get("/manage/admin/personen")
    assert page.status_code == 200
    shown = text(page.text)
    assert "2 Personen mit einem Modul" in shown and "1 Person mit beiden Modulen" in shown
    assert "VHS Nord 1 1 2" in shown and "Ystadt 0 1 1" in shown


def test_the_counts_are_figures_observers_read_but_organisers_do_not(app, client):
    seminar = _finished_basic()
    factories.login(client, factories.user("observer"))
    assert client.get("/manage/admin/personen").status_code == 200
    other = app.test_client()
    factories.login(other, factories.user("vhs", vhs_id=seminar.vhs_id))
    assert other.get("/manage/admin/personen").status_code == 403


# -- the next module --------------------------------------------------------------------------


def _advanced(vhs, town: str, weeks: int = 6, **overrides):
    return factories.seminar(
        module=2, vhs=vhs, venue_town=town, day1=TODAY + timedelta(weeks=weeks), **overrides
    )


def test_suggestions_same_vhs_first_then_the_nearest(app):
    cologne = factories.vhs(name="VHS Köln", town="Köln")
    basic = _finished_basic(cologne, venue_town="Köln")
    person = _complete(basic, "kerpen@example.org", 1, 1, 2)
    person.town = "Kerpen"
    db.session.commit()
    muenster = _advanced(factories.vhs(town="Münster"), "Münster", weeks=3)
    bonn = _advanced(factories.vhs(town="Bonn"), "Bonn", weeks=5)
    aachen = _advanced(factories.vhs(town="Aachen"), "Aachen", weeks=4)
    own = _advanced(cologne, "Köln", weeks=9)
    _advanced(factories.vhs(), "Bonn", state=SeminarState.DRAFT)
    closed = _advanced(factories.vhs(), "Kerpen", weeks=1)
    closed.registration_deadline = TODAY - timedelta(days=1)
    db.session.commit()

    # from Kerpen: Aachen ~ 40 km, Bonn ~ 40 km, Münster ~ 130 km
    suggested = next_module_suggestions(person)
    assert suggested[0] == own
    assert set(suggested[1:]) == {aachen, bonn}
    assert muenster in next_module_suggestions(person, limit=4)
    assert closed not in next_module_suggestions(person, limit=10)


def test_no_suggestions_unless_the_basismodul_was_completed(app):
    basic = _finished_basic()
    half = _complete(basic, "half@example.org", 1, 1)
    assert next_module_suggestions(half) == []
    done = _complete(basic, "done@example.org", 2, 1, 2)
    advanced = _advanced(factories.vhs(), "Bonn")
    assert next_module_suggestions(done) == [advanced]
    factories.book_before(advanced, 9, email="Done@Example.org")
    assert next_module_suggestions(done) == []  # holds a place already
    second = _advanced(factories.vhs(), "Bonn")
    taken = factories.book_before(second, 9, email="later@example.org")
    assert next_module_suggestions(taken) == []  # not a Basismodul


def test_without_a_known_place_the_same_town_then_the_date(app):
    home = factories.vhs(name="VHS Nirgendwo", town="Nirgendwo")
    basic = _finished_basic(home, venue_town="Nirgendwo")
    person = _complete(basic, "weit@example.org", 1, 1, 2)
    person.town = "Unbekanntheim"
    db.session.commit()
    elsewhere = _advanced(factories.vhs(), "Irgendwo", weeks=2)
    same_town = _advanced(factories.vhs(), "Nirgendwo", weeks=5)
    own = _advanced(home, "Nirgendwo", weeks=8)
    assert next_module_suggestions(person) == [own, same_town, elsewhere]


# -- the counts outlive the purge (evidence outlives personal data) --------------------------


def _counts() -> tuple:
    counts = completion_counts()

    def rows(table):
        return [(r.name, r.one, r.both) for r in table]

    unhosted = counts.without_council
    return (
        (counts.one, counts.both),
        rows(counts.by_vhs),
        rows(counts.by_council),
        (unhosted.one, unhosted.both) if unhosted else None,
    )


ADDRESSES = [
    f"{name}@example.org"
    for name in ("split.person", "old.both", "old.one", "old.alone", "old.erased")
]


def _purged_and_live_series():
    """Completions in seminars past the retention period and in recent ones; one person
    completed the Basismodul in a purged seminar and the Aufbaumodul in a live one."""
    north, south = factories.vhs(name="VHS Nord"), factories.vhs(name="VHS Süd")
    xstadt, ystadt = factories.council(town="Xstadt"), factories.council(town="Ystadt")
    long_ago = TODAY - timedelta(days=420)
    old_basic = factories.held_seminar(long_ago, module=1, vhs=north, councils=[xstadt])
    old_advanced = factories.held_seminar(
        long_ago + timedelta(days=14), module=2, vhs=north, councils=[xstadt, ystadt]
    )
    old_unhosted = factories.held_seminar(long_ago, module=1, vhs=south)
    advanced = factories.held_seminar(
        TODAY - timedelta(days=10), module=2, vhs=south, councils=[ystadt]
    )
    basic = _finished_basic(south, [ystadt])
    _complete(old_basic, "Split.Person@Example.org", 1, 1, 2)  # module 1 purged ...
    _complete(advanced, "split.person@example.org", 1, 1, 2)  # ... module 2 still live
    _complete(old_basic, "old.both@example.org", 2, 1, 2)
    _complete(old_advanced, "old.both@example.org", 2, 1, 2)
    _complete(old_basic, "old.one@example.org", 3, 1, 2)
    _complete(old_basic, "old.halfway@example.org", 4, 1)
    _complete(old_advanced, "old.absent@example.org", 5)
    _complete(old_unhosted, "old.alone@example.org", 6, 1, 2)
    _complete(basic, "live.one@example.org", 7, 1, 2)
    _complete(old_basic, "old.erased@example.org", 8, 1, 2)
    erase("old.erased@example.org", "Antrag", actor_id=None)
    cancelled = _complete(old_advanced, "old.cancelled@example.org", 9, 1, 2)
    db.session.execute(
        sa.update(Registration)
        .where(Registration.id == cancelled.id)
        .values(state=RegistrationState.CANCELLED)
    )
    db.session.commit()
    return old_basic


def test_the_completion_counts_are_the_same_after_the_purge(app, client, runner):
    _purged_and_live_series()
    before = _counts()
    assert before == (
        (3, 2),
        [("VHS Nord", 1, 2), ("VHS Süd", 2, 1)],
        [("Xstadt", 1, 2), ("Ystadt", 1, 2)],
        (1, 0),
    )
    login_admin(client)
    page_before = text(client.get("/manage/admin/personen").text)

    result = runner.invoke(args=["purge-old-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    left = set(db.session.scalars(sa.select(Registration.email_normalized)))
    assert left == {"split.person@example.org", "live.one@example.org"}
    assert _counts() == before
    assert text(client.get("/manage/admin/personen").text) == page_before

    # what is kept names nobody: no address, nor a plain (unkeyed) hash of one
    kept = db.session.execute(
        sa.select(FrozenCompletion.seminar_id, FrozenCompletion.person_key)
    ).all()
    assert len(kept) == 5  # split, old.both twice, old.one, old.alone
    plain = {hashlib.sha256(a.encode()).hexdigest() for a in ADDRESSES}
    for _seminar_id, person in kept:
        assert "@" not in person and "example" not in person and person not in plain

    # the next purge (and a later one for the live seminars) keeps counting each once
    assert runner.invoke(args=["purge-old-data"]).exit_code == 0
    db.session.expire_all()
    assert _counts() == before


def test_a_person_who_finished_the_series_later_counts_once_after_both_purges(app, runner):
    _purged_and_live_series()
    before = _counts()
    assert runner.invoke(args=["purge-old-data"]).exit_code == 0
    # a year on, the recent seminars are past the retention period too
    purge(TODAY, 0)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Registration)).all() == []
    assert _counts() == before


def test_an_erasure_removes_the_kept_completions_of_the_address(app, runner):
    _purged_and_live_series()
    assert runner.invoke(args=["purge-old-data"]).exit_code == 0
    db.session.expire_all()
    erase("SPLIT.person@example.org", "Antrag", actor_id=None)
    # module 1 (purged) and module 2 (live) both go: the person counts nowhere
    assert _counts() == (
        (3, 1),
        [("VHS Nord", 1, 1), ("VHS Süd", 2, 0)],
        [("Xstadt", 1, 1), ("Ystadt", 1, 1)],
        (1, 0),
    )
