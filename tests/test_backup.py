"""``flask backup`` and ``flask restore`` on the real engine: a copy written while people
book holds everything committed before it began, consistent, and comes back whole into
an empty database."""

import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import AuditEntry, Registration, Seminar, Settlement
from app.services import settlement
from app.services.registrations import book_seat, check_counts
from tests import factories
from tests.conftest import make_app


@pytest.fixture
def empty_database(migrated_database, tmp_path):
    """A database with nothing in it, on the engine under test."""
    url = make_url(migrated_database)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _snapshot() -> dict:
    db.session.expire_all()
    db.session.rollback()
    return {
        "registrations": {
            r.id: (r.seminar_id, r.email_normalized, r.state.value)
            for r in db.session.scalars(sa.select(Registration))
        },
        "seats": {
            s.id: (s.confirmed_count, s.waitlisted_count, s.held_count, s.cancelled_count)
            for s in db.session.scalars(sa.select(Seminar))
        },
        "settlements": {
            s.seminar_id: (s.state.value, s.catering_spent_cents, s.record)
            for s in db.session.scalars(sa.select(Settlement))
        },
        "audit": {a.id: (a.action, a.detail) for a in db.session.scalars(sa.select(AuditEntry))},
    }


def test_a_backup_taken_while_people_book_restores_whole(
    app, runner, empty_database, migrated_database, tmp_path
):
    held, _people = factories.seminar_held_with([(f"Muster{n}", "Alex") for n in range(9)])
    admin = factories.user("admin")
    settlement.set_catering(held.id, 80_00, admin)
    settlement.submit(held.id, admin, today_berlin())
    busy = factories.seminar(capacity=20)
    before = _snapshot()

    stop, booking = threading.Event(), threading.Event()
    booked_during: list[int] = []

    def book_meanwhile():
        worker_app = make_app(migrated_database)
        with worker_app.app_context():
            n = 0
            while not stop.is_set() and n < 200:
                booked_during.append(book_seat(busy.id, factories.applicant(5000 + n)).id)
                n += 1
                if n == 3:
                    booking.set()  # people are booking now: take the copy
            booking.set()
            db.session.remove()
            db.engine.dispose()

    booker = threading.Thread(target=book_meanwhile)
    booker.start()
    booking.wait(120)
    try:
        copy = tmp_path / "copy.dump"
        result = runner.invoke(args=["backup", str(copy)])
    finally:
        stop.set()
        booker.join()
    assert result.exit_code == 0, result.output
    assert "Sicherung geschrieben" in result.output and copy.is_file()
    assert len(booked_during) > 3, "nothing was booked while the backup ran"

    restored_app = make_app(empty_database)
    with restored_app.app_context():
        done = restored_app.test_cli_runner().invoke(args=["restore", str(copy)])
        assert done.exit_code == 0, done.output
        after = _snapshot()
        # every change committed before the backup began is there
        for kind in ("registrations", "settlements", "audit"):
            assert before[kind].items() <= after[kind].items(), kind
        for seminar_id, seats in before["seats"].items():
            if seminar_id != busy.id:
                assert after["seats"][seminar_id] == seats
        # one consistent moment: the kept seat counts match the rows copied
        assert check_counts(repair=False) == []
        copied = [i for i in booked_during if i in after["registrations"]]
        assert copied == booked_during[: len(copied)]  # a prefix: nothing torn
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app, runner, tmp_path):
    copy = tmp_path / "copy.dump"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(copy)])
    assert refused.exit_code != 0
    assert "Die Zieldatenbank ist nicht leer" in refused.output
    again = runner.invoke(args=["backup", str(copy)])
    assert again.exit_code != 0 and "gibt es schon" in again.output
    assert not Path(str(copy) + ".partial").exists()
