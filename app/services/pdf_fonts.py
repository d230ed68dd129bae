"""Which font prints which name: the fonts of every PDF, and the ones a text needs.

People register with names in any script. DejaVu Sans (regular and bold) prints Latin,
Greek, Cyrillic, Armenian, Georgian and Hebrew. A text with Arabic letters is set in Noto
Sans Arabic as a whole: DejaVu lacks letters of Urdu and Pashto (ہ ے ۍ), and a word whose
letters come from two fonts is shaped in two pieces that do not join. Scripts that neither
has (Chinese, Japanese, Korean, Ethiopic, the Indic and Southeast Asian scripts) come from
fallback fonts, each added to a document only when one of its texts needs it: Droid Sans
Fallback alone takes about half a second to load. Every font is embedded as a subset.
``static/fonts/VENDOR.md`` says where each file comes from and under which licence.
"""

import unicodedata
from functools import cache
from pathlib import Path

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"

MAIN = "DejaVu"
ARABIC = "NotoSansArabic"
# family -> file per style ("" regular, "B" bold)
FAMILIES = {
    MAIN: {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"},
    ARABIC: {"": "NotoSansArabic-Regular.ttf", "B": "NotoSansArabic-Bold.ttf"},
}
# regular only (bold text takes the regular glyphs), looked at in this order
FALLBACKS = (
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansGurmukhi-Regular.ttf",
    "NotoSansGujarati-Regular.ttf",
    "NotoSansTamil-Regular.ttf",
    "NotoSansTelugu-Regular.ttf",
    "NotoSansKannada-Regular.ttf",
    "NotoSansMalayalam-Regular.ttf",
    "NotoSansSinhala-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansLao-Regular.ttf",
    "NotoSansKhmer-Regular.ttf",
    "NotoSansMyanmar-Regular.ttf",
    "DroidSansFallback.ttf",  # Chinese, Japanese, Korean
)

# Arabic, Arabic Supplement, Extended-B and -A, Presentation Forms-A and -B
_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


def family_for(text: str) -> str:
    """The family a text is set in: Noto Sans Arabic when it has an Arabic letter."""
    for char in text:
        code = ord(char)
        if code >= 0x0600 and any(low <= code <= high for low, high in _ARABIC_RANGES):
            return ARABIC
    return MAIN


def needs_shaping(text: str) -> bool:
    """Whether a text needs HarfBuzz: right-to-left and joined scripts, the Indic and
    Southeast Asian ones, combining marks. Latin, Greek and Cyrillic with their precomposed
    letters (and the punctuation and currency signs after U+2000) do not: shaping them
    would cost a third more time for the same glyphs."""
    for char in text:
        code = ord(char)
        if code >= 0x0590 and not 0x2000 <= code <= 0x20CF:
            return True
        if code >= 0x0300 and unicodedata.combining(char):
            return True
    return False


@cache
def coverage(file: str) -> frozenset[int]:
    """The code points a font file has glyphs for (read once per process)."""
    from fontTools.ttLib import TTFont  # loaded with the first PDF

    with TTFont(FONTS / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def fallbacks_for(text: str) -> list[str]:
    """The fallback files that print what neither DejaVu nor Noto Sans Arabic has,
    in ``FALLBACKS`` order (empty for nearly every text)."""
    main, arabic = coverage(FAMILIES[MAIN][""]), coverage(FAMILIES[ARABIC][""])
    missing = {ord(c) for c in text if ord(c) not in main and ord(c) not in arabic}
    missing.discard(ord("\n"))
    needed = []
    for file in FALLBACKS:
        if not missing:
            break
        found = missing & coverage(file)
        if found:
            needed.append(file)
            missing -= found
    return needed
