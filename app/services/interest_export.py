"""The overview of interest declarations as a table for spreadsheets: one line per
offered module, as filtered on the page. CSV and XLSX, each protected against
formulas as the participant list is (``app.services.exports``): the CSV prefixes an
apostrophe to a text a spreadsheet would run, the XLSX stores texts as text cells.
"""

import csv
import io

from app.core.formatting import date_short
from app.services.exports import safe_cell
from app.services.interest_overview import DeclarationRow, OfferRow

HEADER = [
    "Volkshochschule",
    "Ort",
    "Regierungsbezirk",
    "Neu im Verzeichnis",
    "Ansprechperson",
    "E-Mail-Adresse",
    "Telefon",
    "Modul",
    "1. Tag",
    "2. Tag",
    "Zeitraum (Wunsch)",
    "Raum",
    "Plätze im Raum",
    "Stufenlos erreichbar",
    "Integrationsräte",
    "Geschätzter Bedarf",
    "Status",
    "Begründung",
    "Seminar Nr.",
    "Hinweise",
]
WIDTHS = (30, 16, 14, 10, 22, 30, 16, 14, 11, 11, 22, 30, 10, 10, 40, 10, 22, 40, 10, 60)

Cell = str | int | None


def _yes(value: bool) -> str:
    return "ja" if value else "nein"


def _councils(row: DeclarationRow) -> str:
    return "; ".join(
        f"{near.town} ({', '.join(reason.label for reason in near.reasons)})" for near in row.near
    )


def line(row: DeclarationRow, offer: OfferRow) -> list[Cell]:
    return [
        row.vhs_name,
        row.town,
        row.region.label if row.region else "",
        _yes(row.new_vhs),
        row.contact_name,
        row.contact_email,
        row.contact_phone,
        offer.module.kind,
        date_short(offer.day1) if offer.day1 else "",
        date_short(offer.day2) if offer.day2 else "",
        offer.preferred_period,
        row.room,
        row.room_capacity,
        _yes(row.step_free),
        _councils(row),
        offer.demand,
        offer.status.label,
        offer.decision_reason,
        offer.seminar_id,
        " ".join(offer.warnings),
    ]


def lines(rows: list[DeclarationRow]) -> list[list[Cell]]:
    return [line(row, offer) for row in rows for offer in row.offers]


def as_csv(table: list[list[Cell]]) -> bytes:
    """UTF-8 with BOM and semicolons, for German Excel; every text formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for cells in table:
        writer.writerow(
            ["" if c is None else c if isinstance(c, int) else safe_cell(c) for c in cells]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[Cell]], title: str) -> bytes:
    """Texts as text cells (never a formula), counts as numbers."""
    from openpyxl import Workbook  # loaded on first use: worker memory
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cells in table:
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for n, width in enumerate(WIDTHS):
        sheet.column_dimensions[sheet.cell(row=1, column=n + 1).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
