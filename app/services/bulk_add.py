"""Adding several people at once: rows pasted or uploaded, previewed, then booked.

Reading (``read_pasted``, ``read_upload``): a table (``app.core.tables``) becomes rows
of the four registration fields. A header row is recognised by its names, German or
English, in any case and spelling (``HEADER_NAMES``); without one the columns are
taken in the fixed order Name, Vorname, Ort, E-Mail-Adresse. Columns the programme
does not need are left out (data minimisation) and the preview says so.

The fields are checked by the caller with the registration form's own validators;
a row that fails carries its ``problem``. Then ``preview`` says what would happen to
each row with the places free now, and ``add_rows`` books the rows one by one through
``registrations.book_seat``: each row its own short transaction under the seminar's
lock, so a public registration at the same moment takes its turn between two rows and
nobody is ever overbooked. The preview may be stale by then; the result is what
``add_rows`` returns.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa

from app import rules
from app.core import tables, tabular
from app.core.text import fold
from app.core.timeutil import today_berlin, utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import AuditEntry, Registration, RegistrationState, Seminar
from app.services import audit, messages
from app.services.audit import Action
from app.services.errors import ServiceError
from app.services.registrations import (
    AlreadyRegistered,
    Applicant,
    BookingError,
    RegistrationClosed,
    SeminarNotFound,
    book_seat,
    occupied,
)

MAX_PEOPLE = 500  # rows of people in one go
CELL_MAX = 300  # characters kept of a cell; longer ones are invalid anyway
HEADER_SEARCH = 5  # the header may follow a title line or two
FIELDS = ("last_name", "first_name", "town", "email")
LABELS = {
    "last_name": "Name",
    "first_name": "Vorname",
    "town": "Ort",
    "email": "E-Mail-Adresse",
}
# Header names, folded (``header_key``): lower case, no umlauts, no spaces or signs.
HEADER_NAMES = {
    "last_name": {"name", "nachname", "familienname", "zuname", "lastname", "surname"},
    "first_name": {"vorname", "vornamen", "rufname", "firstname", "givenname", "forename"},
    "town": {"ort", "wohnort", "stadt", "gemeinde", "kommune", "town", "city", "place"},
    "email": {
        "email",
        "mail",
        "emailadresse",
        "mailadresse",
        "emailaddress",
        "mailaddress",
        "emailadr",
    },
}


class BulkAddError(ServiceError):
    """The list as a whole cannot be read or used (each row's problems are the rows')."""


class BulkAddCapped(BulkAddError):
    """The account has added as many people within the hour as it may
    (``rules.PEOPLE_ADDED_PER_HOUR``): the list is refused as a whole."""


class BulkAddClosed(BulkAddError):
    """The seminar takes no more people (cancelled, not published, over)."""


@dataclass(frozen=True)
class Row:
    """One person as read; ``problem`` says why the row cannot be added ("" if it can)."""

    number: int
    last_name: str = ""
    first_name: str = ""
    town: str = ""
    email: str = ""
    problem: str = ""

    def applicant(self) -> Applicant:
        return Applicant(self.last_name, self.first_name, self.town, self.email)


@dataclass(frozen=True)
class Sheet:
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()  # what the person should know about the reading


class Outcome(StrEnum):
    CONFIRMED = "confirmed"  # a place
    WAITLISTED = "waitlisted"
    DUPLICATE = "duplicate"  # twice in the list, or registered already
    INVALID = "invalid"  # a field the form would refuse
    REFUSED = "refused"  # the seminar refused it when it came to adding


LEFT_OUT = {Outcome.DUPLICATE, Outcome.INVALID, Outcome.REFUSED}


@dataclass(frozen=True)
class RowResult:
    row: Row
    outcome: Outcome
    reason: str = ""
    position: int | None = None  # on the waiting list, once added

    @property
    def left_out(self) -> bool:
        return self.outcome in LEFT_OUT


# -- reading -----------------------------------------------------------------------


def read_pasted(text: str) -> Sheet:
    return _sheet(lambda: tables.read_text(text, max_rows=MAX_PEOPLE + HEADER_SEARCH))


def read_upload(data: bytes) -> Sheet:
    return _sheet(lambda: tables.read_file(data, max_rows=MAX_PEOPLE + HEADER_SEARCH))


def _sheet(read) -> Sheet:
    try:
        table = read()
    except tables.TableError as error:
        raise BulkAddError(messages.table_problem(error.problem, MAX_PEOPLE)) from error
    sheet = rows_from(table)
    if not sheet.rows:
        raise BulkAddError(messages.table_problem(tables.Problem.EMPTY, MAX_PEOPLE))
    if len(sheet.rows) > MAX_PEOPLE:
        raise BulkAddError(messages.table_problem(tables.Problem.TOO_MANY_ROWS, MAX_PEOPLE))
    return sheet


def header_key(cell: str) -> str:
    """'E-Mail-Adresse', 'e‑mail address' and 'EMAIL' alike: 'emailadresse' ..."""
    return re.sub(r"[^a-z0-9]", "", fold(cell))


def header_columns(cells: tuple[str, ...]) -> dict[str, int]:
    """The recognised columns of a row: field -> index (the first of each wins)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        for field, names in HEADER_NAMES.items():
            if key in names and field not in columns:
                columns[field] = index
    return columns


def rows_from(table: tables.Table) -> Sheet:
    notes = list(_reading_notes(table))
    for position, line in enumerate(table.lines[:HEADER_SEARCH]):
        columns = header_columns(line.cells)
        if len(columns) >= 2:
            return _rows_under_header(table, position, columns, notes)
    if not any("@" in cell for line in table.lines for cell in line.cells):
        raise BulkAddError(messages.BULK_NO_ADDRESSES)
    return Sheet(tuple(_row_in_fixed_order(line) for line in table.lines), tuple(notes))


def _rows_under_header(table, position: int, columns: dict[str, int], notes) -> Sheet:
    missing = [LABELS[field] for field in FIELDS if field not in columns]
    if missing:
        raise BulkAddError(messages.bulk_missing_columns(missing))
    header = table.lines[position]
    used = set(columns.values())
    ignored = [
        cell.strip()[:40]
        for index, cell in enumerate(header.cells)
        if index not in used and cell.strip()
    ]
    if ignored:
        notes.append(messages.bulk_columns_ignored(ignored))
    if position:
        notes.append(messages.bulk_lines_above_header([ln.number for ln in table.lines[:position]]))
    rows = tuple(
        Row(line.number, **{field: _cell(line.cells, columns[field]) for field in FIELDS})
        for line in table.lines[position + 1 :]
    )
    return Sheet(rows, tuple(notes))


def _row_in_fixed_order(line: tables.Line) -> Row:
    cells = list(line.cells)
    while cells and not cells[-1].strip():
        cells.pop()
    values = {field: _cell(cells, index) for index, field in enumerate(FIELDS)}
    problem = messages.BULK_TOO_MANY_CELLS if len(cells) > len(FIELDS) else ""
    return Row(line.number, **values, problem=problem)


def _cell(cells, index: int) -> str:
    text = cells[index] if index < len(cells) else ""
    return text if len(text) <= CELL_MAX else text[:CELL_MAX] + "…"


def _reading_notes(table: tables.Table):
    if table.encoding == "cp1252":
        yield messages.BULK_READ_AS_1252
    if table.sheet_count > 1:
        yield messages.bulk_sheet_read(table.sheet, table.sheet_count)


# -- what happens to each row ----------------------------------------------------------


def booking_day(seminar: Seminar, today: date) -> date:
    """The day an organiser's booking counts as made: organisers may add people after
    the public deadline and on the seminar days (as ``organiser.add_participant``)."""
    return min(today, seminar.registration_deadline)


def closed_message(seminar: Seminar, today: date | None = None) -> str | None:
    """Why nobody can be added to the seminar now, or None."""
    today = today or today_berlin()
    if today > seminar.day2:
        return messages.SEMINAR_OVER
    reason = seminar.closed_reason(booking_day(seminar, today))
    return messages.CLOSED[reason] if reason else None


def _sorted_out(rows, registered: set[str]) -> list[RowResult | None]:
    """Per row: why it is left out (invalid, twice in the list, registered already), or
    None when it goes to the booking."""
    first_row_of: dict[str, int] = {}
    sorted_out: list[RowResult | None] = []
    for row in rows:
        if row.problem:
            sorted_out.append(RowResult(row, Outcome.INVALID, row.problem))
            continue
        address = rules.normalize_email(row.email)
        if address in first_row_of:
            reason = messages.bulk_twice_in_list(first_row_of[address])
            sorted_out.append(RowResult(row, Outcome.DUPLICATE, reason))
        elif address in registered:
            sorted_out.append(RowResult(row, Outcome.DUPLICATE, messages.ALREADY_REGISTERED))
        else:
            first_row_of[address] = row.number
            sorted_out.append(None)
    return sorted_out


def registered_addresses(seminar_id: int) -> set[str]:
    """The addresses that hold a registration for the seminar (a cancelled one does
    not: booking takes it up again)."""
    return set(
        db.session.scalars(
            sa.select(Registration.email_normalized).where(
                Registration.seminar_id == seminar_id,
                Registration.state != RegistrationState.CANCELLED,
            )
        )
    )


def preview(seminar: Seminar, rows: list[Row]) -> list[RowResult]:
    """What adding the rows now would do: places while free, then the waiting list."""
    free = rules.free_places(seminar.capacity, occupied(seminar))
    results = []
    for row, left_out in zip(
        rows, _sorted_out(rows, registered_addresses(seminar.id)), strict=True
    ):
        if left_out is not None:
            results.append(left_out)
        elif free > 0:
            free -= 1
            results.append(RowResult(row, Outcome.CONFIRMED))
        else:
            results.append(RowResult(row, Outcome.WAITLISTED))
    return results


def added_recently(actor_id: int) -> int:
    """People the account added within ``rules.ADDED_WINDOW`` (the audit log's entries,
    read by its actor and time indexes)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            AuditEntry.action == Action.ADDED_BY_ORGANISER,
            AuditEntry.at >= utcnow() - rules.ADDED_WINDOW,
        )
    )


def check_hourly_cap(actor_id: int, rows: list[Row]) -> None:
    """``BulkAddCapped`` when the rows that can be added (those without a problem)
    would take the account past its hourly cap; checked at the preview and again
    before anything is added."""
    wanted = sum(1 for row in rows if not row.problem)
    added = added_recently(actor_id)
    if not rules.may_add_people(added, wanted):
        raise BulkAddCapped(messages.bulk_hourly_cap(added, wanted, rules.PEOPLE_ADDED_PER_HOUR))


def add_rows(
    seminar_id: int, rows: list[Row], *, actor_id: int, today: date | None = None
) -> list[RowResult]:
    """Book every row that can be booked, one transaction per row (``book_seat``),
    as the organiser ``actor_id``; the result of each row, in the list's order. The
    people added get the usual confirmation mail; the log gets one entry with the
    counts beside each person's own."""
    seminar = db.session.get(Seminar, seminar_id)
    if seminar is None:
        raise SeminarNotFound()
    today = today or today_berlin()
    closed = closed_message(seminar, today)
    if closed:
        raise BulkAddClosed(closed)
    check_hourly_cap(actor_id, rows)
    day = booking_day(seminar, today)
    done: list[RowResult | int] = []  # per row: its result, or the id of its registration
    closed_meanwhile = ""
    for row, left_out in zip(rows, _sorted_out(rows, set()), strict=True):
        if left_out is not None:
            done.append(left_out)
        elif closed_meanwhile:
            done.append(RowResult(row, Outcome.REFUSED, closed_meanwhile))
        else:
            try:
                done.append(_book(seminar_id, row, day, actor_id))
            except (RegistrationClosed, SeminarNotFound) as closed:
                # cancelled or withdrawn while the rows were added: so are the rows after
                closed_meanwhile = closed.message
                done.append(RowResult(row, Outcome.REFUSED, closed_meanwhile))
    booked = _booked_outcomes(seminar_id, [d for d in done if isinstance(d, int)])
    results = [
        d if isinstance(d, RowResult) else RowResult(row, *booked[d])
        for row, d in zip(rows, done, strict=True)
    ]
    _log(seminar_id, actor_id, results)
    return results


def _book(seminar_id: int, row: Row, day: date, actor_id: int) -> RowResult | int:
    """One row, in its own transaction under the seminar's lock (``book_seat``): the
    new registration's id, or why the row was refused."""
    try:
        registration = book_seat(seminar_id, row.applicant(), today=day, actor_id=actor_id)
    except AlreadyRegistered:
        return RowResult(row, Outcome.DUPLICATE, messages.ALREADY_REGISTERED)
    except (RegistrationClosed, SeminarNotFound):
        raise
    except BookingError as refused:
        return RowResult(row, Outcome.REFUSED, refused.message)
    return sa.inspect(registration).identity[0]  # committed: no reload for the id


def _booked_outcomes(seminar_id: int, ids: list[int]) -> dict[int, tuple[Outcome, str, int | None]]:
    """Where each booked registration stands now, with its waiting-list place: one
    query for them all (the waiting list in its order)."""
    if not ids:
        return {}
    wanted = set(ids)
    standing = db.session.execute(
        sa.select(Registration.id, Registration.state)
        .where(
            Registration.seminar_id == seminar_id,
            sa.or_(Registration.state == RegistrationState.WAITLISTED, Registration.id.in_(ids)),
        )
        .order_by(Registration.booked_at, Registration.id)
    ).all()
    outcomes: dict[int, tuple[Outcome, str, int | None]] = {}
    place = 0
    for registration_id, state in standing:
        if state == RegistrationState.WAITLISTED:
            place += 1
        if registration_id not in wanted:
            continue
        if state == RegistrationState.WAITLISTED:
            outcomes[registration_id] = (Outcome.WAITLISTED, "", place)
        elif state == RegistrationState.CANCELLED:  # cancelled by someone in the meantime
            outcomes[registration_id] = (Outcome.REFUSED, messages.BULK_CANCELLED_MEANWHILE, None)
        else:
            outcomes[registration_id] = (Outcome.CONFIRMED, "", None)
    return outcomes


def count(results: list[RowResult]) -> dict[Outcome, int]:
    return {outcome: sum(r.outcome == outcome for r in results) for outcome in Outcome}


def _log(seminar_id: int, actor_id: int, results: list[RowResult]) -> None:
    counts = count(results)
    if not counts[Outcome.CONFIRMED] + counts[Outcome.WAITLISTED]:
        return  # nothing changed
    with write_transaction():
        audit.record(
            Action.BULK_ADDED,
            seminar_id=seminar_id,
            actor_id=actor_id,
            detail=messages.bulk_added_detail(
                len(results),
                counts[Outcome.CONFIRMED],
                counts[Outcome.WAITLISTED],
                len(results) - counts[Outcome.CONFIRMED] - counts[Outcome.WAITLISTED],
            ),
        )


# -- the rows left out, for download ----------------------------------------------------

LEFT_OUT_HEADER = ["Zeile", "Name", "Vorname", "Ort", "E-Mail-Adresse", "Grund"]


def left_out_csv(results: list[RowResult]) -> bytes:
    """The rows not added with the reason, as the participant list is exported: UTF-8
    with BOM, semicolons, every cell formula-safe. Fixed, the file can be read again
    (its header is recognised; "Zeile" and "Grund" are left out)."""
    rows = [
        [r.row.number, r.row.last_name, r.row.first_name, r.row.town, r.row.email, str(r.reason)]
        for r in results
    ]
    return tabular.csv_bytes(LEFT_OUT_HEADER, rows)
