"""Security headers everywhere, CSRF, rate limits and settings."""

import html
import re

import pytest

from app.config import load_config
from tests import factories

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _assert_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name


def test_headers_on_pages_fragments_and_error_pages(client, htmx):
    seminar = factories.seminar()
    responses = [
        client.get("/"),
        client.get("/", headers=htmx),
        client.get(f"/seminare/{seminar.id}"),
        client.get(f"/live/plaetze?ids={seminar.id}", headers=htmx),
        client.get("/does-not-exist"),
        client.get("/does-not-exist", headers=htmx),
        client.delete("/"),
        client.get("/static/css/app.css"),
    ]
    for response in responses:
        _assert_headers(response)
        response.close()


def test_error_pages_are_german_without_a_trace(client):
    response = client.get("/nirgends")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert "Traceback" not in response.text
    not_allowed = client.delete("/")
    assert not_allowed.status_code == 405
    assert "nicht möglich" in not_allowed.text


def test_htmx_is_configured_by_meta_tag_without_inline_script(client):
    page = client.get("/").text
    assert '<meta name="htmx-config"' in page
    config = html.unescape(page.split('<meta name="htmx-config" content=', 1)[1].split(">", 1)[0])
    for setting in ('"historyCacheSize":0', '"includeIndicatorStyles":false', '"allowEval":false'):
        assert setting in config
    assert "<script>" not in page and "style=" not in page
    assert re.search(r'src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]{10}"', page)


def test_post_without_csrf_token_is_refused_in_german(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()
        response = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data())
        assert response.status_code == 400
        assert "Das Formular ist abgelaufen" in response.text
        page = client.get(f"/seminare/{seminar.id}").text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        accepted = client.post(
            f"/seminare/{seminar.id}/anmelden",
            data=factories.form_data(csrf_token=token),
        )
        assert accepted.status_code == 303


def test_registration_posts_are_rate_limited_per_address(app_factory, htmx):
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="3 per minute")
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()
        codes = [
            client.post(
                f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n), headers=htmx
            ).status_code
            for n in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(9))
        assert limited.status_code == 429
        assert "Zu viele Versuche" in limited.text
        _assert_headers(limited)
        # reading pages is not limited
        assert client.get(f"/seminare/{seminar.id}").status_code == 200


def _real_operator(monkeypatch):
    """Outside debug and tests the site also needs real operator data (app.config)."""
    monkeypatch.setenv("OPERATOR_EMAIL", "info@vhs-nrw.test")
    monkeypatch.setenv("MAIL_SENDER", "Seminare <anmeldung@vhs-nrw.test>")


def test_secret_key_is_required_outside_debug_and_tests(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    _real_operator(monkeypatch)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_config()["SECRET_KEY"] == "from-the-environment"


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    _real_operator(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/seminare")
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("EMAIL_CHECK_DELIVERABILITY", "true")
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/seminare"
    assert config["RATELIMIT_ENABLED"] is False
    assert config["EMAIL_CHECK_DELIVERABILITY"] is True
    assert config["SESSION_COOKIE_SECURE"] is True


def test_forms_work_over_https_with_csrf_on(app_factory):
    """Over HTTPS Flask-WTF also checks the Referer, which our Referrer-Policy allows."""
    app = app_factory(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()
        base = "https://seminare.example"
        page = client.get(f"/seminare/{seminar.id}", base_url=base)
        assert page.headers["Referrer-Policy"] == "same-origin"
        token = page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            f"/seminare/{seminar.id}/anmelden",
            data=factories.form_data(csrf_token=token),
            base_url=base,
            headers={"Referer": f"{base}/seminare/{seminar.id}"},
        )
        assert response.status_code == 303


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example", "/%09/x"],
)
def test_login_never_redirects_to_another_host(app_factory, target):
    app = app_factory()
    with app.app_context():
        account = factories.user("admin")
        client = app.test_client()
        response = client.post(
            "/manage/anmelden",
            query_string={"next": target},
            data={"email": account.email, "password": factories.PASSWORD},
        )
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location.split("/")[2:3], location


def test_trusted_proxy_gives_each_client_its_own_rate_limit(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1
    )
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()

        def post(n, address):
            return client.post(
                f"/seminare/{seminar.id}/anmelden",
                data=factories.form_data(n),
                headers={"X-Forwarded-For": address},
            ).status_code

        assert post(1, "203.0.113.1") == 303
        assert post(2, "203.0.113.1") == 429
        assert post(3, "203.0.113.2") == 303  # another person behind the same proxy
