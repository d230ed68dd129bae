"""The public interest forms and the programme year: the landing page names the year it
is for, starting the next year does not move the forms while this year's deadline is
open, and a closed form no longer says that changes are possible."""

import html
import re
from datetime import date, timedelta

import pytest

from app.core.formatting import date_long
from app.core.timeutil import today_berlin
from app.models import Programme
from tests import factories

TODAY = today_berlin()
CHANGES_POSSIBLE = "ändern oder zurückziehen"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def this_year(app):
    return factories.programme(
        title="Reihe 2025–2026",
        period_start=date(2025, 10, 1),
        period_end=date(2026, 11, 30),
        interest_deadline=TODAY + timedelta(days=10),
    )


def test_the_landing_page_names_the_programme_year(client, this_year):
    page = _text(client.get("/interesse").text)
    assert "Für das Programmjahr „Reihe 2025–2026“" in page
    assert "Seminare vom 01.10.2025 bis 30.11.2026" in page


def test_the_next_year_does_not_take_over_the_forms_while_this_years_are_open(client, this_year):
    following = factories.programme(
        title="Reihe 2026–2027",
        period_start=date(2026, 12, 1),
        period_end=date(2027, 11, 30),
        interest_deadline=None,
    )
    assert Programme.current() == following  # new seminars belong to the next year
    assert Programme.taking_interest(TODAY) == this_year
    for url in ("/interesse", "/interesse/vhs", "/interesse/integrationsrat"):
        page = client.get(url).text
        assert "noch nicht festgelegt" not in page, url
        assert date_long(this_year.interest_deadline) in page, url
    assert "„Reihe 2025–2026“" in _text(client.get("/interesse").text)
    assert 'id="interest-vhs-form"' in client.get("/interesse/vhs").text


def test_once_this_years_deadline_has_passed_the_next_year_is_shown(client, this_year):
    this_year.interest_deadline = TODAY - timedelta(days=1)
    following = factories.programme(
        title="Reihe 2026–2027",
        period_start=date(2026, 12, 1),
        period_end=date(2027, 11, 30),
        interest_deadline=TODAY + timedelta(days=30),
    )
    assert Programme.taking_interest(TODAY) == following
    assert "„Reihe 2026–2027“" in _text(client.get("/interesse").text)


@pytest.mark.parametrize("url", ["/interesse", "/interesse/vhs", "/interesse/integrationsrat"])
def test_after_the_deadline_no_page_says_changes_are_possible(client, app, url):
    factories.programme(interest_deadline=TODAY - timedelta(days=1))
    page = _text(client.get(url).text)
    assert "abgelaufen" in page
    assert CHANGES_POSSIBLE not in page


@pytest.mark.parametrize("url", ["/interesse/vhs", "/interesse/integrationsrat"])
def test_an_open_form_still_says_until_when_changes_are_possible(client, this_year, url):
    page = _text(client.get(url).text)
    assert f"bis einschließlich {date_long(this_year.interest_deadline)}" in page
    assert CHANGES_POSSIBLE in page
