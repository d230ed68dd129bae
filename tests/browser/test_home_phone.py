"""The home page's first screen on a phone (390 x 844): the heading breaks at a
syllable with a hyphen (Chromium on Linux has no hyphenation dictionary, so the long
word carries soft hyphens), and the search and the start of the list are in view."""

import os
from datetime import timedelta
from itertools import pairwise

import pytest

from app.core.timeutil import today_berlin
from tests import factories
from tests.browser.conftest import PHONE, hand_over

# The places where "Integrationsratsmitglieder" may break: after these beginnings.
SYLLABLES = {"Integrations", "Integrationsrats", "Integrationsratsmit"}

LINES = """
(selector) => {
  const heading = document.querySelector(selector);
  const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
  const lines = [];
  let top = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = Array.from(range.getClientRects()).filter((r) => r.width > 0).pop();
      if (!rect) { if (lines.length) lines[lines.length - 1] += node.data[i]; continue; }
      if (top === null || rect.top > top + 2) { lines.push(""); top = rect.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}
"""


@pytest.fixture
def listed(app):
    today = today_berlin()
    for n, town in enumerate(("Köln", "Bonn", "Essen", "Münster")):
        factories.seminar(
            vhs=factories.vhs(name=f"Volkshochschule {town}", town=town),
            venue_town=town,
            day1=today + timedelta(days=14 + 7 * n),
        )
    hand_over()


WORD = "Integrationsratsmitglieder"


def word_breaks(lines: list[str]) -> list[tuple[str, bool]]:
    """Each break inside the long word: its first part, and whether a hyphen shows."""
    found = []
    for line, following in pairwise(lines):
        beginning = line.replace("\u00ad", "").split()[-1] if line.split() else ""
        if beginning != WORD and WORD.startswith(beginning) and following.strip():
            found.append((beginning, line.endswith("\u00ad")))
    return found


@pytest.mark.parametrize("width", [390, 360, 320])
def test_the_heading_breaks_at_a_syllable_with_a_hyphen_on_a_phone(listed, new_page, width):
    page = new_page("phone", viewport={"width": width, "height": 844})
    page.goto("/")
    lines = page.evaluate(LINES, "main h1")
    text = "".join(lines).replace("\u00ad", "")
    assert text == "Seminare für " + WORD, lines
    for beginning, hyphen in word_breaks(lines):
        assert beginning in SYLLABLES, lines  # never "Integrationsratsmitglied / er"
        assert hyphen, lines  # the break shows a hyphen
    if width == 390 and os.environ.get("SCREENSHOTS_TO"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS_TO"], "home-phone-first.png"))


def test_the_first_screen_of_a_phone_shows_the_search_and_the_list(listed, new_page):
    page = new_page("phone")
    page.goto("/")
    height = PHONE["viewport"]["height"]
    place = page.get_by_label("Ihr Wohnort").bounding_box()
    button = page.get_by_role("button", name="Seminare anzeigen").bounding_box()
    title = page.locator("#seminar-results .card-title").first.bounding_box()
    assert button["y"] + button["height"] <= height, button
    assert place["y"] + place["height"] <= height, place
    assert title["y"] + 24 <= height, title  # the first seminar's title begins in view
