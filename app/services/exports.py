"""The participant list the council sends to the Landesintegrationsrat: CSV and XLSX.

``participant_rows`` holds the text as typed. Each format protects it its own way: the
CSV prefixes an apostrophe to a cell that a spreadsheet would run as a formula
(``safe_cell``); the XLSX stores every cell as a string cell, which no spreadsheet runs,
so the name reads back exactly as typed.
"""

import csv
import io

import sqlalchemy as sa

from app.core.formatting import moment
from app.core.text import FORMULA_STARTS, fold
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
    "Anwesenheit Tag 1",
    "Anwesenheit Tag 2",
]
# confirmed first, then the waiting list, then cancellations; names in German order
LIST_ORDER = {
    RegistrationState.CONFIRMED: 0,
    RegistrationState.WAITLISTED: 1,
    RegistrationState.CANCELLED: 2,
}
PRESENT, ABSENT, NOT_RECORDED = "anwesend", "abwesend", "nicht erfasst"


def safe_cell(value: str) -> str:
    """A text that no spreadsheet runs as a formula (OWASP CSV injection advice)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def attendance_label(states: dict[int, bool], registration: Registration) -> str:
    """'anwesend', 'abwesend' or 'nicht erfasst' for a confirmed person, else ''."""
    if registration.state != RegistrationState.CONFIRMED:
        return ""
    if registration.id not in states:
        return NOT_RECORDED
    return PRESENT if states[registration.id] else ABSENT


def participant_rows(seminar: Seminar, with_waitlist: bool = False) -> list[list[str]]:
    """The list for the LIR: the confirmed people, and on request the waiting list after
    them (held places whose address is unproven and cancellations are never in it). As
    typed; ``as_csv`` and ``as_xlsx`` protect it each in their own way."""
    states = [RegistrationState.CONFIRMED]
    if with_waitlist:
        states.append(RegistrationState.WAITLISTED)
    registrations = sorted(
        db.session.scalars(
            sa.select(Registration).where(
                Registration.seminar_id == seminar.id, Registration.state.in_(states)
            )
        ),
        key=lambda r: (LIST_ORDER[r.state], fold(r.last_name), fold(r.first_name)),
    )
    day1, day2 = presence(seminar.id, 1), presence(seminar.id, 2)
    return [
        [
            r.last_name,
            r.first_name,
            r.town,
            r.email,
            r.state.label,
            moment(r.created_at),
            attendance_label(day1, r),
            attendance_label(day2, r),
        ]
        for r in registrations
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM and semicolons, so German Excel opens it right; every cell
    formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list[str]], title: str) -> bytes:
    """Every cell a string cell: the text as typed, never a formula."""
    from openpyxl import Workbook  # loaded on first use: worker memory
    from openpyxl.styles import Font

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
