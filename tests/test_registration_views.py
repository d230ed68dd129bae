"""Registration through the public form: with and without htmx, bad input, duplicates."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy import event

from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Registration, RegistrationState, SeminarState
from tests import factories


def _rows() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


@pytest.fixture
def seminar(app):
    return factories.seminar(capacity=2)


def _post(client, seminar, headers=None, **data):
    return client.post(
        f"/seminare/{seminar.id}/anmelden", data=factories.form_data(**data), headers=headers
    )


def test_without_javascript_post_redirects_to_the_result_page(client, seminar):
    response = _post(client, seminar)
    assert response.status_code == 303
    assert len(_rows()) == 1
    assert response.headers["Location"] == f"/seminare/{seminar.id}/angemeldet"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    # the place is held until the address is proven through the mail's link
    assert "Bitte bestätigen Sie Ihren Platz" in page.text
    assert "vorgemerkt bis" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    # the personal link travels only by mail, never in the browser
    assert "/anmeldung/" not in page.text.replace("/anmeldung/link-senden", "")


def test_result_page_shows_nothing_to_another_browser(app, client, seminar):
    _post(client, seminar)
    stranger = app.test_client()
    response = stranger.get(f"/seminare/{seminar.id}/angemeldet")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seminare/{seminar.id}")


def test_with_htmx_the_outcome_replaces_the_form_in_place(client, seminar, htmx):
    response = _post(client, seminar, headers=htmx)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Bitte bestätigen Sie Ihren Platz" in response.text
    assert 'id="registration-outcome"' in response.text and "autofocus" in response.text
    # the seat indicator is updated out of band in the same answer
    assert f'id="seats-{seminar.id}" hx-swap-oob="true"' in response.text
    assert "1 von 2 Plätzen frei" in response.text


def test_full_seminar_puts_people_on_the_waiting_list_with_their_position(client, seminar, htmx):
    factories.fill(seminar, 2)
    first = _post(client, seminar, n=10)
    assert first.status_code == 303
    second = _post(client, seminar, headers=htmx, n=11)
    assert "Warteliste – Platz 2" in second.text
    page = client.get(first.headers["Location"])
    assert "Warteliste – Platz 1" in page.text
    assert [r.state for r in _rows()][-2:] == [RegistrationState.WAITLISTED] * 2


def test_full_seminar_page_says_new_registrations_join_the_waiting_list(client, seminar):
    factories.fill(seminar, 3)
    page = client.get(f"/seminare/{seminar.id}")
    assert "Ausgebucht" in page.text
    assert "Neue Anmeldungen kommen auf die Warteliste (derzeit 1 Person)" in page.text
    assert "Auf die Warteliste setzen" in page.text


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn",
        "O'Neill",
        "Çelik",
        "Al-Hassan",
        "Dąbrowski",
        "van der Berg",
        "Şahin",
        "Anne-Marie",
        "María José de la Cruz",
    ],
)
def test_names_are_accepted_and_stored_as_written(client, seminar, name):
    response = _post(
        client, seminar, last_name=name, first_name="Thị Lan", town="Mülheim an der Ruhr"
    )
    assert response.status_code == 303
    (registration,) = _rows()
    assert (registration.last_name, registration.first_name) == (name, "Thị Lan")
    assert registration.town == "Mülheim an der Ruhr"


BAD_INPUT = [
    ("empty_last_name", {"last_name": ""}, "last_name", "Bitte geben Sie Ihren Namen an."),
    ("blank_first_name", {"first_name": "   "}, "first_name", "Bitte geben Sie Ihren Vornamen an."),
    ("blank_town", {"town": "\u00a0 "}, "town", None),
    ("too_long", {"last_name": "A" * 101}, "last_name", "Bitte höchstens 100 Zeichen eingeben."),
    ("control_chars", {"first_name": "Al\x00ex"}, "first_name", "Steuerzeichen"),
    ("tab", {"town": "Kö\tln"}, "town", "Steuerzeichen"),
    ("html", {"last_name": "<script>alert(1)</script>"}, "last_name", "spitzen Klammern"),
    ("invalid_email", {"email": "keine-adresse"}, "email", "gültige E-Mail-Adresse"),
    ("email_no_domain", {"email": "name@"}, "email", "gültige E-Mail-Adresse"),
    ("empty_email", {"email": ""}, "email", "Bitte geben Sie Ihre E-Mail-Adresse an."),
    ("no_privacy", {"privacy": ""}, "privacy", "Datenschutzhinweise gelesen haben"),
    ("honeypot", {"website": "http://spam.example"}, "website", "leer"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
@pytest.mark.parametrize("with_htmx", [False, True], ids=["page", "htmx"])
def test_bad_input_gets_a_german_message_keeps_input_and_stores_nothing(
    client, seminar, htmx, changes, field, message, with_htmx
):
    data = factories.form_data(last_name="Çelik", first_name="Zoë")
    data.update(changes)
    response = client.post(
        f"/seminare/{seminar.id}/anmelden", data=data, headers=htmx if with_htmx else None
    )
    assert response.status_code == 422
    assert ("<html" in response.text) is not with_htmx
    error_html = response.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert (message or "Bitte geben Sie Ihren Ort an.") in error_html
    assert 'aria-invalid="true"' in response.text
    # what was typed is still there
    kept = {
        "last_name": 'value="Çelik"',
        "first_name": 'value="Zoë"',
        "email": 'value="person0@example.org"',
    }
    for other, value in kept.items():
        if other != field and other not in changes:
            assert value in response.text, other
    if field == "email" and changes["email"]:
        assert f'value="{changes["email"]}"' in response.text
    assert _rows() == []


FORMULA = "Tabellenprogramme würden den Eintrag als Formel lesen."
NOT_A_FORMULA = [
    ("last_name", '=HYPERLINK("https://evil.example";"Klick")', FORMULA),
    ("first_name", "+49 170 1234567", FORMULA),
    ("last_name", "@SUM(1+1)", FORMULA),
    ("first_name", "\uff1d1+1", FORMULA),  # a full-width equals sign
    ("town", "-1+2", FORMULA),
    ("town", "- 5", FORMULA),
    ("town", "40213", "Bitte geben Sie den Namen des Ortes an, zum Beispiel Köln"),
    ("town", "402 13", "nicht die Postleitzahl"),
]


@pytest.mark.parametrize(("field", "typed", "message"), NOT_A_FORMULA)
@pytest.mark.parametrize("full", [False, True], ids=["place", "waiting list"])
def test_a_name_or_town_a_spreadsheet_would_run_is_refused_and_kept_as_typed(
    client, seminar, field, typed, message, full
):
    if full:
        factories.fill(seminar, 2, start=10)
    before = len(_rows())

    response = _post(client, seminar, **{field: typed})

    assert response.status_code == 422
    error_html = response.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error_html
    assert f'value="{escape(typed)}"' in response.text
    assert len(_rows()) == before


def test_html_in_a_name_is_shown_escaped_never_as_markup(client, seminar):
    response = _post(client, seminar, last_name='<b onmouseover="x">Bold</b>')
    assert response.status_code == 422
    assert "<b onmouseover" not in response.text
    assert "&lt;b onmouseover=&#34;x&#34;&gt;Bold&lt;/b&gt;" in response.text


@pytest.mark.parametrize("variant", ["person0@example.org", "  PERSON0@Example.ORG  "])
def test_second_registration_with_the_same_address_gets_a_friendly_message(
    client, seminar, htmx, variant
):
    assert _post(client, seminar).status_code == 303
    again = _post(client, seminar, headers=htmx, email=variant, first_name="Anders")
    assert again.status_code == 422
    assert "bereits für dieses Seminar angemeldet" in again.text
    assert len(_rows()) == 1


def test_closed_registration_shows_no_form_and_refuses_posts(client, htmx):
    today = today_berlin()
    closed = factories.seminar(
        day1=today + timedelta(days=3), registration_deadline=today - timedelta(days=1)
    )
    page = client.get(f"/seminare/{closed.id}")
    assert "Der Anmeldeschluss" in page.text and "ist vorbei" in page.text
    assert 'id="registration-form"' not in page.text
    for headers in (None, htmx):
        refused = _post(client, closed, headers=headers)
        assert refused.status_code == 409
        assert "Der Anmeldeschluss" in refused.text
        assert 'id="registration-form"' not in refused.text
    assert _rows() == []


def test_cancelled_seminar_says_so_and_takes_no_registrations(client):
    cancelled = factories.seminar(state=SeminarState.CANCELLED)
    page = client.get(f"/seminare/{cancelled.id}")
    assert "Dieses Seminar wurde abgesagt" in page.text
    assert _post(client, cancelled).status_code == 409
    assert _rows() == []


def test_draft_seminars_are_not_public(client):
    draft = factories.seminar(state=SeminarState.DRAFT)
    assert client.get(f"/seminare/{draft.id}").status_code == 404
    assert _post(client, draft).status_code == 404
    assert _rows() == []


def test_inline_email_check_returns_only_the_message(client, seminar):
    bad = client.post(
        "/pruefen/e-mail", data={"email": "name@@example"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 200
    assert bad.text.strip().startswith("Bitte geben Sie eine gültige E-Mail-Adresse an")
    good = client.post("/pruefen/e-mail", data={"email": "name@example.org"})
    assert good.text.strip() == ""


def test_unknown_registration_token_is_a_german_404(client):
    response = client.get("/anmeldung/not-a-token")
    assert response.status_code == 404
    assert "Dieser Link ist ungültig" in response.text


def test_get_on_the_form_url_leads_to_the_form(client, seminar):
    response = client.get(f"/seminare/{seminar.id}/anmelden")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seminare/{seminar.id}#anmeldung")


@pytest.mark.parametrize(
    "name",
    ["Mohammad\u200cReza", "Ta\u200dhir", "Schwarzen\u00adberger"],
    ids=["zwnj", "zwj", "shy"],
)
def test_names_written_with_joiners_or_a_soft_hyphen_are_accepted(client, seminar, name):
    response = _post(client, seminar, last_name=name)
    assert response.status_code == 303
    (registration,) = _rows()
    assert registration.last_name == name


def test_an_htmx_registration_takes_the_seat_lock_once(client, seminar, htmx):
    """The answer is read and rendered after the booking let go of its lock: in a rush the
    next person's booking never waits for this person's page to render."""
    locking: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        # SQLite locks with the transaction's begin, PostgreSQL with the seminar's row
        if statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement:
            locking.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = _post(client, seminar, headers=htmx)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert "Bitte bestätigen Sie Ihren Platz" in response.text
    assert len(locking) == 1, locking
