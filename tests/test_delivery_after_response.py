"""With default settings (no sender apart) the web workers deliver after the response,
one at a time per host: a booking's worker either delivers what is due, its own mail
among it, or leaves it to the one delivering. Counted in SQL statements, never timed."""

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail
from app.services import outbox
from tests import factories
from tests.sqlcount import count_queries


def _outbox_scans(queries: list[str]) -> list[str]:
    """Reads of the outbox that do not name the mail they are about."""
    return [
        q
        for q in queries
        if q.lstrip().upper().startswith("SELECT")
        and "FROM outbox_mail" in q
        and "outbox_mail.id = " not in q
        and "outbox_mail.id IN" not in q
    ]


def test_a_booking_with_default_settings_delivers_its_mail_in_bounded_statements(app, client):
    """No sender apart (the default): the web worker delivers after the response, and a
    backlog it does not deliver itself costs it nothing per request."""
    seminar = factories.seminar()
    statements = []
    for n in range(3):
        with count_queries() as queries:
            response = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n))
            response.close()  # the delivery runs once the answer is sent
        assert response.status_code == 303
        statements.append(len(queries))
        # one look for due mail per batch and one after it, nothing per mail in the outbox
        assert len(_outbox_scans(queries)) <= 3, _outbox_scans(queries)
    assert statements[1] == statements[2]  # no more work for the third than the second
    db.session.expire_all()
    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert len(mails) == 3 and all(m.sent_at is not None for m in mails)


def test_while_another_worker_delivers_a_booking_leaves_its_mail_to_it(app, client):
    """The turn to deliver is taken (another web worker of this host sends): the answer's
    worker returns at once; the one delivering takes the mail along when it looks again."""
    seminar = factories.seminar()
    with outbox._delivery_turn(app) as mine:  # another worker's turn, held
        assert mine
        with count_queries() as queries:
            response = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data())
            response.close()
        assert response.status_code == 303
        assert not any("outbox_mail" in q and "UPDATE" in q for q in queries)
        db.session.expire_all()
        (waiting,) = db.session.scalars(sa.select(OutboxMail)).all()
        assert waiting.sent_at is None
    # the holder's look after its turn
    db.session.rollback()  # the test's own read ends: it sees what is committed next
    outbox.deliver_after_response(app)
    db.session.rollback()
    assert db.session.scalars(sa.select(OutboxMail)).one().sent_at is not None
