"""The page in Leichte Sprache (BITV NRW): its questions, the hold time from the
setting, the footer link on every page, and the rules of Leichte Sprache a test can
hold: short sentences, no abbreviations, numbers as digits."""

import html
import re
from html.parser import HTMLParser

from tests import factories

URL = "/leichte-sprache"
HEADINGS = [
    "Was ist ein Integrationsrat?",
    "Was ist das Seminar?",
    "Welche Seminare gibt es?",
    "Wer darf mitmachen?",
    "Was kostet das Seminar?",
    "Wie melde ich mich an?",
    "Wie bestätige ich meinen Platz?",
    "Was ist die Warteliste?",
    "Wie sage ich ab?",
    "Wo finde ich den Link wieder?",
    "Wen kann ich fragen?",
]
MAX_WORDS = 15
# Elements that start a new piece of text: a sentence never runs across them.
BLOCKS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "div", "br"}
# after ".", "!" or "?", but not after an ordinal number ("das 1. Seminar")
SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\d\.)\s+")
FOOTER_LINK = re.compile(r'<a href="/leichte-sprache">Leichte Sprache</a>')


class Blocks(HTMLParser):
    """The text of ``<main>``, cut at every block element and line break."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.blocks: list[str] = []
        self._current: list[str] = []

    def _flush(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if self.depth and tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if self.depth and tag in BLOCKS | {"main"}:
            self._flush()
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self._current.append(data)


def sentences(page: str) -> list[str]:
    parser = Blocks()
    parser.feed(page)
    parser.close()
    return [s for block in parser.blocks for s in SENTENCE_END.split(block) if s]


def main_text(page: str) -> str:
    return " ".join(sentences(page))


def words(sentence: str) -> list[str]:
    return [w for w in re.split(r"\s+", sentence) if re.search(r"\w", w)]


def test_the_sentence_splitter_sees_what_it_is_for():
    page = (
        "<header><p>Ein sehr langer Satz im Kopf zählt hier gar nicht mit.</p></header>"
        "<main><h2>Wer darf mitmachen?</h2><p>Sie dürfen.<br>Das 1. ist gut! Wirklich.</p>"
        "<ul><li>Ihren Namen</li><li>Ihren Ort: <a href='/'>die Stadt</a>.</li></ul></main>"
    )
    assert sentences(page) == [
        "Wer darf mitmachen?",
        "Sie dürfen.",
        "Das 1. ist gut!",
        "Wirklich.",
        "Ihren Namen",
        "Ihren Ort: die Stadt.",
    ]
    assert len(words("Öffnen Sie bitte den Link: 48 Stunden – dann ist es gut.")) == 11


def test_the_page_answers_with_its_questions(client):
    response = client.get(URL)
    assert response.status_code == 200
    text = main_text(response.text)
    assert "<title>Leichte Sprache – " in response.text
    assert "Seminare für Integrationsräte in Leichter Sprache" in text
    for heading in HEADINGS:
        assert f">{heading}</h2>" in response.text, heading
    # what the page must say
    assert "Das Seminar ist für Sie kostenlos." in text
    assert "Wir halten den Platz 48 Stunden für Sie frei." in text
    assert "48 Stunden sind 2 Tage." in text
    assert 'href="/anmeldung/link-senden">Link erneut senden</a>' in response.text
    assert "Dann fragen Sie bitte die Volkshochschule von Ihrem Seminar." in text


def test_the_page_says_first_that_it_is_in_leichte_sprache(client):
    page = client.get(URL).text
    main = page[page.index("<main") :]
    note = re.search(r'<p class="notice" role="note">(.*?)</p>', main, re.S)
    assert note is not None
    assert main.index(note.group(0)) < main.index("<h1>")
    assert "Diese Seite ist in Leichter Sprache." in note.group(1)
    assert '<a href="/">Start-Seite in Alltags-Sprache</a>' in note.group(1)


def test_htmx_gets_the_fragment(client, htmx):
    response = client.get(URL, headers=htmx)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<h1>Seminare für Integrationsräte in Leichter Sprache</h1>" in response.text


def test_the_hold_time_comes_from_the_setting(app_factory):
    app = app_factory(HOLD_HOURS=24)
    with app.app_context():
        text = html.unescape(app.test_client().get(URL).text)
    assert "Wir halten den Platz 24 Stunden für Sie frei." in text
    assert "24 Stunden sind 1 Tag." in text
    assert "48 Stunden" not in text


def test_an_odd_hold_time_is_said_in_hours_only(app_factory):
    app = app_factory(HOLD_HOURS=1)
    with app.app_context():
        text = html.unescape(app.test_client().get(URL).text)
    assert "Wir halten den Platz 1 Stunde für Sie frei." in text
    assert " sind 0 Tage" not in text and "Stunden sind" not in text


def test_the_footer_links_to_the_page_everywhere(client, htmx):
    seminar = factories.seminar()
    for url in ["/", f"/seminare/{seminar.id}", f"/vhs/{seminar.vhs.slug}", URL, "/impressum"]:
        page = client.get(url).text
        footer = page[page.index('<footer class="site-footer">') :]
        assert len(FOOTER_LINK.findall(footer)) == 1, url
    # the organisers' pages share the layout, and so the link
    assert FOOTER_LINK.search(client.get("/manage/anmelden").text)


def test_no_sentence_has_more_than_15_words(client):
    found = sentences(client.get(URL).text)
    assert len(found) > 80  # the whole main text, not a stray piece of it
    too_long = [s for s in found if len(words(s)) > MAX_WORDS]
    assert too_long == [], too_long


def test_no_abbreviations_and_numbers_as_digits(client):
    text = main_text(client.get(URL).text)
    # the only abbreviation is "VHS", once, after "Volkshochschule" is explained
    assert re.findall(r"\b[A-ZÄÖÜ]{2,}\b", text) == ["VHS"]
    assert text.index("Eine Volkshochschule ist eine Schule für Erwachsene.") < text.index("VHS")
    for short in ("z. B.", "z.B.", "bzw.", "usw.", "ggf.", "d. h.", "evtl.", "ca.", "Nr.", "e.V."):
        assert short not in text, short
    number_words = r"\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig)\b"
    assert re.findall(number_words, text, re.I) == []
