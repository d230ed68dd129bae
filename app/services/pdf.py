"""PDF basics: an A4 page with DejaVu Sans embedded, German as the document language, a
title, and its text tagged.

fpdf2 (maintained, pure Python, embeds a subset of a TrueType font with its Unicode map,
so that every name can be printed, selected, searched and read back) gives us the
document language (``/Lang``), the title shown in the viewer's title bar and the
``/MarkInfo``. Its structure tree is flat and internal: ``tagged`` uses it to put every
text block into the tree as a heading or a paragraph (``/Document`` > ``/H1``, ``/P`` ...)
in reading order, and ``artifact`` marks rules and boxes as decoration. What it does not
offer: nested structure (a table is tagged row by row, each row a paragraph, not as
``/Table``/``/TR``/``/TD``), PDF/UA conformance, text shaping of scripts that need it
(Arabic, for instance) and glyphs that DejaVu Sans lacks (CJK).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FAMILY = "DejaVu"
CREATOR = "Seminare der Integrationsräte NRW"

# A4 in millimetres, with the margins every document uses
MARGIN = 20
LINE = 1.45  # line height as a multiple of the font size (in mm)
PT = 0.3528  # millimetres per point


class Document(FPDF):
    """An A4 document in German with its own title. Pages break only where the
    builder says so (``add_page``): a tagged block never spans two pages."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_lang("de")
        self.set_title(title)
        self.set_creator(CREATOR)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_font(FAMILY, "", 11)

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
        """A paragraph (or heading) across the width, wrapped, then ``after`` mm space."""
        self.set_font(FAMILY, "B" if bold else "", size)
        with self.tagged(role):
            self.multi_cell(
                width,
                self.line_height(size),
                text,
                align=align,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.ln(after)

    def row(
        self,
        cells: list[tuple[str, float, str]],
        *,
        size: float = 10,
        bold: bool = False,
        height: float | None = None,
        border: bool = True,
    ) -> None:
        """One table row, tagged as one paragraph: ``(text, width in mm, align)`` per cell,
        each cut to its width (a row never wraps)."""
        self.set_font(FAMILY, "B" if bold else "", size)
        height = height or self.line_height(size) + 2
        with self.tagged("P"):
            for text, width, align in cells:
                self.cell(width, height, self.fit(text, width - 2), align=align)
        if border:
            with self.artifact():
                x = self.l_margin
                for _text, width, _align in cells:
                    self.rect(x, self.y, width, height)
                    x += width
        self.ln(height)

    def fit(self, text: str, width: float) -> str:
        """``text`` shortened with "…" until it fits ``width`` mm in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def rule(self, gap: float = 3) -> None:
        """A thin line across the page (decoration)."""
        with self.artifact():
            self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(gap)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
