"""Every "send me a link" form does the same work for a known and an unknown address:
the request stores one row either way, the sender looks the address up afterwards."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMail
from tests import factories
from tests.sqlcount import count_queries

FORMS = {"links": "/anmeldung/link-senden", "password": "/manage/passwort-vergessen"}


def _work(client, url: str, address: str) -> tuple[list[str], str]:
    """The SQL the request itself sends (the delivery after the response not included)."""
    with count_queries() as statements:
        response = client.post(url, data={"email": address})
    assert response.status_code == 200
    return statements, response.text


@pytest.mark.parametrize("form", sorted(FORMS))
def test_known_and_unknown_addresses_cost_the_same_statements(app, client, form):
    factories.fill(factories.seminar(), 1)  # person0@example.org holds a registration
    factories.user("admin", email="person0@example.org")
    known, known_page = _work(client, FORMS[form], "person0@example.org")
    unknown, unknown_page = _work(client, FORMS[form], "niemand@example.org")
    assert known == unknown and len(known) >= 1
    assert known_page == unknown_page


def test_the_sender_mails_only_the_known_address(app, client):
    factories.fill(factories.seminar(), 1)
    for address in ("person0@example.org", "niemand@example.org"):
        client.post(FORMS["links"], data={"email": address}).close()  # then delivered
    db.session.expire_all()
    sent = db.session.scalars(
        sa.select(OutboxMail.recipient).where(OutboxMail.kind == "links")
    ).all()
    assert sent == ["person0@example.org"]
    open_requests = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.kind.like("%_request"), OutboxMail.sent_at.is_(None))
    )
    assert open_requests == 0  # both requests were handled
