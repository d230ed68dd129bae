"""Tables to download, written one way for every export: CSV and XLSX.

Each format protects the text as typed its own way against a spreadsheet that would run
it as a formula (OWASP CSV injection advice):

- CSV: UTF-8 with BOM, semicolons and CR LF, so German Excel opens it right; a text that
  starts like a formula gets an apostrophe (``safe_cell``). Dates are written the German
  way, as the pages show them; numbers as they are.
- XLSX: every text a string cell (never a formula), so it reads back exactly as typed;
  numbers as numbers, amounts as euro, dates and moments as dates (moments in Berlin
  wall-clock time: a spreadsheet knows no time zones). A header row is bold.

A table is its header and its rows; a cell is a text, a number, a date or moment,
``Euro`` (cents), ``Plain`` (a text of our own, written as is) or None (empty).
"""

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

from app.core.formatting import date_short, moment
from app.core.text import FORMULA_STARTS
from app.core.timeutil import to_berlin

# with their full-width forms, which some spreadsheets read as the ASCII ones
SHEET_TITLE_MAX = 31  # characters, the spreadsheet's own limit
DATE_FORMAT = "DD.MM.YYYY"
MOMENT_FORMAT = "DD.MM.YYYY HH:MM"
EURO_FORMAT = '#,##0.00 "€"'


class Plain(str):
    """A text the code wrote itself (a figure such as '-12,50'): written as is."""


class Euro(int):
    """An amount in cents: euro in the XLSX (a spreadsheet adds them up)."""


def safe_cell(value: str) -> str:
    """A text that no spreadsheet runs as a formula (OWASP CSV injection advice)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(cell):
    if cell is None:
        return ""
    if isinstance(cell, Plain):
        return str(cell)
    if isinstance(cell, str):
        return safe_cell(cell)
    if isinstance(cell, datetime):
        return moment(cell)
    if isinstance(cell, date):
        return date_short(cell)
    return cell


def csv_bytes(header: Sequence[str], rows) -> bytes:
    """The table as CSV for German Excel, every text formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, *tables: tuple[Sequence[str], list], widths=()) -> bytes:
    """One sheet named ``title`` with the tables (header, rows) one below the other, an
    empty row between them; ``widths`` of the columns from the first on."""
    from openpyxl import Workbook  # loaded on first use: worker memory
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:SHEET_TITLE_MAX]
    for n, (header, rows) in enumerate(tables):
        if n:
            sheet.append([])
        sheet.append(list(header))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.data_type = "s"
        for row in rows:
            sheet.append([_xlsx_value(cell) for cell in row])
            for cell, given in zip(sheet[sheet.max_row], row, strict=False):
                _xlsx_format(cell, given)
    for n, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(row=1, column=n + 1).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(cell):
    if isinstance(cell, Euro):
        return int(cell) / 100
    if isinstance(cell, datetime):
        return to_berlin(cell).replace(tzinfo=None)
    return cell


def _xlsx_format(cell, given) -> None:
    if isinstance(given, str):
        cell.data_type = "s"  # text, never a formula
    elif isinstance(given, Euro):
        cell.number_format = EURO_FORMAT
    elif isinstance(given, datetime):
        cell.number_format = MOMENT_FORMAT
    elif isinstance(given, date):
        cell.number_format = DATE_FORMAT
