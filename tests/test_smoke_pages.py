"""Every public page renders in full, and as its fragment for htmx."""

import pytest

from tests import factories


@pytest.fixture
def seminar(app):
    item = factories.seminar()
    factories.fill(item, 3)
    return item


def _urls(seminar):
    return [
        "/",
        "/?q=teststadt&modul=1",
        f"/vhs/{seminar.vhs.slug}",
        f"/seminare/{seminar.id}",
        "/impressum",
        "/datenschutz",
        "/barrierefreiheit",
    ]


def test_pages_render_full_and_as_fragment(client, seminar, htmx):
    for url in _urls(seminar):
        full = client.get(url)
        assert full.status_code == 200, url
        assert full.text.startswith("<!doctype html>"), url
        assert "Impressum" in full.text and "Datenschutz" in full.text, url
        fragment = client.get(url, headers=htmx)
        assert fragment.status_code == 200, url
        assert "<html" not in fragment.text, url
        assert "HX-Request" in fragment.headers["Vary"], url


def test_self_service_pages_render_full_and_as_fragment(client, seminar, htmx):
    from app.extensions import db
    from app.models import Registration

    token = factories.link_token(
        db.session.scalars(
            db.select(Registration).where(Registration.seminar_id == seminar.id)
        ).first()
    )
    client.post(f"/seminare/{seminar.id}/anmelden", data=factories.form_data(50)).close()
    for url in [
        f"/anmeldung/{token}",
        f"/anmeldung/{token}/stornieren",
        "/anmeldung/link-senden",
        f"/seminare/{seminar.id}/angemeldet",
    ]:
        full = client.get(url)
        assert full.status_code == 200, url
        assert full.text.startswith("<!doctype html>"), url
        fragment = client.get(url, headers=htmx)
        assert fragment.status_code == 200, url
        assert "<html" not in fragment.text, url
        assert "<h1" in fragment.text or "registration-outcome" in fragment.text, url
