"""Every page the URL map renders, for every role, is conforming HTML.

The demo data (``flask seed-demo``) fill the site; the walk goes through each GET route
of the URL map as an anonymous visitor, a council's contact person, VHS staff, an
observer and a state organiser, with every URL parameter filled from those data: each
seminar route for a seminar ahead and one held, each personal-link route with the link
of both. Every HTML answer is kept: a page as a page, what htmx asks for as a fragment
(a public page's fragment once, anonymously: it is the same for everyone), the forms
once more sent back empty (with their errors); answers equal but for their CSRF token
are kept once. html-validate checks them all in one run (``tests/html_checker.py``);
the pages stay in pytest's temporary folder for a look after a failure. CSRF is on, as
in production, so the forms carry their hidden token as people get it.

A route the walk cannot fill in fails the test, so a new route is walked too.
"""

import hashlib
import itertools
import re
import time
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import g

from app.commands.demo import seed
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import (
    Council,
    DeclarationState,
    Registration,
    RegistrationState,
    Role,
    Seminar,
    Trainer,
    Vhs,
    VhsDeclaration,
)
from app.services.accounts import create_user
from app.services.evaluation import code_shown, issue_room_codes
from tests import factories
from tests.html_checker import check

ROLES = ("anonymous", "contact", "vhs", "observer", "admin")
# Downloads and the site's machinery: no pages.
NOT_PAGES = {"static", "health.live", "health.ready", "health.metrics"}
DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx)$")
# Forms whose empty POST would act (cancel something) instead of showing errors.
ACTIONS = {"public.cancel", "organiser.cancel", "admin.seminar_cancel", "public.interest_withdraw"}
# Pages that read the query string: walked once more with one.
QUERIES = {
    "public.index": ["?q=K%C3%B6ln&modul=1", "?ort=K%C3%B6ln"],
    "admin.seminars_page": ["?modul=1"],
    "admin.people": ["?q=a"],
    "public.live_seats": ["?ids={ids}"],
}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The per-session token differs between roles: pages equal but for it are checked once.
TOKEN_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


@pytest.fixture
def site(app_factory):
    """The demo data, one account per role, and a value for every URL parameter."""
    app = app_factory(WTF_CSRF_ENABLED=True)

    @app.before_request
    def _forget_csrf_token():
        # the test's app context lives across requests, its ``g`` with it: a token kept
        # there from another client's session would never reach this one's
        g.pop("csrf_token", None)

    with app.app_context():
        seed()
        koeln = db.session.scalar(sa.select(Vhs).where(Vhs.slug == "koeln"))
        council = db.session.scalar(sa.select(Council).where(Council.town == "Köln"))
        ahead, held = db.session.scalars(
            sa.select(Seminar).where(Seminar.vhs_id == koeln.id).order_by(Seminar.day1.desc())
        ).all()
        factories.evaluation_answers(held, 6)
        codes = issue_room_codes(held.id, 2, None)
        accounts = {
            "contact": factories.user("contact", council_id=council.id),
            "vhs": factories.user("vhs", vhs_id=koeln.id),
            "observer": factories.user("observer"),
            "admin": factories.user("admin"),
        }
        _invited, invitation = create_user(email="neu@org.example", role=Role.VHS, vhs_id=koeln.id)
        registrations = [_first_confirmed(s) for s in (ahead, held)]
        declaration = db.session.scalars(
            sa.select(VhsDeclaration)
            .where(VhsDeclaration.state == DeclarationState.CONFIRMED)
            .order_by(VhsDeclaration.id)
        ).first()
        values = {
            "seminar_id": [ahead.id, held.id],
            "day": [1],
            "vhs_id": [koeln.id],
            "slug": [koeln.slug],
            "council_id": [council.id],
            "programme_id": [ahead.programme_id],
            "trainer_id": [db.session.scalar(sa.select(Trainer.id).limit(1))],
            "user_id": [accounts["contact"].id],
            "registration_id": [registrations[1].id],
            "offer_id": [o.id for o in declaration.offers],
            "code": [code_shown(codes[0])],
        }
        tokens = {
            "public": [factories.link_token(r) for r in registrations],
            "interest": [factories.interest_token(declaration)],
            "auth": [invitation],
        }
        values["ids"] = f"{ahead.id},{held.id}"  # the live seats' query
        emails = {role: account.email for role, account in accounts.items()}
        yield app, values, tokens, emails


def _first_confirmed(seminar: Seminar) -> Registration:
    return db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.seminar_id == seminar.id,
            Registration.state == RegistrationState.CONFIRMED,
        )
        .order_by(Registration.id)
    ).first()


def _urls(app, rule, values, tokens) -> list[str]:
    given = dict(values)
    if "token" in rule.arguments:
        kind = rule.endpoint.split(".")[0]
        if rule.rule.startswith("/interesse"):
            kind = "interest"
        given["token"] = tokens[kind]
    missing = rule.arguments - given.keys()
    assert not missing, f"the walk cannot fill {sorted(missing)} of {rule.rule}: add them"
    names = sorted(rule.arguments)
    adapter = app.url_map.bind("localhost")
    urls = [
        adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)))
        for combination in itertools.product(*(given[name] for name in names))
    ]
    queries = [query.format(ids=values["ids"]) for query in QUERIES.get(rule.endpoint, [])]
    return urls + [urls[0] + query for query in queries]


def _pages(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        page = rule.endpoint not in NOT_PAGES and not DOWNLOAD.search(rule.rule)
        if "GET" in rule.methods and page:
            yield rule


class Walk:
    """What one walk collected: every HTML answer under a name saying who saw what."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.fragments: set[str] = set()
        self.seen: set[bytes] = set()
        self.answers: dict[str, int] = dict.fromkeys(ROLES, 0)  # HTML answers each role got
        self.per_role: dict[str, int] = dict.fromkeys(ROLES, 0)  # those no role got before
        self.requests = 0
        self.errors: list[str] = []

    def keep(self, role: str, what: str, response) -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.errors.append(f"{role} {what}: {response.status_code}")
        # a redirect's body is the framework's, and nobody sees it
        if not response.content_type.startswith("text/html") or 300 <= response.status_code < 400:
            return
        markup = response.text
        self.answers[role] += 1
        fingerprint = hashlib.sha256(TOKEN_VALUE.sub(r'\1"', markup).encode()).digest()
        if fingerprint in self.seen:
            return
        self.seen.add(fingerprint)
        name = f"{role}: {what} ({response.status_code})"
        self.pages[name] = markup
        if not markup.lstrip().lower().startswith("<!doctype"):
            self.fragments.add(name)
        self.per_role[role] += 1


def _log_in(client, email: str) -> None:
    token = TOKEN.search(client.get("/manage/anmelden").text).group(1)
    sent = client.post(
        "/manage/anmelden",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert sent.status_code == 303, sent.text


def _walk_gets(app, client, role, rules, values, tokens, walk) -> dict[str, str]:
    """Each route in full and as htmx's fragment; returns the form URLs a POST may try."""
    forms = {}
    for rule in rules:
        for url in _urls(app, rule, values, tokens):
            full = client.get(url)
            walk.keep(role, f"GET {url}", full)
            shown = full.status_code == 200 and full.content_type.startswith("text/html")
            # a public page's fragment is everyone's: asked for once, anonymously
            if shown and (role == "anonymous" or rule.rule.startswith("/manage")):
                walk.keep(
                    role, f"GET {url} (htmx)", client.get(url, headers={"HX-Request": "true"})
                )
            form = shown and "POST" in rule.methods and TOKEN.search(full.text) is not None
            if form and rule.endpoint not in ACTIONS and "?" not in url:
                forms[url] = full.text
    return forms


def _walk_posts(client, role, forms: dict[str, str], walk) -> None:
    """The forms sent back empty but for their CSRF token: the page with its errors."""
    for url, page in forms.items():
        data = {"csrf_token": TOKEN.search(page).group(1)}
        walk.keep(role, f"POST {url}", client.post(url, data=data))
        walk.keep(
            role, f"POST {url} (htmx)", client.post(url, data=data, headers={"HX-Request": "true"})
        )


def test_every_page_for_every_role_is_conforming_html(site, tmp_path):
    app, values, tokens, emails = site
    rules = list(_pages(app))
    walk = Walk()
    started = time.perf_counter()
    posts = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            _log_in(client, emails[role])
        forms = _walk_gets(app, client, role, rules, values, tokens, walk)
        if role in ("anonymous", "admin"):
            posts[role] = (client, forms)
    # last, as they may change what the pages show
    for role, (client, forms) in posts.items():
        _walk_posts(client, role, forms, walk)
    walked = time.perf_counter() - started
    problems = check(walk.pages, tmp_path / "pages", frozenset(walk.fragments))
    checked = time.perf_counter() - started - walked
    print(
        f"{walk.requests} requests; HTML answers by role {walk.answers}, of them "
        f"{len(walk.pages)} distinct ({len(walk.fragments)} fragments), first seen by "
        f"{walk.per_role}; walk {walked:.1f} s, check {checked:.1f} s"
    )

    assert walk.errors == []
    assert walk.per_role["anonymous"] >= 30
    assert min(walk.answers.values()) >= 30, walk.answers
    assert min(walk.per_role.values()) >= 10, walk.per_role
    assert len(walk.pages) >= 200
    report = "\n".join(str(p) for p in problems)
    assert problems == [], f"{len(problems)} problems:\n{report}"


# -- the slips the walk was written for, each on its own page ----------------------------


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id")


def repeated_ids(page: str) -> dict[str, int]:
    parser = Ids()
    parser.feed(page)
    return {name: n for name, n in parser.ids.items() if n > 1}


def test_pages_with_many_forms_repeat_no_id(app_factory):
    """Each attendance row, the settlement's steps and the admin's seminar actions are
    forms of their own, each with its CSRF token: the token's input has no id."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        seminar = factories.held_seminar()
        for n in range(3):
            factories.attend(factories.book_before(seminar, n), 1)
        admin = factories.user("admin")
        client = app.test_client()
        _log_in(client, admin.email)
        pages = [
            f"/manage/seminare/{seminar.id}/anwesenheit/1",
            f"/manage/seminare/{seminar.id}/abrechnung",
            f"/manage/admin/seminare/{seminar.id}",
        ]
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200, url
            assert page.text.count('name="csrf_token"') >= 2, url
            assert repeated_ids(page.text) == {}, url


def test_the_street_field_asks_browsers_for_the_first_address_line(client):
    factories.programme(interest_deadline=today_berlin() + timedelta(days=14))
    page = client.get("/interesse/vhs").text
    field = re.search(r'<input[^>]*name="new_vhs_street"[^>]*>', page).group(0)
    assert 'autocomplete="address-line1"' in field


def test_the_checker_sees_what_it_is_for(tmp_path):
    """The harness: html-validate with our rules flags a repeated id and an autocomplete
    value a text input cannot have, in a page and in a fragment, and passes good markup."""
    page = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>T</title></head>'
        '<body><main><form method="post"><input name="a" type="hidden" id="x">'
        '<label for="s">Straße</label>'
        '<input id="s" name="s" type="text" autocomplete="street-address">'
        '<input name="b" type="hidden" id="x"><button type="submit">OK</button></form>'
        "</main></body></html>"
    )
    fragment = '<p id="y">a</p><p id="y">b</p>'
    good = page.replace('id="x">', ">").replace("street-address", "address-line1")
    problems = check(
        {"page": page, "fragment": fragment, "good": good},
        tmp_path / "pages",
        frozenset({"fragment"}),
    )
    found = sorted((p.page, p.rule) for p in problems)
    assert found == [
        ("fragment", "no-dup-id"),
        ("page", "no-dup-id"),
        ("page", "valid-autocomplete"),
    ], problems
