"""`flask purge-old-data` deletes what the privacy notice says is deleted, and no more."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_berlin, utcnow
from app.extensions import db
from app.models import Attendance, OutboxMail, Registration, Seminar
from app.services.registrations import check_counts
from tests import factories


def test_purge_deletes_old_seminars_registrations_and_old_mails(app, runner):
    today = today_berlin()
    recent = factories.seminar()
    factories.fill(recent, 2)
    old = factories.seminar()
    factories.fill(old, 3, start=10)
    someone = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == old.id)
    ).first()
    db.session.add(Attendance(registration_id=someone.id, day=1, present=True))
    # the old seminar ended 13 months ago; its mails were written then
    old.day1 = today - timedelta(days=400)
    old.day2 = today - timedelta(days=399)
    old.registration_deadline = today - timedelta(days=410)
    old_people = set(
        db.session.scalars(sa.select(Registration.id).where(Registration.seminar_id == old.id))
    )
    for mail in db.session.scalars(sa.select(OutboxMail)):
        if mail.registration_id in old_people:
            mail.created_at = utcnow() - timedelta(days=400)
    db.session.commit()

    result = runner.invoke(args=["purge-old-data"])
    assert "3 Anmeldungen und 3 E-Mails gelöscht." in result.output
    db.session.expire_all()
    left = db.session.scalars(sa.select(Registration.seminar_id)).all()
    assert left == [recent.id, recent.id]
    assert db.session.scalars(sa.select(Attendance)).all() == []
    assert len(db.session.scalars(sa.select(OutboxMail)).all()) == 2


def test_the_purge_leaves_the_kept_counts_equal_to_the_registrations(app, runner):
    seminar = factories.seminar(day1=today_berlin() + timedelta(days=10))
    factories.fill(seminar, 3)
    db.session.execute(
        sa.update(Seminar)
        .where(Seminar.id == seminar.id)
        .values(
            day1=today_berlin() - timedelta(days=800), day2=today_berlin() - timedelta(days=799)
        )
    )
    db.session.commit()
    assert runner.invoke(args=["purge-old-data"]).exit_code == 0
    assert check_counts(repair=False) == []


def test_the_purge_leaves_no_mail_file_past_the_mails_retention(app_factory, tmp_path):
    """Without an SMTP server every mail is also a file: it goes when its row would."""
    import os
    import time

    from app.services.outbox import deliver_pending
    from app.services.retention import MAIL_KEPT_DAYS, purge

    app = app_factory(MAIL_FOLDER=str(tmp_path), MAIL_SERVER="")
    with app.app_context():
        factories.fill(factories.seminar(), 2)
        deliver_pending()
        old, recent = sorted(tmp_path.glob("*.eml"))
        long_ago = time.time() - (MAIL_KEPT_DAYS + 1) * 86400
        os.utime(old, (long_ago, long_ago))
        purge(today_berlin(), 12)
        assert sorted(tmp_path.glob("*.eml")) == [recent]
