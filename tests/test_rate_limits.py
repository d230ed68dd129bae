"""Rate limits hold across workers (counters in Redis) and count an IPv6 client per /64."""

import secrets

import pytest
import requests

from app.extensions import db
from tests import factories
from tests.server import LiveServer, free_port
from tests.test_concurrency import CSRF_INPUT, VALUE, Person

REDIS = "redis://127.0.0.1:6379/0"


@pytest.mark.server
def test_limits_hold_across_three_workers_with_redis(migrated_database, app):
    first, second = factories.seminar(), factories.seminar()
    db.session.commit()
    settings = {
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
        "REGISTRATION_RATE_LIMIT": "8 per minute",
        "REGISTRATION_PER_SEMINAR_LIMIT": "3 per hour",
        "LOGIN_RATE_LIMIT": "4 per minute",
    }
    with LiveServer(migrated_database, workers=3, threads=2, extra_env=settings) as server:
        statuses = []
        for n in range(6):
            person = Person(server, first.id).open_seminar_page()
            statuses.append(person.register(**factories.form_data(n)).status_code)
            person.close()
        assert statuses == [303, 303, 303, 429, 429, 429], server.read_log()[-4000:]

        statuses = []
        for n in range(6, 10):
            person = Person(server, second.id).open_seminar_page()
            statuses.append(person.register(**factories.form_data(n)).status_code)
            person.close()
        # 8 attempts per minute in all; the 6 above count, refused ones too
        assert statuses == [303, 303, 429, 429]

        logins = []
        for _ in range(6):
            browser = requests.Session()
            browser.headers["Connection"] = "close"
            page = browser.get(f"{server.url}/manage/anmelden", timeout=30).text
            token = VALUE.search(CSRF_INPUT.search(page).group(0)).group(1)
            response = browser.post(
                f"{server.url}/manage/anmelden",
                data={"email": "niemand@example.org", "password": "falsch", "csrf_token": token},
                timeout=30,
            )
            logins.append(response.status_code)
            browser.close()
        assert logins == [422, 422, 422, 422, 429, 429]


def test_an_ipv6_client_is_counted_per_64_network(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, REGISTRATION_PER_SEMINAR_LIMIT="2 per hour")
    with app.app_context():
        seminar = factories.seminar()
        client = app.test_client()

        def register(n: int, address: str) -> int:
            return client.post(
                f"/seminare/{seminar.id}/anmelden",
                data=factories.form_data(n),
                environ_base={"REMOTE_ADDR": address},
            ).status_code

        assert register(0, "2001:db8:1:2::1") == 303
        assert register(1, "2001:db8:1:2::ffff:7") == 303
        assert register(2, "2001:db8:1:2:abcd::9") == 429  # same /64: the same client
        assert register(3, "2001:db8:1:3::1") == 303  # the next /64 is someone else
        assert register(4, "192.0.2.7") == 303


def test_memory_counters_outside_debug_are_warned_about(app_factory, caplog):
    app_factory(
        TESTING=False,
        RATELIMIT_STORAGE_URI="memory://",
        OPERATOR_EMAIL="info@seminare-integrationsraete.de",
        MAIL_SENDER="Seminare <anmeldung@seminare-integrationsraete.de>",
    )
    assert "multiplied by their number" in caplog.text


# -- where the counters live ------------------------------------------------------------


def test_limited_posts_work_per_worker_when_redis_does_not_answer(app_factory, caplog):
    # nothing listens on this port (database 5: apart from the Redis tests above)
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/5",
        REGISTRATION_PER_SEMINAR_LIMIT="2 per hour",
        LOGIN_RATE_LIMIT="5 per minute",
    )
    with app.app_context():
        seminar = factories.seminar()
        admin = factories.user("admin")
        client = app.test_client()
        check = client.post("/pruefen/e-mail", data={"email": "a@b.example", "seminar": "1"})
        assert check.status_code == 200
        statuses = [
            client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(n)).status_code
            for n in range(3)
        ]
        assert statuses == [303, 303, 429]  # the limits still hold, counted in memory
        assert "does not answer" in caplog.text
        assert caplog.text.count("counts every rate limit in its own memory") == 1

        assert factories.login(client, admin).status_code == 303
        home = client.get("/manage/admin/")
        assert home.status_code == 200
        assert "Der gemeinsame Zählerspeicher (Redis) antwortet nicht" in home.text


def test_the_admin_home_says_when_each_worker_counts_on_its_own(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        client = app.test_client()
        assert factories.login(client, factories.user("admin")).status_code == 303
        home = client.get("/manage/admin/").text
        assert "Jeder Prozess zählt die Grenzen für sich" in home
        assert "memory://" in home


@pytest.mark.parametrize("headers_on", [False, True])
def test_counters_are_told_only_when_asked_a_refusal_says_when_to_retry(app_factory, headers_on):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_HEADERS_ENABLED=headers_on,
        REGISTRATION_RATE_LIMIT="1 per minute",
    )
    client = app.test_client()
    with app.app_context():
        seminar = factories.seminar()
        url = f"/seminare/{seminar.id}/anmelden"
        booked = client.post(url, data=factories.form_data(1))
        refused = client.post(url, data=factories.form_data(2))
    assert booked.status_code == 303 and refused.status_code == 429
    assert ("X-RateLimit-Remaining" in booked.headers) is headers_on
    assert 0 < int(refused.headers["Retry-After"]) <= 60
