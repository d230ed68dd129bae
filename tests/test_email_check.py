"""The inline check of the e-mail field: its format, and whether the address already
holds a registration of this seminar, in the words the form itself uses."""

import html
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Registration
from app.services.registrations import cancel_registration
from tests import factories

DUPLICATE = "Mit dieser E-Mail-Adresse sind Sie bereits für dieses Seminar angemeldet."


def _check(client, email: str, seminar_id=None) -> str:
    data = {"email": email}
    if seminar_id is not None:
        data["seminar"] = str(seminar_id)
    response = client.post("/pruefen/e-mail", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_the_form_sends_its_seminar_with_the_check(client):
    seminar = factories.seminar()
    page = client.get(f"/seminare/{seminar.id}").text
    field = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert f'hx-vals="{{&#34;seminar&#34;: {seminar.id}}}"' in field


def test_an_address_registered_for_this_seminar_is_named_at_once(client):
    seminar = factories.seminar()
    factories.fill(seminar, 1)  # person0@example.org
    assert _check(client, "person0@example.org", seminar.id).startswith(DUPLICATE)
    # compared as the booking compares: trimmed, any case
    assert _check(client, "  Person0@EXAMPLE.org ", seminar.id).startswith(DUPLICATE)


def test_no_hint_for_other_seminars_new_addresses_or_cancelled_registrations(client):
    seminar, other = factories.seminar(), factories.seminar()
    factories.fill(seminar, 2)
    assert _check(client, "person0@example.org", other.id) == ""
    assert _check(client, "neu@example.org", seminar.id) == ""
    assert _check(client, "person0@example.org") == ""  # no seminar said: format only
    assert _check(client, "person0@example.org", 2**40) == ""  # no such seminar
    cancelled = db.session.scalars(
        sa.select(Registration).where(Registration.email == "person1@example.org")
    ).one()
    cancel_registration(cancelled.id)
    assert _check(client, "person1@example.org", seminar.id) == ""


def test_a_malformed_address_gets_the_format_message(client):
    seminar = factories.seminar()
    assert "gültige E-Mail-Adresse" in _check(client, "kaputt", seminar.id)


def test_past_the_limit_the_check_falls_silent(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    with app.app_context():
        seminar = factories.seminar()
        factories.fill(seminar, 1)
        client = app.test_client()
        for _ in range(2):
            assert _check(client, "person0@example.org", seminar.id).startswith(DUPLICATE)
        assert _check(client, "person0@example.org", seminar.id) == ""
        # the registration itself keeps its own limit
        response = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(5))
        assert response.status_code == 303
