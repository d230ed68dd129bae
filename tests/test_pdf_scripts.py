"""Every name a person can register with, printed on every PDF and read back with poppler's
pdftotext as people's PDF readers see it: in its own script, in logical order, Arabic
letters joined; and the longest names, titles and venues the forms allow stay on the page,
out of the footer, and break only between words."""

import html
import io
import re
import shutil
import subprocess
from datetime import date

from pypdf import PdfReader

from app.models import TrainerKind
from app.services.certificates import certificate_pdf, seminar_certificates_pdf
from app.services.settlement_documents import attendance_list_pdf
from app.services.trainers import set_tandem
from tests import factories

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))

# (last name, first name) as people type them
NAMES = [
    ("Nguyễn", "Thị Lan"),
    ("O'Neill", "Siobhán"),
    ("Çelik", "Ayşe"),
    ("Li", "张伟"),
    ("عبد الله", "محمد"),
    ("Ünal-Şahin", "Elif"),
    ("Papadopoulos", "Αλέξανδρος"),
    ("Иванов", "Дмитрий"),
    ("김", "민준"),
    ("ተስፋይ", "ሳምራዊት"),
    ("شاہد", "عمران"),
]


def _text(body: bytes) -> str:
    """pdftotext's reading of the PDF, without the direction marks it puts around
    right-to-left runs, spaces collapsed."""
    out = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=body, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().translate(BIDI_MARKS).split())


def _words(body: bytes) -> list[dict]:
    """Every word pdftotext finds, with its page, box (points) and the line it is on."""
    out = subprocess.run(
        [PDFTOTEXT, "-bbox-layout", "-enc", "UTF-8", "-", "-"],
        input=body,
        capture_output=True,
        check=True,
    )
    words = []
    pages = out.stdout.decode().split("<page ")[1:]
    for number, page in enumerate(pages, start=1):
        size = tuple(
            float(v) for v in re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        )
        for line in re.findall(r"<line .*?</line>", page, re.S):
            found = re.findall(WORD, line)
            texts = [html.unescape(text).translate(BIDI_MARKS) for *_box, text in found]
            for (*box, _text), text in zip(found, texts, strict=True):
                words.append(
                    {
                        "page": number,
                        "page_size": size,
                        "box": tuple(float(v) for v in box),
                        "text": text,
                        "line": " ".join(texts),
                    }
                )
    return words


def _overlap(a: tuple, b: tuple, slack: float = 0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _assert_laid_out(body: bytes) -> list[dict]:
    """No word leaves the page's margins and no two words overlap."""
    words = _words(body)
    margin = 20 / 25.4 * 72 - 2  # 20 mm, less a little for glyph overhang
    for word in words:
        width, height = word["page_size"]
        x0, y0, x1, y1 = word["box"]
        assert x0 >= margin and x1 <= width - margin, word
        assert y0 >= margin and y1 <= height - margin, word
    for index, word in enumerate(words):
        for other in words[index + 1 :]:
            if word["page"] == other["page"]:
                assert not _overlap(word["box"], other["box"]), (word, other)
    return words


def _assert_whole(words: list[dict], text: str) -> None:
    """Each part of ``text`` between spaces and hyphens is on one line as a whole."""
    lines = {word["line"] for word in words}
    for part in re.findall(r"[^\s-]+-?", text):
        assert any(part in line for line in lines), part


def _seminar(people, **overrides):
    seminar, booked = factories.seminar_held_with(people, **overrides)
    for person in booked:
        factories.record_days(person, True, True)
    return seminar, booked


def _fonts(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded
            fonts.append(str(font["/BaseFont"]))
    return sorted(set(fonts))


# -- every script --------------------------------------------------------------------


def test_every_name_reads_back_in_its_script_on_the_certificate(app):
    _, people = _seminar(NAMES)

    for person in people:
        body = certificate_pdf(person)
        assert f"{person.first_name} {person.last_name}" in _text(body), person.full_name
        # each font embedded as a subset (a six-letter tag before its name)
        assert all(re.fullmatch(r"/[A-Z]{6}\+\S+", font) for font in _fonts(body))


def test_a_fallback_font_is_embedded_only_where_a_name_needs_it(app):
    _, (nguyen, li, kim) = _seminar([("Nguyễn", "Thị Lan"), ("Li", "张伟"), ("김", "민준")])

    assert [f.split("+")[1] for f in _fonts(certificate_pdf(nguyen))] == [
        "DejaVuSansBold",
        "DejaVuSansBook",
    ]
    assert any("DroidSansFallback" in font for font in _fonts(certificate_pdf(li)))
    assert any("DroidSansFallback" in font for font in _fonts(certificate_pdf(kim)))


def _components(body: bytes, word: str) -> int:
    """How many separate dark shapes ``word`` is drawn as (one when its letters join)."""
    # pdftotext gives a word's box with its letters in the order they are drawn
    box = next(w["box"] for w in _words(body) if w["text"] in (word, word[::-1]))
    dpi = 200
    x0, y0, x1, y1 = (round(v * dpi / 72) for v in box)
    out = subprocess.run(
        [
            *(PDFTOPPM, "-r", str(dpi), "-gray", "-f", "1", "-l", "1"),
            *("-x", str(x0 - 2), "-y", str(y0 - 2), "-W", str(x1 - x0 + 4), "-H", str(y1 - y0 + 4)),
            "-",  # from standard input, a PGM to standard output
        ],
        input=body,
        capture_output=True,
        check=True,
    )
    # a binary PGM: "P5 width height 255" and a byte per pixel
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", out.stdout)
    width, height = int(header[1]), int(header[2])
    pixels = out.stdout[header.end() :]
    dark = {(x, y) for y in range(height) for x in range(width) if pixels[y * width + x] < 128}
    shapes = 0
    while dark:
        shapes += 1
        todo = [dark.pop()]
        while todo:
            x, y = todo.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if (x + dx, y + dy) in dark:
                        dark.remove((x + dx, y + dy))
                        todo.append((x + dx, y + dy))
    return shapes


def test_arabic_reads_right_to_left_with_its_letters_joined(app):
    _, (person,) = _seminar([("عبد الله", "محمد")])
    body = certificate_pdf(person)

    assert "محمد عبد الله" in _text(body)
    # م ح م د: four letters without dots, one shape when joined (four when not)
    assert _components(body, "محمد") == 1


def test_the_attendance_list_and_collection_print_every_script(app):
    seminar, _people = _seminar(NAMES)

    listed = _text(attendance_list_pdf(seminar, today=date(2026, 3, 1)))
    for last, first in NAMES:
        assert last in listed and first in listed, (last, first)
    collection, count = seminar_certificates_pdf(seminar)
    assert count == len(NAMES)
    everything = _text(collection)
    for last, first in NAMES:
        assert f"{first} {last}" in everything


def test_the_settlement_sheet_prints_trainers_in_their_script(client):
    seminar, _people = _seminar([("Schmidt", "Jonas")])
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (factories.trainer(name="张伟 Li").id, 0),
            TrainerKind.COUNCIL_FIELD: (
                factories.trainer("council_field", name="محمد عبد الله").id,
                0,
            ),
        },
    )
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    assert factories.login(client, account).status_code == 303

    body = client.get(f"/manage/seminare/{seminar.id}/abrechnung.pdf").data
    page = _text(body)
    assert "张伟 Li" in page and "محمد عبد الله" in page


# -- the longest the forms allow ---------------------------------------------------------

# 100 characters each (the forms' limit): hyphenated and spaced, and one word that cannot
# break at all
LONG_LAST = (
    "Papadopoulou-Wolfeschlegelsteinhausen von und zu Konstantinopolitanischer-Dudelsackpfeifen"
    "-Schmidtke"
)
LONG_FIRST = (
    "Maria-Magdalena Anna-Katharina Alexandra Friederike Charlotte-Sophie Wilhelmine Eleonore Luise"
)
UNBREAKABLE = ("Wolfeschlegelsteinhausenbergerdorff" * 3)[:100]


def _longest(**extra):
    assert len(LONG_LAST) == len(UNBREAKABLE) == 100 and len(LONG_FIRST) <= 100
    long_words = "Internationale Begegnungsstätte und Bildungszentrum der Volkshochschule"
    return _seminar(
        [(LONG_LAST, LONG_FIRST), (UNBREAKABLE, "Jo"), ("Li", UNBREAKABLE)],
        programme=factories.programme(title=((long_words + " ") * 3)[:200]),
        vhs=factories.vhs(
            name=(long_words + " Rhein-Sieg-Kreis-Nord-")[:160].ljust(160, "x"),
            town=("Mönchengladbach-Rheydt " * 5)[:100],
        ),
        venue_name=("Haus der Begegnung, Großer Saal im Erdgeschoss links, " * 3)[:160],
        venue_street=("Kaiser-Wilhelm-Ring-Verlängerung " * 5)[:160],
        venue_postcode="40213",
        venue_town=("Castrop-Rauxel-Habinghorst " * 4)[:100],
        **extra,
    )


def test_the_longest_names_title_and_venue_stay_on_the_certificate_above_its_footer(app):
    seminar, people = _longest()
    assert len(seminar.programme.title) == 200 and len(seminar.vhs.name) == 160

    for person in people:
        body = certificate_pdf(person)
        assert len(PdfReader(io.BytesIO(body)).pages) == 1
        words = _assert_laid_out(body)
        footer = [
            w
            for w in words
            if w["line"].startswith(("Eine Qualifizierungsreihe", "Landesintegrationsrats NRW"))
            or w["line"].startswith("Bescheinigung Nr.")
        ]
        assert len(footer) > 10
        footer_top = min(w["box"][1] for w in footer)
        assert all(w["box"][3] < footer_top for w in words if w not in footer)
        _assert_whole(words, person.first_name)
        _assert_whole(words, person.last_name)
        _assert_whole(words, seminar.venue_street)
        assert "Teilnahmebescheinigung" in _text(body)


def test_the_longest_names_wrap_whole_on_the_attendance_list(app):
    seminar, people = _longest()

    body = attendance_list_pdf(seminar, today=date(2026, 3, 1))
    words = _assert_laid_out(body)
    for person in people:
        _assert_whole(words, person.last_name)
        _assert_whole(words, person.first_name)
    assert "…" not in _text(body)


def test_the_longest_trainer_name_and_venue_wrap_whole_on_the_settlement_sheet(client):
    seminar, _people = _longest()
    trainer = ("Dr. " + LONG_FIRST + " " + LONG_LAST)[:160]
    set_tandem(
        seminar.id,
        {
            TrainerKind.ADULT_EDUCATOR: (factories.trainer(name=trainer).id, 0),
            TrainerKind.COUNCIL_FIELD: (factories.trainer("council_field", name=UNBREAKABLE).id, 0),
        },
    )
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    assert factories.login(client, account).status_code == 303

    body = client.get(f"/manage/seminare/{seminar.id}/abrechnung.pdf").data
    words = _assert_laid_out(body)
    _assert_whole(words, trainer)
    _assert_whole(words, UNBREAKABLE)
    _assert_whole(words, seminar.vhs.name)
    assert "…" not in _text(body)
