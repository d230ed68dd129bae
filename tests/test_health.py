"""Health checks, metrics and request ids, as the operator's tools read them."""

import json
import logging

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db, limiter
from app.services import jobs
from app.services.operations import newest_migration
from app.services.registrations import book_seat
from app.web.logs import JsonFormatter, RequestIdFilter
from tests import factories


def test_live_answers_without_login_session_or_limit(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    try:
        for _ in range(5):
            response = client.get("/health/live")
            assert response.status_code == 200
            assert response.json == {"status": "ok"}
            assert "Set-Cookie" not in response.headers
        # the default limit holds elsewhere
        assert [client.get("/impressum").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        # the limiter is one object for every app of this process: no default for the next
        limiter.limit_manager.set_default_limits([])


def test_ready_says_ok_per_check(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.json
    checks = response.json["checks"]
    assert checks["database"]["ok"] and checks["limiter"]["ok"]
    assert checks["schema"] == {"ok": True, "detail": newest_migration()}
    assert "Set-Cookie" not in response.headers


def test_ready_is_503_when_the_schema_is_behind(app, client):
    newest = newest_migration()
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'a3c94e1f7b20'"))
    db.session.commit()
    try:
        response = client.get("/health/ready")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": newest})
        db.session.commit()
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["schema"] == {
        "ok": False,
        "detail": f"at a3c94e1f7b20, newest {newest}",
    }


def test_ready_is_503_when_the_limiter_storage_does_not_answer(app_factory):
    # a Redis that is not there: a loopback port nobody listens on
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.json["checks"]["limiter"] == {
        "ok": False,
        "detail": "redis not answering",
    }
    assert response.json["checks"]["database"]["ok"]


def test_ready_is_503_when_the_database_does_not_answer(app_factory, migrated_database, tmp_path):
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:9/none"
        if migrated_database.startswith("postgresql")
        else f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    )
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
    assert response.json["checks"]["database"]["detail"].startswith("unreachable")


def test_metrics_need_the_token(app_factory):
    app = app_factory(METRICS_TOKEN="s3cret-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 404
    assert app_factory().test_client().get("/metrics").status_code == 404  # off by default


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_count_requests_bookings_mails_and_jobs(app_factory):
    app = app_factory(METRICS_TOKEN="s3cret-token", MAIL_SENDER_PROCESS=True)
    client = app.test_client()
    with app.app_context():
        seminar = factories.seminar()
        before = _families(_scrape(client))
        book_seat(seminar.id, factories.applicant(1))
        jobs.ensure_jobs()
        jobs.run_due("metrics-test:1")
        client.get("/impressum")
        after = _families(_scrape(client))

    def sample(families, name, **labels):
        for family in families.values():
            for s in family.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    return s.value
        return 0.0

    confirmed = "seminare_bookings_total"
    assert sample(after, confirmed, outcome="confirmed") == (
        sample(before, confirmed, outcome="confirmed") + 1
    )
    requests = "seminare_http_requests_total"
    assert sample(after, requests, endpoint="public.imprint", status="200") >= 1
    assert sample(after, "seminare_outbox_mails", state="waiting") >= 1
    assert sample(after, "seminare_outbox_oldest_unsent_age_seconds") >= 0
    assert sample(after, "seminare_job_last_success_timestamp_seconds", job="check-counts") > 0
    assert "seminare_http_request_duration_seconds" in after


def _scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_every_response_carries_a_request_id(client):
    first = client.get("/impressum").headers["X-Request-ID"]
    second = client.get("/impressum").headers["X-Request-ID"]
    assert first != second and len(first) == 32
    given = client.get("/impressum", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert given.headers["X-Request-ID"] == "proxy-1234-abcd"
    hostile = client.get("/impressum", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(hostile.headers["X-Request-ID"]) == 32  # replaced, never repeated


def test_json_log_lines_carry_the_request_id(app):
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "Mail %s failed", (7,), None)
    with app.test_request_context("/", headers={"X-Request-ID": "abcdef12-3456"}):
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "abcdef12-3456"
    assert entry["message"] == "Mail 7 failed" and entry["level"] == "WARNING"


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_health_pages_reveal_no_personal_data(client, path):
    seminar = factories.seminar()
    book_seat(seminar.id, factories.applicant(1, last_name="Nguyễn"))
    body = client.get(path).get_data(as_text=True)
    assert "Nguyễn" not in body and "@" not in body


def test_the_operations_page_shows_jobs_workers_outbox_and_warns_when_no_worker_runs(app, client):
    from tests.admin_helpers import login_admin, text

    login_admin(client)
    page = text(client.get("/manage/admin/betrieb").text)
    assert "Kein Worker läuft. Noch nie gesehen." in page
    assert "Vorgemerkte Plätze freigeben ( release-holds ) 5 Minuten noch nie" in page
    assert f"Stand der Datenbank: {newest_migration()} (der neueste)" in page
    assert "Gezählt in memory : Zugriffsgrenzen sind ausgeschaltet." in page  # as in the tests

    jobs.ensure_jobs()
    jobs.beat("host-a:42")
    jobs.run_due("host-a:42")
    page = text(client.get("/manage/admin/betrieb").text)
    assert "1 Worker läuft" in page and "host-a:42" in page
    assert "Platzzahlen prüfen ( check-counts ) 24 Stunden" in page
    assert "erfolgreich alle Platzzahlen stimmen" in page

    old = jobs.utcnow() - jobs.timedelta(minutes=10)
    db.session.execute(sa.update(jobs.WorkerBeat).values(seen_at=old))
    db.session.commit()
    page = text(client.get("/manage/admin/betrieb").text)
    assert "Kein Worker läuft. Zuletzt gesehen am" in page
