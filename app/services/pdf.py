"""PDF basics: an A4 page in German with a title, its text tagged, every name printed in
its own script, and text broken into lines only between words.

fpdf2 (maintained, pure Python, embeds a subset of each TrueType font with its Unicode map,
so that every name can be printed, selected, searched and read back) gives us the
document language (``/Lang``), the title shown in the viewer's title bar and the
``/MarkInfo``. Its structure tree is flat and internal: ``tagged`` uses it to put every
text block into the tree as a heading or a paragraph (``/Document`` > ``/H1``, ``/P`` ...)
in reading order, and ``artifact`` marks rules and boxes as decoration. What it does not
offer: nested structure (a table is tagged row by row, each row a paragraph, not as
``/Table``/``/TR``/``/TD``) and PDF/UA conformance.

Scripts: text shaping (HarfBuzz through ``uharfbuzz``) joins Arabic letters, orders
right-to-left text by the Unicode bidirectional algorithm and places combining marks.
``normalize_text``, which fpdf2 calls before it measures or draws any text, asks
``pdf_fonts`` for the font of each text, the fallback fonts it needs (added only to the
documents that need them) and whether it needs shaping at all.

Lines: ``lines`` breaks a text at spaces and after hyphens, never inside a word; a word
too wide for the line on its own makes the whole text smaller instead. Every block and
table cell is drawn line by line from it, so what was measured is what is drawn.
"""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from fpdf import FPDF

from app.services.pdf_fonts import (
    FAMILIES,
    FONTS,
    MAIN,
    fallbacks_for,
    family_for,
    needs_shaping,
)

CREATOR = "Seminare der Integrationsräte NRW"

# A4 in millimetres, with the margins every document uses
MARGIN = 20
LINE = 1.45  # line height as a multiple of the font size (in mm)
PT = 0.3528  # millimetres per point

# where a line may break: after a space, after a hyphen between two letters or digits
_BREAK = re.compile(r"(?<= )|(?<=[^\s-]-)(?=[^\s-])")


@dataclass(frozen=True)
class Lines:
    """A text broken into lines, with the font size it fits at."""

    texts: list[str]
    size: float
    bold: bool

    @property
    def height(self) -> float:
        return len(self.texts) * self.size * PT * LINE


@dataclass(frozen=True)
class Block:
    """A paragraph or heading, as ``Document.block`` draws it."""

    text: str
    size: float = 11
    bold: bool = False
    role: str = "P"
    after: float = 2
    align: str = "L"


class Document(FPDF):
    """An A4 document in German with its own title. Pages break only where the
    builder says so (``add_page``) or where a block or row would not fit: a tagged block
    never spans two pages."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._add_family(MAIN)
        self._fallbacks: list[str] = []
        self.set_text_shaping(True)
        self._shaping = self.text_shaping  # switched on for the texts that need it
        self.set_fallback_fonts([MAIN], exact_match=False)
        self.set_lang("de")
        self.set_title(title)
        self.set_creator(CREATOR)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_font(MAIN, "", 11)

    # -- fonts -------------------------------------------------------------------------

    def normalize_text(self, text: str) -> str:
        """fpdf2 calls this before it measures or draws a text: the family is chosen
        for the text (Noto Sans Arabic for Arabic letters, else DejaVu Sans, which is
        also the fallback of the Arabic font), the fallback fonts it needs are added, and
        it is shaped when its script needs it."""
        self.text_shaping = self._shaping if needs_shaping(text) else None
        family = family_for(text)
        if family.lower() != self.font_family:
            self._add_family(family)
            self.set_font(family, self.font_style, self.font_size_pt)
        for file in fallbacks_for(text):
            name = file.removesuffix(".ttf")
            if name not in self._fallbacks:
                self.add_font(name, "", FONTS / file)
                self._fallbacks.append(name)
                self.set_fallback_fonts([MAIN, *self._fallbacks], exact_match=False)
        return super().normalize_text(text)

    def _add_family(self, family: str) -> None:
        for style, file in FAMILIES[family].items():
            if f"{family.lower()}{style}" not in self.fonts:
                self.add_font(family, style, FONTS / file)

    # -- structure ---------------------------------------------------------------

    @contextmanager
    def tagged(self, role: str) -> Iterator[None]:
        """Everything drawn inside is one structure element of ``role`` ("H1", "H2",
        "P") on the current page."""
        page = self.page
        mcid = self.struct_builder.next_mcid_for_page(page)
        self._add_marked_content(struct_type=f"/{role}", mcid=mcid)
        self._out(f"/{role} <</MCID {mcid}>> BDC")
        yield
        if self.page != page:
            raise RuntimeError("a tagged block must not span two pages")
        self._out("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Lines and boxes that are decoration, not content: skipped by screen readers."""
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    # -- text ----------------------------------------------------------------------

    def space_left(self) -> float:
        """Millimetres left above the bottom margin."""
        return self.h - MARGIN - self.y

    def line_height(self, size: float) -> float:
        return size * PT * LINE

    def lines(self, text: str, width: float, *, size: float = 11, bold: bool = False) -> Lines:
        """``text`` broken into lines for a box ``width`` mm wide: at spaces and after
        hyphens, never inside a word, and at its own line breaks. A word wider than the
        box on its own shrinks the font size of the whole text until it fits."""
        style = "B" if bold else ""
        room = width - 2 * self.c_margin
        self.set_font(MAIN, style, size)
        paragraphs = text.split("\n")
        if len(paragraphs) == 1 and self.get_string_width(text) <= room:
            return Lines([text], size, bold)
        words = [[w for w in _BREAK.split(p) if w] for p in paragraphs]
        widest = max((self.get_string_width(w.rstrip()) for ws in words for w in ws), default=0)
        if widest > room:
            size = max(1, int(size * room / widest * 20) / 20)  # down to the next 0.05 pt
            self.set_font(MAIN, style, size)
        texts = []
        for paragraph in words:
            line = ""
            for word in paragraph:
                if line and self.get_string_width((line + word).rstrip()) > room:
                    texts.append(line.rstrip())
                    line = word
                else:
                    line += word
            texts.append(line.rstrip())
        return Lines(texts, size, bold)

    def draw(self, lines: Lines, x: float, y: float, width: float, align: str = "L") -> None:
        """``lines`` one under the other in a box ``width`` mm wide from (``x``, ``y``)."""
        self.set_font(MAIN, "B" if lines.bold else "", lines.size)
        height = self.line_height(lines.size)
        for number, text in enumerate(lines.texts):
            self.set_xy(x, y + number * height)
            self.cell(width, height, text, align=align)

    def block(
        self,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        role: str = "P",
        after: float = 2,
        align: str = "L",
        width: float = 0,
    ) -> None:
        """A paragraph (or heading) across the width, wrapped, then ``after`` mm space;
        on a new page when it does not fit on this one."""
        width = width or self.epw
        lines = self.lines(text, width, size=size, bold=bold)
        if lines.height > self.space_left() and self.y > self.t_margin:
            self.add_page()
        top = self.y
        with self.tagged(role):
            self.draw(lines, self.l_margin, top, width, align)
        self.set_xy(self.l_margin, top + lines.height + after)

    def blocks_fitted(self, blocks: Sequence[Block], bottom: float) -> None:
        """``blocks`` from here down, every size and gap scaled down together (in
        steps of 5 %) until the last ends above ``bottom`` (the longest names, venues
        and titles the forms allow still leave the footer alone)."""
        top, scale = self.y, 1.0
        while True:
            laid = [self.lines(b.text, self.epw, size=b.size * scale, bold=b.bold) for b in blocks]
            height = sum(
                lines.height + b.after * scale for lines, b in zip(laid, blocks, strict=True)
            )
            if top + height <= bottom or scale <= 0.3:
                break
            scale -= 0.05
        for lines, b in zip(laid, blocks, strict=True):
            top = self.y
            with self.tagged(b.role):
                self.draw(lines, self.l_margin, top, self.epw, b.align)
            self.set_xy(self.l_margin, top + lines.height + b.after * scale)

    def row(
        self,
        cells: list[tuple[str, float, str]],
        *,
        size: float = 10,
        bold: bool = False,
        height: float | None = None,
        border: bool = True,
    ) -> None:
        """One table row, tagged as one paragraph: ``(text, width in mm, align)`` per cell.
        A cell's text wraps between words; the row is as high as its highest cell (at
        least ``height``) and goes to a new page when it does not fit on this one."""
        laid = [
            (self.lines(text, width, size=size, bold=bold), width, a) for text, width, a in cells
        ]
        height = max(
            height or 0, self.line_height(size) + 2, *(lines.height + 2 for lines, _w, _a in laid)
        )
        if height > self.space_left() and self.y > self.t_margin:
            self.add_page()
        top = self.y
        with self.tagged("P"):
            x = self.l_margin
            for lines, width, align in laid:
                self.draw(lines, x, top + (height - lines.height) / 2, width, align)
                x += width
        if border:
            with self.artifact():
                x = self.l_margin
                for _lines, width, _align in laid:
                    self.rect(x, top, width, height)
                    x += width
        self.set_xy(self.l_margin, top + height)

    def rule(self, gap: float = 3) -> None:
        """A thin line across the page (decoration)."""
        with self.artifact():
            self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(gap)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
