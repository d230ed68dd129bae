"""Deny by default: every organiser route, for every kind of user, generated from the URL map.

A new route under /manage without an entry in ``SCOPES`` fails this test, so
no route can be added without deciding who may use it.
"""

import re

import pytest

from app.extensions import db
from tests import factories

# endpoint -> which object the route is about
SCOPES = {
    "auth.login": "public",
    "auth.accept_invitation": "public",
    "auth.forgot_password": "public",
    "auth.logout": "any_user",
    "organiser.dashboard": "any_user",
    "organiser.participants": "seminar",
    "organiser.add_participant": "seminar",
    "organiser.attendance": "seminar",
    "organiser.export_csv": "seminar",
    "organiser.export_xlsx": "seminar",
    "organiser.room_needs_page": "seminar",
    "organiser.sign_in_sheet": "seminar",
    "organiser.cancel": "registration",
    "organiser.promote": "registration",
    "organiser.toggle_attendance": "registration",
    "admin.audit_log": "admin",
    "admin.users": "admin",
    "admin.outbox": "admin",
    "admin_aliases.users_alias": "alias",
    "admin_aliases.audit_log_alias": "alias",
    "admin.index": "admin",
    "admin.vhs_list": "admin",
    "admin.vhs_new": "admin",
    "admin.vhs_edit": "admin",
    "admin.councils": "admin",
    "admin.council_new": "admin",
    "admin.council_edit": "admin",
    "admin.seminars_page": "admin",
    "admin.seminar_new": "admin",
    "admin.seminar_detail": "admin",
    "admin.seminar_edit": "admin",
    "admin.seminar_tandem": "admin",
    "admin.seminar_publish": "admin",
    "admin.seminar_unpublish": "admin",
    "admin.seminar_cancel": "admin",
    "admin.seminar_delete": "admin",
    "admin.trainers_page": "admin",
    "admin.trainer_new": "admin",
    "admin.trainer_edit": "admin",
    "admin.funding_page": "admin",
    "admin.funding_csv": "admin",
    "admin.programmes": "admin",
    "admin.programme_new": "admin",
    "admin.programme_edit": "admin",
    "admin.programme_next": "admin",
    "admin.user_edit": "admin",
}

USERS = ["anonymous", "vhs_a", "vhs_b", "contact_x", "admin"]
# Who may use routes about the seminar of VHS A hosted for council X:
ALLOWED = {
    "seminar": {"vhs_a", "contact_x", "admin"},
    "registration": {"vhs_a", "contact_x", "admin"},
}


def organiser_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("organiser.", "auth.", "admin.", "admin_aliases.")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def seminar_registration(seminar):
    from app.models import Registration

    return db.session.scalars(
        db.select(Registration)
        .where(Registration.seminar_id == seminar.id)
        .order_by(Registration.id)
    ).first()


def _url(rule, world) -> str:
    values = {}
    for argument in rule.arguments:
        if argument == "seminar_id":
            values[argument] = world["seminar"].id
        elif argument == "registration_id":
            values[argument] = world["registration"].id
        elif argument == "day":
            values[argument] = 1
        elif argument == "token":
            values[argument] = "not-a-real-token"
        elif argument in ("vhs_id", "council_id", "trainer_id", "programme_id"):
            values[argument] = world[argument.removesuffix("_id")].id
        elif argument == "user_id":
            values[argument] = world["users"]["vhs_a"].id
        else:
            raise AssertionError(f"no test value for <{argument}> in {rule.rule}")
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), url)
    return url


def _expected(scope: str, who: str) -> str:
    if scope == "alias":
        return "moved"  # an old address: everyone is sent on, the new page decides
    if scope == "public":
        return "open"
    if who == "anonymous":
        return "login"
    if scope == "any_user":
        return "open"
    if scope == "admin":
        return "open" if who == "admin" else "denied"
    return "open" if who in ALLOWED[scope] else "denied"


def test_every_organiser_route_has_a_scope_rule(app):
    missing = {rule.endpoint for rule, _ in organiser_routes(app)} - set(SCOPES)
    assert missing == set(), f"routes without a scope rule: {missing}"


@pytest.mark.parametrize("who", USERS)
def test_each_user_gets_exactly_their_scope(app_factory, who):
    app = app_factory(WTF_CSRF_ENABLED=False)
    with app.app_context():
        world = world_in(app)
        client = app.test_client()
        if who != "anonymous":
            assert factories.login(client, world["users"][who]).status_code == 303
        for rule, method in organiser_routes(app):
            if rule.endpoint in ("auth.logout", "auth.login"):
                continue  # logging in and out are tested on their own
            url = _url(rule, world)
            response = client.open(url, method=method, data={})
            expected = _expected(SCOPES[rule.endpoint], who)
            context = f"{who} {method} {url} -> {response.status_code}"
            if expected == "moved":
                assert response.status_code == 301, context
                assert response.headers["Location"].startswith("/manage/admin/"), context
            elif expected == "login":
                assert response.status_code == 302, context
                assert "/manage/anmelden" in response.headers["Location"], context
            elif expected == "denied":
                assert response.status_code in (403, 404), context
            else:
                assert response.status_code < 400 or response.status_code in (404, 409, 422), (
                    context
                )
                if SCOPES[rule.endpoint] in ("seminar", "registration", "admin"):
                    assert response.status_code not in (403, 404), context
            response.close()


def world_in(app):
    vhs_a, vhs_b = factories.vhs(), factories.vhs()
    council_x = factories.council(town="Xstadt")
    seminar = factories.seminar(vhs=vhs_a, councils=[council_x], capacity=1)
    factories.fill(seminar, 2)
    return {
        "seminar": seminar,
        "registration": seminar_registration(seminar),
        "vhs": vhs_a,
        "council": council_x,
        "trainer": factories.trainer(),
        "programme": seminar.programme,
        "users": {
            "vhs_a": factories.user("vhs", vhs_id=vhs_a.id),
            "vhs_b": factories.user("vhs", vhs_id=vhs_b.id),
            "contact_x": factories.user("contact", council_id=council_x.id),
            "admin": factories.user("admin"),
        },
    }


def test_state_changing_requests_without_csrf_token_are_refused(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = world_in(app)
        client = app.test_client()
        page = client.get("/manage/anmelden").text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        admin = world["users"]["admin"]
        logged_in = client.post(
            "/manage/anmelden",
            data={"email": admin.email, "password": factories.PASSWORD, "csrf_token": token},
        )
        assert logged_in.status_code == 303
        for rule, method in organiser_routes(app):
            if method != "POST":
                continue
            response = client.post(_url(rule, world), data={})
            assert response.status_code == 400, f"{rule.rule} accepted a POST without CSRF token"
            assert "Das Formular ist abgelaufen" in response.text
