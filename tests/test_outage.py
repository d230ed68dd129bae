"""A database that cannot be reached: 503 with Retry-After and a German message, and an
htmx form submit keeps the form (the message goes before it)."""

import pytest

from tests import factories

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/for/sure/db.sqlite",
    "postgresql": "postgresql://postgres@127.0.0.1:1/test",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down(app_factory, request):
    return app_factory(SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param])


def test_pages_answer_503_with_retry_after(down):
    response = down.test_client().get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "nicht erreichbar" in response.text


def test_an_htmx_form_submit_keeps_the_form(down):
    response = down.test_client().post(
        "/seminare/1/anmelden", data=factories.form_data(0), headers={"HX-Request": "true"}
    )
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "this"
    assert response.headers["HX-Reswap"] == "beforebegin"  # the form itself is not replaced
    assert "noch einmal ab" in response.text


def test_a_failed_poll_changes_nothing_on_the_page(down):
    response = down.test_client().get("/live/plaetze?ids=1", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.headers["HX-Reswap"] == "none"
