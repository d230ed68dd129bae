"""Reading a table that people paste or upload: CSV text or an Excel workbook (.xlsx).

Pure: bytes or text in, rows of text out, or a ``TableError`` naming the problem (the
services word it in German). What is read:

- CSV and pasted text, the separator (tab, semicolon or comma) found from the rows
  themselves; UTF-8 with or without BOM, and UTF-16 with its BOM (Excel's "Unicode
  text"). A file that is not UTF-8 is read as Windows-1252 (what German Excel writes as
  "CSV (Trennzeichen-getrennt)") only when that reading is unambiguous: every character
  then is a letter or a common sign, and none that other code pages use for letters
  (Turkish ğ ş ı, Polish ł ą ż would come out as ð þ ý ³ ¹ ¿). Anything else is refused
  and the person is asked for "CSV UTF-8". Text whose umlauts were encoded twice
  ("MÃ¼ller") is refused too.
- XLSX through openpyxl (read only, cached values, never formulas), after the zip's
  declared sizes were checked: a small file cannot unpack into a huge sheet.
- Limits: ``MAX_BYTES`` of input, ``max_rows`` rows with content, ``MAX_SCANNED``
  rows in all (empty ones included).
"""

import codecs
import csv
import io
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 1024 * 1024  # 1 MB, for a file and for pasted text alike
MAX_ROWS = 1000  # rows with content; callers pass their own
MAX_SCANNED = 5000  # rows read in all, empty ones included
MAX_UNPACKED = 16 * 1024 * 1024  # what an .xlsx may unpack to, all its parts together
MAX_COLUMNS = 50  # columns read from a sheet
SAMPLE = 50  # rows looked at to find the separator
SEPARATORS = ("\t", ";", ",")  # in this order when two fit equally well

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected .xlsx

# Signs a Windows-1252 text may hold besides letters; anything else is a hint that the
# bytes meant something else.
COMMON_SIGNS = set("\xa0€„“”‚‘’–—…·§°«»´")
# Letters in Windows-1252 whose bytes are letters of another kind in the Turkish and
# Central European code pages (ğ ş ı Ğ Ş İ, Ş ş): reading them as 1252 would guess.
AMBIGUOUS_LETTERS = set("ðþýÐÞÝªº")


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    NOT_A_TABLE = "not_a_table"
    ENCODING = "encoding"
    GARBLED = "garbled"
    OTHER_SPREADSHEET = "other_spreadsheet"


class TableError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Line:
    """A row with content: its number as the source counts it (line or sheet row)."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    lines: tuple[Line, ...]
    kind: str  # "text" (pasted), "csv" or "xlsx"
    encoding: str | None = None  # "utf-8", "utf-16", "cp1252"
    separator: str | None = None
    sheet: str | None = None
    sheet_count: int = 0


def read_text(text: str, max_rows: int = MAX_ROWS) -> Table:
    """Pasted text (from a spreadsheet, a mail, an editor)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise TableError(Problem.TOO_LARGE)
    if "\x00" in text:
        raise TableError(Problem.NOT_A_TABLE)
    _refuse_double_encoding(text)
    return _read_csv(text, "text", None, max_rows)


def read_file(data: bytes, max_rows: int = MAX_ROWS) -> Table:
    """An uploaded file, told apart by its content, not by its name."""
    if len(data) > MAX_BYTES:
        raise TableError(Problem.TOO_LARGE)
    if not data.strip():
        raise TableError(Problem.EMPTY)
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, max_rows)
    if data.startswith(OLE_MAGIC):
        raise TableError(Problem.OTHER_SPREADSHEET)
    text, encoding = decode(data)
    return _read_csv(text, "csv", encoding, max_rows)


# -- text ------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in (see the module's docstring)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return _checked(data[len(codecs.BOM_UTF8) :].decode("utf-8")), "utf-8"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _checked(data.decode("utf-16")), "utf-16"
    except UnicodeDecodeError as error:
        raise TableError(Problem.ENCODING) from error
    if b"\x00" in data:
        raise TableError(Problem.NOT_A_TABLE)  # a binary file (UTF-16 has its BOM above)
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:  # a byte 1252 does not define
        raise TableError(Problem.ENCODING) from error
    if not plausible_1252(text):
        raise TableError(Problem.ENCODING)
    return text, "cp1252"


def plausible_1252(text: str) -> bool:
    """Every non-ASCII character read as Windows-1252 is a letter or a common sign, and
    none of the letters that another code page would have meant otherwise."""
    for char in set(text):
        if char.isascii():
            continue
        if char in AMBIGUOUS_LETTERS:
            return False
        if unicodedata.category(char)[0] not in "LM" and char not in COMMON_SIGNS:
            return False
    return True


def _checked(text: str) -> str:
    if "\x00" in text:
        raise TableError(Problem.NOT_A_TABLE)
    _refuse_double_encoding(text)
    return text


def _refuse_double_encoding(text: str) -> None:
    """UTF-8 read as Windows-1252 and saved again ("MÃ¼ller"): undone, the text is
    valid UTF-8 that differs; a text as people write it never is."""
    if text.isascii():
        return
    try:
        undone = text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return
    if undone != text:
        raise TableError(Problem.GARBLED)


def _read_csv(text: str, kind: str, encoding: str | None, max_rows: int) -> Table:
    if not text.strip():
        raise TableError(Problem.EMPTY)
    separator = find_separator(text)
    lines = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
        start = 1
        for cells in reader:
            number, start = start, reader.line_num + 1
            if number > MAX_SCANNED:
                raise TableError(Problem.TOO_MANY_ROWS)
            if any(cell.strip() for cell in cells):
                lines.append(Line(number, tuple(cells)))
                if len(lines) > max_rows:
                    raise TableError(Problem.TOO_MANY_ROWS)
    except csv.Error as error:  # e.g. a field past csv's size limit
        raise TableError(Problem.NOT_A_TABLE) from error
    if not lines:
        raise TableError(Problem.EMPTY)
    return Table(tuple(lines), kind, encoding=encoding, separator=separator)


def find_separator(text: str) -> str:
    """The separator under which the first rows split into the same number of cells,
    two or more; ``NOT_A_TABLE`` when none does."""
    sample = [line for line in text.splitlines() if line.strip()][:SAMPLE]
    best, best_score = None, (0.0, 0)
    for separator in SEPARATORS:
        try:
            counts = [len(cells) for cells in csv.reader(sample, delimiter=separator)]
        except csv.Error:
            continue
        width, times = Counter(counts).most_common(1)[0]
        score = (times / len(counts), width)
        if width >= 2 and score > best_score:
            best, best_score = separator, score
    if best is None:
        raise TableError(Problem.NOT_A_TABLE)
    return best


# -- xlsx ------------------------------------------------------------------------


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    _check_zip(data)
    from openpyxl import load_workbook  # only when an .xlsx comes

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on styles and extensions
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = workbook.worksheets
                sheet = workbook.active if workbook.active in sheets else sheets[0]
                lines = _sheet_lines(sheet, max_rows)
                title, count = sheet.title, len(sheets)
            finally:
                workbook.close()
    except TableError:
        raise
    except Exception as error:  # a damaged or foreign file: openpyxl raises many kinds
        raise TableError(Problem.NOT_A_TABLE) from error
    if not lines:
        raise TableError(Problem.EMPTY)
    return Table(tuple(lines), "xlsx", sheet=title, sheet_count=count)


def _check_zip(data: bytes) -> None:
    """A workbook, and one that unpacks to a bounded size (its parts' declared sizes;
    the zip reader never reads past them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "xl/workbook.xml" not in names:
                opendocument = "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument"
                )
                raise TableError(Problem.OTHER_SPREADSHEET if opendocument else Problem.NOT_A_TABLE)
    except zipfile.BadZipFile as error:
        raise TableError(Problem.NOT_A_TABLE) from error
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED or len(entries) > 1000:
        raise TableError(Problem.TOO_LARGE)


def _sheet_lines(sheet, max_rows: int) -> list[Line]:
    lines = []
    for number, values in enumerate(
        sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
    ):
        if number > MAX_SCANNED:
            raise TableError(Problem.TOO_MANY_ROWS)
        cells = tuple(cell_text(value) for value in values)
        if any(cell.strip() for cell in cells):
            lines.append(Line(number, cells))
            if len(lines) > max_rows:
                raise TableError(Problem.TOO_MANY_ROWS)
    return lines


def cell_text(value) -> str:
    """A cell's value as text: whole numbers without ".0", nothing for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
