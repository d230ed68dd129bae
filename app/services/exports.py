"""The participant list the council sends to the Landesintegrationsrat: CSV and XLSX."""

import csv
import io

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from app.core.formatting import moment
from app.core.text import fold
from app.extensions import db
from app.models import Registration, RegistrationState, Seminar
from app.services.attendance import presence

HEADER = [
    "Name",
    "Vorname",
    "Ort",
    "E-Mail-Adresse",
    "Status",
    "Angemeldet am",
    "Anwesend Tag 1",
    "Anwesend Tag 2",
]
# confirmed first, then the waiting list, then cancellations; names in German order
LIST_ORDER = {
    RegistrationState.CONFIRMED: 0,
    RegistrationState.WAITLISTED: 1,
    RegistrationState.CANCELLED: 2,
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A text that no spreadsheet runs as a formula (OWASP CSV injection advice)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _attendance_label(states: dict[int, bool], registration: Registration) -> str:
    if registration.state != RegistrationState.CONFIRMED:
        return ""
    if registration.id not in states:
        return "nicht erfasst"
    return "ja" if states[registration.id] else "nein"


def participant_rows(seminar: Seminar) -> list[list[str]]:
    registrations = sorted(
        db.session.scalars(sa.select(Registration).where(Registration.seminar_id == seminar.id)),
        key=lambda r: (LIST_ORDER[r.state], fold(r.last_name), fold(r.first_name)),
    )
    day1, day2 = presence(seminar.id, 1), presence(seminar.id, 2)
    return [
        [
            safe_cell(r.last_name),
            safe_cell(r.first_name),
            safe_cell(r.town),
            safe_cell(r.email),
            r.state.label,
            moment(r.created_at),
            _attendance_label(day1, r),
            _attendance_label(day2, r),
        ]
        for r in registrations
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM and semicolons, so German Excel opens it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list[str]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    for column, width in zip("ABCDEFGH", (22, 18, 18, 32, 12, 20, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
