"""Deny by default: every organiser route, for every kind of user, generated from the URL map.

A new route under /manage without an entry in ``SCOPES`` fails this test, so
no route can be added without deciding who may use it. Observers read figures only:
every write of theirs in the organiser and admin areas is refused (403), every page
about people is out of their scope, and no page they can reach shows a participant's
name, e-mail address or town.
"""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.core.timeutil import today_berlin
from app.extensions import db
from app.services.attendance import set_presence
from app.services.registrations import book_seat
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
    "organiser.room_needs_page": "seminar_figures",
    "organiser.sign_in_sheet": "seminar",
    "organiser.cancel": "registration",
    "organiser.promote": "registration",
    "organiser.toggle_attendance": "registration",
    "admin.audit_log": "admin",
    "admin.users": "admin",
    "admin.outbox": "admin",
    "admin.operations_page": "admin",
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
    "admin.funding_page": "admin_figures",
    "admin.funding_csv": "admin_figures",
    "admin.programmes": "admin",
    "admin.programme_new": "admin",
    "admin.programme_edit": "admin",
    "admin.programme_next": "admin",
    "admin.user_edit": "admin",
    # choosing the locations from the interest declarations
    "admin.interest_overview": "admin",
    "admin.interest_export_csv": "admin",
    "admin.interest_export_xlsx": "admin",
    "admin.interest_select": "admin",
    "admin.interest_decline": "admin",
    # the evaluation's figures (observers read and download them, free texts stay closed)
    "admin.evaluation_page": "admin_figures",
    "admin.evaluation_seminar": "admin_figures",
    "admin.evaluation_csv": "admin_figures",
    "admin.evaluation_xlsx": "admin_figures",
    # people across the series: completion counts; one person's data (GDPR)
    "admin.people": "admin_figures",
    "admin.personal_data": "admin",
    "admin.personal_data_export": "admin",
    "admin.personal_data_erase": "admin",
    "admin.personal_data_erase_confirm": "admin",
    # a seminar's organisers: the VHS edit, lists on paper, messages, after the seminar
    "organiser.seminar_edit": "seminar_vhs",
    "organiser.bulk_add": "seminar",
    "organiser.bulk_add_confirm": "seminar",
    "organiser.bulk_add_left_out": "seminar",
    "organiser.message": "seminar",
    "organiser.message_preview": "seminar",
    "organiser.message_send": "seminar",
    "organiser.certificates": "seminar",
    "organiser.certificates_pdf": "seminar",
    "organiser.certificate_pdf_download": "registration",
    "organiser.close_seminar_attendance": "seminar",
    "organiser.evaluation_results": "seminar",
    "organiser.evaluation_csv": "seminar",
    "organiser.evaluation_codes": "seminar",
    "organiser.evaluation_xlsx": "seminar",
    "organiser.settlement": "seminar_figures",
    "organiser.settlement_xlsx_download": "seminar",
    "organiser.settlement_pdf_download": "seminar",
    "organiser.attendance_list_download": "seminar",
    "organiser.settlement_catering": "seminar_vhs",
    "organiser.settlement_submit": "seminar_vhs",
    "organiser.settlement_check": "admin",
    "organiser.settlement_pay": "admin",
    "organiser.settlement_return": "admin",
}

USERS = ["anonymous", "vhs_a", "vhs_b", "contact_x", "admin", "observer"]
# Who may use routes about the seminar of VHS A hosted for council X:
ALLOWED = {
    "seminar": {"vhs_a", "contact_x", "admin"},
    "registration": {"vhs_a", "contact_x", "admin"},
    # the seminar's figures without any person: observers read them too
    "seminar_figures": {"vhs_a", "contact_x", "admin", "observer"},
    # admin pages with figures only (the funding overview): admins and observers
    "admin_figures": {"admin", "observer"},
    # what the seminar's own VHS does (its dates, its settlement), and the admins
    "seminar_vhs": {"vhs_a", "admin"},
}
# the scopes whose open routes must really open (never a 403 or 404)
OBJECT_SCOPES = (
    "seminar",
    "registration",
    "seminar_figures",
    "seminar_vhs",
    "admin",
    "admin_figures",
)
READS = ("GET",)


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
        elif argument == "offer_id":
            values[argument] = world["offer"].id
        else:
            raise AssertionError(f"no test value for <{argument}> in {rule.rule}")
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), url)
    return url


def _expected(scope: str, who: str, method: str = "GET") -> str:
    if scope == "alias":
        return "moved"  # an old address: everyone is sent on, the new page decides
    if scope == "public":
        return "open"
    if who == "anonymous":
        return "login"
    if who == "observer" and method not in READS:
        return "read_only"  # whatever the route: observers never write
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
            expected = _expected(SCOPES[rule.endpoint], who, method)
            context = f"{who} {method} {url} -> {response.status_code}"
            if expected == "moved":
                assert response.status_code == 301, context
                assert response.headers["Location"].startswith("/manage/admin/"), context
            elif expected == "login":
                assert response.status_code == 302, context
                assert "/manage/anmelden" in response.headers["Location"], context
            elif expected == "denied":
                assert response.status_code in (403, 404), context
            elif expected == "read_only":
                assert response.status_code == 403, context
                assert "Nur lesender Zugang" in response.text, context
            else:
                assert response.status_code < 400 or response.status_code in (404, 409, 422), (
                    context
                )
                if SCOPES[rule.endpoint] in OBJECT_SCOPES:
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
        "offer": factories.vhs_declaration(vhs=vhs_b).offers[0],
        "users": {
            "vhs_a": factories.user("vhs", vhs_id=vhs_a.id),
            "vhs_b": factories.user("vhs", vhs_id=vhs_b.id),
            "contact_x": factories.user("contact", council_id=council_x.id),
            "admin": factories.user("admin"),
            "observer": factories.user("observer"),
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


# -- observers: no personal data on any page they reach ------------------------------

# What the observer must be able to read; the walk below checks it really does.
OBSERVER_PAGES = {
    "organiser.dashboard",
    "organiser.room_needs_page",
    "admin.funding_page",
    "admin.funding_csv",
    "organiser.settlement",
    "admin.evaluation_page",
    "admin.evaluation_seminar",
    "admin.evaluation_csv",
    "admin.evaluation_xlsx",
    "admin.people",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text_of(response) -> str:
    """What a reader of the answer sees: the page, or every cell of a spreadsheet."""
    if response.mimetype != XLSX:
        return response.get_data().decode("utf-8", "replace")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


# (last name, first name, town, e-mail): every part distinctive, so that a body
# containing any of them gives a person away
PEOPLE = [
    ("Zwetschgenbaum", "Ottilie", "Quakenbrück", "ottilie.z@beispiel.example"),
    ("Wackelpudding", "Quirinus", "Wipperfürth", "q.wackelpudding@beispiel.example"),
    ("Pfefferminz", "Henrike", "Bad Zwischenahn", "henrike.p@beispiel.example"),
    ("Kuddelmuddel", "Leberecht", "Hinterzarten", "leberecht.k@beispiel.example"),
]
TELLTALES = [part.casefold() for person in PEOPLE for part in person[:3]] + [
    "ottilie.z",
    "q.wackelpudding",
    "henrike.p",
    "leberecht.k",
    "beispiel.example",
]


def _person(n: int):
    last_name, first_name, town, email = PEOPLE[n]
    return factories.applicant(last_name=last_name, first_name=first_name, town=town, email=email)


def seed_people(world) -> list:
    """Distinctive people in every state the pages show: confirmed, held (public form,
    address not yet proven), waitlisted, and present on a past seminar day."""
    seminar = world["seminar"]  # capacity 1, already full: the next one waits
    open_seminar = factories.seminar(vhs=world["vhs"], councils=[world["council"]])
    day1 = today_berlin() - timedelta(days=1)
    past = factories.seminar(vhs=world["vhs"], councils=[world["council"]], day1=day1)
    confirmed = book_seat(open_seminar.id, _person(0))
    held = book_seat(open_seminar.id, _person(1), hold_hours=48)
    waiting = book_seat(seminar.id, _person(2))
    attended = book_seat(past.id, _person(3), today=day1 - timedelta(days=8))
    set_presence(attended.id, 1, True, world["users"]["admin"].id, today=day1)
    return [(open_seminar, confirmed), (open_seminar, held), (seminar, waiting), (past, attended)]


def test_no_page_an_observer_reaches_shows_a_participant(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=False)
    with app.app_context():
        world = world_in(app)
        pairs = seed_people(world)
        admin = app.test_client()
        factories.login(admin, world["users"]["admin"])
        seen_by_admin = admin.get(f"/manage/seminare/{pairs[0][0].id}").text
        assert "Zwetschgenbaum" in seen_by_admin  # the people are there to be found

        client = app.test_client()
        assert factories.login(client, world["users"]["observer"]).status_code == 303
        urls = {}
        for seminar, registration in pairs:
            place = dict(world, seminar=seminar, registration=registration)
            for rule, method in organiser_routes(app):
                if method == "GET":
                    urls.setdefault(_url(rule, place), rule.endpoint)
        reached = set()
        for url, endpoint in sorted(urls.items()):
            for query in ("", "?warteliste=1"):
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.get(url + query, headers=headers)
                    context = f"observer GET {url}{query} {headers} -> {response.status_code}"
                    if response.status_code == 200:
                        reached.add(endpoint)
                        assert response.mimetype in ("text/html", "text/csv", XLSX), context
                    body = _text_of(response).casefold()
                    found = [word for word in TELLTALES if word in body]
                    assert found == [], f"{context} shows {found}"
                    response.close()
        assert reached >= OBSERVER_PAGES, f"the observer reached only {reached}"
