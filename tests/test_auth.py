"""Organiser accounts: login, rate limit, logout, idle timeout, invitations, cookies."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.models import OutboxMail, Role, User
from tests import factories

LOGIN_FAILED = "E-Mail-Adresse oder Passwort stimmen nicht."
INVITATION_LINK = re.compile(r"https?://\S+/manage/einladung/([A-Za-z0-9_-]+)")


def _user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.email == email)).first()


def _logged_in(client) -> bool:
    response = client.get("/manage/")
    if response.status_code == 302:
        assert "/manage/anmelden" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


# -- login ---------------------------------------------------------------------


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    account = factories.user("admin", email="kim@org.example")
    wrong_password = client.post(
        "/manage/anmelden", data={"email": account.email, "password": "falsches Passwort!"}
    )
    unknown_email = client.post(
        "/manage/anmelden", data={"email": "nie@org.example", "password": factories.PASSWORD}
    )
    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert LOGIN_FAILED in response.text
    # nothing tells the two apart but the address the person typed in
    assert wrong_password.text.replace(account.email, "@") == unknown_email.text.replace(
        "nie@org.example", "@"
    )
    assert not _logged_in(client)


def test_correct_login_redirects_to_the_dashboard(client):
    account = factories.user("admin")
    response = factories.login(client, account)
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/"
    assert _logged_in(client)


def test_login_ignores_the_case_of_the_address(client):
    factories.user("admin", email="gross@org.example")
    response = client.post(
        "/manage/anmelden", data={"email": " GROSS@Org.Example ", "password": factories.PASSWORD}
    )
    assert response.status_code == 303


def test_login_follows_next_only_on_this_site(app, client):
    account = factories.user("admin")
    response = client.post(
        "/manage/anmelden?next=/manage/admin/nutzer",
        data={"email": account.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/manage/admin/nutzer"
    other = app.test_client()
    response = other.post(
        "/manage/anmelden?next=//evil.example/phish",
        data={"email": account.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/"


def test_inactive_account_cannot_log_in(client):
    account = factories.user("admin", active=False)
    response = factories.login(client, account)
    assert response.status_code == 422
    assert LOGIN_FAILED in response.text
    assert not _logged_in(client)


def test_login_posts_are_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        account = factories.user("admin")
        client = app.test_client()
        codes = [
            client.post(
                "/manage/anmelden", data={"email": account.email, "password": f"falsch {n}"}
            ).status_code
            for n in range(3)
        ]
        assert codes == [422, 422, 422]
        limited = factories.login(client, account)  # even the right password now
        assert limited.status_code == 429
        assert "Zu viele Versuche" in limited.text
        assert 0 < int(limited.headers["Retry-After"]) <= 60
        assert not _logged_in(client)
        # the login page itself can still be read
        assert client.get("/manage/anmelden").status_code == 200


# -- logout and idle timeout ---------------------------------------------------


def test_logout_voids_every_copy_of_the_session(app, client):
    account = factories.user("vhs", vhs_id=factories.vhs().id)
    assert factories.login(client, account).status_code == 303
    cookie = client.get_cookie("session").value

    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/manage/").status_code == 200  # the copy works while logged in

    response = client.post("/manage/abmelden")
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/anmelden"
    assert "Sie sind abgemeldet." in client.get("/manage/anmelden").text

    stolen = app.test_client()
    stolen.set_cookie("session", cookie)
    response = stolen.get("/manage/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage/anmelden")
    assert not _logged_in(copy)

    # logging in again works with a fresh session
    assert factories.login(client, account).status_code == 303
    assert _logged_in(client)


def test_logout_needs_a_login(client):
    response = client.post("/manage/abmelden")
    assert response.status_code == 302
    assert "/manage/anmelden" in response.headers["Location"]


def test_idle_session_expires_with_a_german_message(app_factory):
    app = app_factory(IDLE_TIMEOUT_MINUTES=30)
    with app.app_context():
        account = factories.user("admin")
        client = app.test_client()
        assert factories.login(client, account).status_code == 303
        now = int(utcnow().timestamp())

        with client.session_transaction() as session:
            session["_seen"] = now - 29 * 60  # still within the 30 minutes
        assert client.get("/manage/").status_code == 200

        with client.session_transaction() as session:
            session["_seen"] = now - 31 * 60
        response = client.get("/manage/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/manage/anmelden")
        login_page = client.get(response.headers["Location"])
        assert "Ihre Sitzung ist wegen Inaktivität abgelaufen" in login_page.text
        # and it stays logged out
        assert not _logged_in(client)


def test_idle_session_expires_for_htmx_requests_with_a_redirect_header(app_factory, htmx):
    app = app_factory(IDLE_TIMEOUT_MINUTES=5)
    with app.app_context():
        account = factories.user("admin")
        client = app.test_client()
        assert factories.login(client, account).status_code == 303
        with client.session_transaction() as session:
            session["_seen"] = int(utcnow().timestamp()) - 6 * 60
        response = client.get("/manage/", headers=htmx)
        assert response.status_code == 401
        assert response.headers["HX-Redirect"] == "/manage/anmelden"


# -- invitations -----------------------------------------------------------------


def _invite(runner, *args):
    return runner.invoke(args=["create-user", *args])


def test_invitation_from_the_command_line_sets_a_password_once(app, client, runner):
    school = factories.vhs(slug="vhs-bochum")
    result = _invite(runner, "--role", "vhs", "--email", "x@y.example", "--vhs", "vhs-bochum")
    assert result.exit_code == 0, result.output
    match = INVITATION_LINK.search(result.output)
    assert match, result.output
    link = f"/manage/einladung/{match.group(1)}"
    created = _user_by_email("x@y.example")
    assert created.role == Role.VHS and created.vhs_id == school.id
    assert created.password_hash is None

    form = client.get(link)
    assert form.status_code == 200
    assert "Passwort festlegen" in form.text and "x@y.example" in form.text

    eleven = "elf Zeichen"
    assert len(eleven) == 11
    short = client.post(link, data={"password": eleven, "confirm": eleven})
    assert short.status_code == 422
    assert "Das Passwort muss mindestens 12 Zeichen lang sein." in short.text
    assert _user_by_email("x@y.example").password_hash is None

    different = client.post(
        link, data={"password": "ein gutes langes Passwort", "confirm": "ein anderes Passwort"}
    )
    assert different.status_code == 422
    assert "Die beiden Passwörter stimmen nicht überein." in different.text

    password = "ein gutes langes Passwort"
    saved = client.post(link, data={"password": password, "confirm": password})
    assert saved.status_code == 303
    assert saved.headers["Location"] == "/manage/anmelden"
    stored = _user_by_email("x@y.example").password_hash
    assert stored != password and password not in stored
    assert stored.startswith("scrypt:")

    used = client.get(link)
    assert used.status_code == 404
    assert "Dieser Link gilt nicht (mehr)" in used.text
    again = client.post(link, data={"password": "noch ein anderes Passwort", "confirm": "x"})
    assert again.status_code == 404
    assert _user_by_email("x@y.example").password_hash == stored

    login = client.post("/manage/anmelden", data={"email": "x@y.example", "password": password})
    assert login.status_code == 303


def test_unknown_invitation_link_is_a_german_404(client):
    response = client.get("/manage/einladung/gibt-es-nicht")
    assert response.status_code == 404
    assert "Dieser Link gilt nicht (mehr)" in response.text


def test_expired_invitation_link_is_refused(client, runner):
    factories.vhs(slug="vhs-alt")
    result = _invite(runner, "--role", "vhs", "--email", "alt@y.example", "--vhs", "vhs-alt")
    link = f"/manage/einladung/{INVITATION_LINK.search(result.output).group(1)}"
    account = _user_by_email("alt@y.example")
    account.invitation_expires = utcnow().replace(year=utcnow().year - 1)
    db.session.commit()
    assert client.get(link).status_code == 404


def test_create_user_refuses_vhs_role_without_a_valid_vhs(runner):
    factories.vhs(slug="vhs-echt")
    missing = _invite(runner, "--role", "vhs", "--email", "a@y.example")
    assert missing.exit_code != 0
    assert "Die Rolle vhs braucht --vhs" in missing.output
    unknown = _invite(runner, "--role", "vhs", "--email", "a@y.example", "--vhs", "vhs-erfunden")
    assert unknown.exit_code != 0
    assert "Die Rolle vhs braucht --vhs" in unknown.output
    assert _user_by_email("a@y.example") is None


def test_create_user_refuses_contact_role_without_a_council(runner):
    factories.council(town="Hamm")
    missing = _invite(runner, "--role", "contact", "--email", "c@y.example")
    assert missing.exit_code != 0
    assert "Die Rolle contact braucht --council" in missing.output
    unknown = _invite(
        runner, "--role", "contact", "--email", "c@y.example", "--council", "Nirgends"
    )
    assert unknown.exit_code != 0
    assert _user_by_email("c@y.example") is None
    good = _invite(runner, "--role", "contact", "--email", "c@y.example", "--council", "Hamm")
    assert good.exit_code == 0, good.output
    assert _user_by_email("c@y.example").council.town == "Hamm"


def test_create_user_refuses_an_existing_address(runner):
    factories.user("admin", email="schon@y.example")
    result = _invite(runner, "--role", "admin", "--email", "Schon@Y.example")
    assert result.exit_code != 0
    assert "Für schon@y.example gibt es schon ein Konto." in result.output


def test_create_user_refuses_an_address_the_login_form_refuses(client, runner):
    for address in ("admin@sec.test", "admin@localhost", "kein-at.example", "a<b@y.example"):
        login = client.post("/manage/anmelden", data={"email": address, "password": "x" * 12})
        assert login.status_code == 422 and "gültige E-Mail-Adresse" in login.text, address
        result = _invite(runner, "--role", "admin", "--email", address)
        assert result.exit_code != 0, address
        assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in result.output, address
        assert "Konto angelegt" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


# -- admin user page -------------------------------------------------------------


def test_admin_creates_a_user_and_gets_a_working_invitation_link(app, client):
    school = factories.vhs(name="Volkshochschule Hagen")
    assert factories.login(client, factories.user("admin")).status_code == 303
    response = client.post(
        "/manage/admin/nutzer",
        data={
            "email": "Neu@VHS-Hagen.example",
            "name": "Nele Neu",
            "role": "vhs",
            "vhs_id": str(school.id),
            "council_id": "0",
        },
    )
    assert response.status_code == 200
    assert "Konto angelegt." in response.text
    match = INVITATION_LINK.search(response.text)
    assert match, response.text
    created = _user_by_email("neu@vhs-hagen.example")
    assert created.role == Role.VHS and created.vhs_id == school.id
    assert created.name == "Nele Neu"
    # listed with its state, and the form is empty again
    assert "neu@vhs-hagen.example" in response.text and "eingeladen" in response.text
    assert 'value="Nele Neu"' not in response.text

    invited = app.test_client()
    page = invited.get(f"/manage/einladung/{match.group(1)}")
    assert page.status_code == 200
    assert "Willkommen, Nele Neu" in page.text


def test_admin_user_form_keeps_input_and_asks_for_the_vhs(client):
    factories.vhs()
    assert factories.login(client, factories.user("admin")).status_code == 303
    response = client.post(
        "/manage/admin/nutzer",
        data={
            "email": "ohne@vhs.example",
            "name": "Otto Ohne",
            "role": "vhs",
            "vhs_id": "0",
            "council_id": "0",
        },
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie die Volkshochschule." in response.text
    assert 'value="ohne@vhs.example"' in response.text
    assert 'value="Otto Ohne"' in response.text
    assert "Konto angelegt." not in response.text
    assert _user_by_email("ohne@vhs.example") is None


def test_admin_user_form_asks_for_the_council_of_a_contact(client):
    assert factories.login(client, factories.user("admin")).status_code == 303
    response = client.post(
        "/manage/admin/nutzer",
        data={"email": "kontakt@rat.example", "role": "contact", "vhs_id": "0", "council_id": "0"},
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie den Integrationsrat." in response.text
    assert _user_by_email("kontakt@rat.example") is None


def test_admin_user_form_refuses_an_existing_address(client):
    factories.user("admin", email="doppelt@org.example")
    assert factories.login(client, factories.user("admin")).status_code == 303
    response = client.post(
        "/manage/admin/nutzer",
        data={"email": "Doppelt@Org.example", "role": "admin", "vhs_id": "0", "council_id": "0"},
    )
    assert response.status_code == 422
    assert "Für diese E-Mail-Adresse gibt es schon ein Konto." in response.text
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.email == "doppelt@org.example")
    )
    assert count == 1


# -- cookies -----------------------------------------------------------------------


def test_session_cookie_is_secure_httponly_and_samesite_lax(app_factory):
    app = app_factory(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        account = factories.user("admin")
        response = factories.login(app.test_client(), account)
        assert response.status_code == 303
        (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        attributes = [part.strip() for part in cookie.split(";")]
        assert "Secure" in attributes
        assert "HttpOnly" in attributes
        assert "SameSite=Lax" in attributes


def _invitation_link(runner, email: str) -> str:
    result = runner.invoke(args=["create-user", "--role", "admin", "--email", email])
    assert result.exit_code == 0, result.output
    return re.search(r"(/manage/einladung/\S+)", result.output).group(1)


def test_common_and_guessable_passwords_are_refused(client, runner):
    link = _invitation_link(runner, "neu@y.example")
    for weak in ("123456789012", "passwortpasswort", "iloveyou12345", "neu@y.example1"):
        refused = client.post(link, data={"password": weak, "confirm": weak})
        assert refused.status_code == 422, weak
        assert "zu leicht zu erraten" in refused.text
    assert _user_by_email("neu@y.example").password_hash is None
    strong = "Dortmund-Seminar-42 im Herbst"
    assert client.post(link, data={"password": strong, "confirm": strong}).status_code == 303


def test_common_german_words_and_repeats_between_separators_are_refused(client, runner):
    link = _invitation_link(runner, "neu@y.example")
    for weak in (
        "passwort-passwort",
        "Zugang.Zugang!",
        "Schmetterling1",
        "Sonnenblume12",
        "Geburtstag123",
        "Mönchengladbach",
        "Moenchengladbach",
        "Schokolade12",
    ):
        refused = client.post(link, data={"password": weak, "confirm": weak})
        assert refused.status_code == 422, weak
        assert "zu leicht zu erraten" in refused.text, weak
    assert _user_by_email("neu@y.example").password_hash is None
    phrase = "Wir fahren im Juli nach Amrum"  # German words, but many of them
    assert client.post(link, data={"password": phrase, "confirm": phrase}).status_code == 303


LONG_PASSWORD = "Im Herbst fahren wir mit dem Rad von Wesel nach Xanten, 38 km hin & zurück! " * 3


def _log_in(client, email: str, password: str) -> int:
    client.post("/manage/abmelden")
    response = client.post("/manage/anmelden", data={"email": email, "password": password})
    return response.status_code


def test_passwords_up_to_200_characters_are_set_reset_and_logged_in_with(app, client, runner):
    first, second = LONG_PASSWORD[:73], LONG_PASSWORD[:200]
    link = _invitation_link(runner, "lang@y.example")
    assert client.post(link, data={"password": first, "confirm": first}).status_code == 303
    assert _log_in(client, "lang@y.example", first) == 303 and _logged_in(client)

    client.post("/manage/abmelden")
    client.post("/manage/passwort-vergessen", data={"email": "lang@y.example"}).close()
    reset = _reset_link(app, "lang@y.example")
    assert client.post(reset, data={"password": second, "confirm": second}).status_code == 303
    assert _log_in(client, "lang@y.example", first) == 422  # the old one is gone
    assert _log_in(client, "lang@y.example", second) == 303 and _logged_in(client)
    assert _log_in(client, "lang@y.example", second[:199]) == 422  # every character counts


def test_a_password_over_200_characters_is_refused_with_a_message(client, runner):
    link = _invitation_link(runner, "zulang@y.example")
    too_long = LONG_PASSWORD[:201]
    refused = client.post(link, data={"password": too_long, "confirm": too_long})
    assert refused.status_code == 422
    assert "höchstens 200 Zeichen" in refused.text
    assert _user_by_email("zulang@y.example").password_hash is None


def _reset_link(app, email: str) -> str:
    db.session.expire_all()
    mail = db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.recipient == email, OutboxMail.kind == "password_reset")
        .order_by(OutboxMail.id.desc())
    ).first()
    return re.search(r"(/manage/einladung/\S+)", mail.text_body).group(1)


def test_a_reset_request_leaves_a_pending_invitation_valid(app, client, runner):
    invitation = _invitation_link(runner, "neu@y.example")
    client.post("/manage/passwort-vergessen", data={"email": "neu@y.example"})
    assert client.get(invitation).status_code == 200  # an anonymous request voids nothing


def test_a_reset_link_lives_two_hours(app, client):
    user = factories.user("admin")
    client.post("/manage/passwort-vergessen", data={"email": user.email}).close()  # then sent
    link = _reset_link(app, user.email)
    assert client.get(link).status_code == 200
    lifetime = db.session.get(User, user.id, populate_existing=True).reset_expires - utcnow()
    assert timedelta(hours=1, minutes=55) < lifetime <= timedelta(hours=2)
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(reset_expires=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert client.get(link).status_code == 404  # two hours later the link is spent


def test_an_observer_account_is_created_from_the_command_line(app, runner):
    result = _invite(runner, "--role", "observer", "--email", "foerderung@land.example")
    assert result.exit_code == 0, result.output
    assert INVITATION_LINK.search(result.output), result.output
    created = _user_by_email("foerderung@land.example")
    assert created.role == Role.OBSERVER
    assert created.vhs_id is None and created.council_id is None
