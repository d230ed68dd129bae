"""Personal links: only digests are stored, every mail's link keeps working, and links
mailed before the digests existed still open their registration after the migration."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.models import OutboxMail, Registration, RegistrationLink
from tests import factories


def _stored_text() -> str:
    """Everything the registration tables hold, as text."""
    rows = [*db.session.execute(sa.select(Registration)).scalars()]
    rows += [*db.session.execute(sa.select(RegistrationLink)).scalars()]
    return " ".join(str(vars(row)) for row in rows)


def test_the_database_holds_no_secret_that_opens_a_registration(app, client):
    seminar = factories.seminar()
    client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(0)).close()
    mail = db.session.scalars(sa.select(OutboxMail)).one()
    token = mail.text_body.split("/anmeldung/")[1].split()[0]
    assert token not in _stored_text()
    assert client.get(f"/anmeldung/{token}").status_code == 200


def test_a_link_from_an_earlier_mail_keeps_working_after_a_later_one(app, client):
    seminar = factories.seminar()
    factories.fill(seminar, 1)
    registration = db.session.scalars(sa.select(Registration)).one()
    first, second = factories.link_token(registration), factories.link_token(registration)
    assert first != second
    for token in (first, second):
        assert "Ihre Anmeldung" in client.get(f"/anmeldung/{token}").text


def test_links_mailed_before_the_migration_keep_working(app_factory, tmp_path):
    fresh = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'links.sqlite'}")
    with fresh.app_context():
        upgrade()
        factories.fill(factories.seminar(), 1)
        db.session.commit()
        db.session.remove()
        downgrade(revision="bba9dece5b93")  # back to tokens stored as they are
        (old_token,) = db.session.execute(sa.text("SELECT token FROM registration")).scalars()
        db.session.remove()
        upgrade()
        page = fresh.test_client().get(f"/anmeldung/{old_token}")
        assert page.status_code == 200 and "Ihre Anmeldung" in page.text
        assert old_token not in _stored_text()
        db.session.remove()
        db.engine.dispose()


def test_copying_a_table_in_a_migration_keeps_the_rows_that_refer_to_it(app_factory, tmp_path):
    """SQLite migrations copy a table to change it; the rows pointing at it (audit entries,
    links) must survive the copy instead of cascading away with the old table."""
    fresh = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'keep.sqlite'}")
    with fresh.app_context():
        upgrade()
        factories.fill(factories.seminar(), 3)
        db.session.commit()
        count = "SELECT (SELECT COUNT(*) FROM audit_entry), (SELECT COUNT(*) FROM registration)"
        before = db.session.execute(sa.text(count)).one()
        db.session.remove()
        downgrade(revision="6f6243a037c8")  # before the migrations that copy `registration`
        upgrade()
        assert db.session.execute(sa.text(count)).one() == before == (3, 3)
        db.session.remove()
        db.engine.dispose()
