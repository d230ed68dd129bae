"""How people's text is cleaned on input and compared in searches and duplicate checks."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark, spelled
# as people type them on a German keyboard.
PLAIN_LETTERS = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ŋ": "n",
        "ĸ": "k",
        "ſ": "s",
    }
)
UMLAUT_SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def clean(value: str | None) -> str:
    """Trim, unify Unicode (NFC) and collapse runs of inner spaces."""
    if value is None:
        return ""
    return re.sub(" {2,}", " ", unicodedata.normalize("NFC", value)).strip()


# Format characters that belong to how names are written: the zero-width non-joiner
# (Persian, e.g. "Mohammad‌Reza"), the zero-width joiner, the soft hyphen.
WRITING_MARKS = {"\u200c", "\u200d", "\u00ad"}


# What a spreadsheet reads as the start of a formula (OWASP CSV injection advice), with
# the full-width forms some spreadsheets read as the ASCII ones: the exports neutralise
# it (``exports.safe_cell``), the forms refuse it in names (``validators.PersonName``).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# Every MIME encoded word (RFC 2047, "=?utf-8?q?...?=") opens with this. Mail programs
# decode such words in a header, "=0D=0A" into a real line break.
ENCODED_WORD_START = "=?"


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} and ch not in WRITING_MARKS
        for ch in value
    )


def fold(text: str) -> str:
    """The form in which names and towns are compared: case, accents, German umlaut
    spellings (ae/oe/ue, ß/ss) and letters without a decomposition (ı, ł, ø, đ) are
    ignored, so "Yıldız" finds "Yildiz" and "Köln" finds "Koeln"."""
    text = text.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.translate(PLAIN_LETTERS)
    for spelled, plain in UMLAUT_SPELLINGS:
        text = text.replace(spelled, plain)
    return text
