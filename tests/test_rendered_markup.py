"""Every page the URL map can render, walked: no attribute that htmx or a browser would
misread (``hx_post`` with an underscore, ``autofocus="()"``), and one charset per
Content-Type.

The walk covers each GET route of the URL map: the public ones anonymously, the
organiser and admin ones logged in as an admin, each as a full page and as the
fragment htmx asks for, and the forms once more sent back empty (with their errors).
A route the walk cannot fill in fails the test, so a new route is walked too.
"""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Registration, Role
from app.services.accounts import create_user
from app.services.registrations import cancel_registration
from tests import factories

# Endpoints whose responses are not pages of ours.
NOT_PAGES = {"static"}
# Forms whose empty POST would act (cancel something) instead of showing errors.
ACTIONS = {"public.cancel", "organiser.cancel", "admin.seminar_cancel"}
# Attribute values that are a Python value leaking into the markup.
PYTHON_VALUE = re.compile(
    r"^(\(\)|\[\]|\{\}|None|True|False|\[.*\]|\(.*\)|<bound method.*|<function.*)$"
)
ATTRIBUTE_PREFIXES = ("hx_", "aria_", "data_")


class Attributes(HTMLParser):
    """Collects every attribute the way a browser reads it (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            where = f"<{tag} {name}={value!r}>"
            if "_" in name:
                prefix = "hx_, aria_ or data_" if name.startswith(ATTRIBUTE_PREFIXES) else "_"
                self.problems.append(f"attribute name with {prefix}: {where}")
            if value is not None and PYTHON_VALUE.match(value.strip()):
                self.problems.append(f"Python value as attribute value: {where}")

    handle_startendtag = handle_starttag


def markup_problems(page: str) -> list[str]:
    parser = Attributes()
    parser.feed(page)
    parser.close()
    return parser.problems


def test_the_checker_sees_the_slips_it_is_for():
    """The checker itself: the two slips this test was written for, and none in good markup."""
    bad = (
        '<input hx_post="/pruefen/e-mail" id="email"><input autofocus="()" id="x">'
        '<a data_x="1" href="/">x</a><p class="None">y</p>'
    )
    assert len(markup_problems(bad)) == 4
    good = '<input hx-post="/pruefen/e-mail" aria-invalid="false" autofocus required value="()x">'
    assert markup_problems(good) == []


@pytest.fixture
def world(app):
    """Some of everything, so that every page has something to show."""
    programme = factories.programme()
    vhs = factories.vhs(slug="vhs-walk")
    council = factories.council(town="Walkstadt")
    seminar = factories.seminar(programme=programme, vhs=vhs, councils=[council], capacity=2)
    factories.fill(seminar, 4)
    first = db.session.scalars(
        sa.select(Registration).where(Registration.seminar_id == seminar.id)
    ).first()
    trainer = factories.trainer()
    admin = factories.user("admin")
    contact = factories.user("contact", council_id=council.id)
    _invited, invitation = create_user(email="neu@org.example", role=Role.VHS, vhs_id=vhs.id)
    other = db.session.scalars(
        sa.select(Registration).where(
            Registration.seminar_id == seminar.id, Registration.id != first.id
        )
    ).first()
    cancel_registration(other.id)
    offer = factories.vhs_declaration(vhs=vhs, councils=[council]).offers[0]
    db.session.commit()
    return {
        "admin": admin,
        "values": {
            "seminar_id": seminar.id,
            "vhs_id": vhs.id,
            "slug": vhs.slug,
            "council_id": council.id,
            "programme_id": programme.id,
            "trainer_id": trainer.id,
            "user_id": contact.id,
            "registration_id": first.id,
            "day": 1,
            "offer_id": offer.id,
            "code": "AAAA-BBBB-CCCC",  # a one-time code for the questionnaire
        },
        "tokens": {"public": factories.link_token(first), "auth": invitation},
    }


def _url(app, rule, world) -> str:
    values = dict(world["values"])
    if "token" in rule.arguments:
        values["token"] = world["tokens"][rule.endpoint.split(".")[0]]
    missing = rule.arguments - values.keys()
    assert not missing, f"the walk cannot fill {sorted(missing)} of {rule.rule}: add them"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(
            rule.endpoint, {k: values[k] for k in rule.arguments}
        )


def _routes(app, public: bool):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith("/manage") == public:
            continue
        yield rule


def _check(response, url: str, found: dict) -> None:
    assert response.status_code < 500, f"{url}: {response.status_code}"
    content_type = response.headers.get("Content-Type", "")
    if response.data or content_type:
        found["charset"][url] = content_type.lower().count("charset")
    if content_type.startswith("text/html"):
        found["pages"] += 1
        for problem in markup_problems(response.text):
            found["problems"].append(f"{url}: {problem}")


def _walk(app, client, rules, world, found, htmx) -> None:
    for rule in rules:
        url = _url(app, rule, world)
        # the cancel pages must stay GETs only; the rest is shown, then sent back empty
        for headers in ({}, htmx):
            _check(client.get(url, headers=headers), url, found)
        if "POST" in rule.methods and rule.endpoint not in ACTIONS:
            _check(client.post(url, data={}), f"POST {url}", found)


def test_no_page_renders_a_misspelt_attribute_or_a_python_value(app, world, htmx):
    found = {"pages": 0, "problems": [], "charset": {}}
    client = app.test_client()
    _walk(app, client, list(_routes(app, public=True)), world, found, htmx)
    anonymous_pages = found["pages"]
    # the login and password pages as the public sees them, before logging in
    auth_rules = [r for r in _routes(app, public=False) if r.endpoint.startswith("auth.")]
    _walk(app, client, auth_rules, world, found, htmx)
    assert factories.login(client, world["admin"]).status_code == 303
    manage_rules = [r for r in _routes(app, public=False) if not r.endpoint.startswith("auth.")]
    _walk(app, client, manage_rules, world, found, htmx)

    assert anonymous_pages >= 15
    assert found["pages"] >= 80
    assert found["problems"] == [], "\n".join(found["problems"])
    twice = {url: n for url, n in found["charset"].items() if n > 1}
    assert twice == {}


def test_the_email_field_of_the_registration_form_asks_the_server(client, app):
    seminar = factories.seminar()
    page = client.get(f"/seminare/{seminar.id}").text
    field = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert 'hx-post="/pruefen/e-mail"' in field
    assert 'hx-trigger="change"' in field
    assert 'hx-target="#email-error"' in field
    assert "hx_" not in field


def test_the_link_request_page_does_not_jump_into_the_field(client):
    page = client.get("/anmeldung/link-senden").text
    field = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert "autofocus" not in field
    # sent back with an error, the field takes the focus (a real attribute, no value)
    again = client.post("/anmeldung/link-senden", data={"email": "kaputt"}).text
    field = re.search(r'<input[^>]*id="email"[^>]*>', again).group(0)
    assert re.search(r"\sautofocus[\s>]", field), field


def test_pages_and_downloads_name_their_charset_once(app, client, htmx):
    seminar = factories.seminar()
    factories.fill(seminar, 2)
    pages = [
        "/",
        f"/seminare/{seminar.id}",
        "/impressum",
        "/anmeldung/link-senden",
        "/gibt-es-nicht",
    ]
    for url in pages:
        for headers in ({}, htmx):
            content_type = client.get(url, headers=headers).headers["Content-Type"]
            assert content_type == "text/html; charset=utf-8", url
    assert factories.login(client, factories.user("admin")).status_code == 303
    for url in [f"/manage/seminare/{seminar.id}/teilnehmende.csv", "/manage/admin/foerderung.csv"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url


def test_a_response_that_names_its_charset_twice_is_mended(app):
    from flask import Response

    @app.get("/__twice")
    def twice():
        return Response("a;b", mimetype="text/csv; charset=utf-8")

    response = app.test_client().get("/__twice")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
