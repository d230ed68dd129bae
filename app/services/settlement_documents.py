"""The settlement as files: the sheet as XLSX and PDF (figures only), and the attendance
list to be signed as PDF (names: personal data, never for observers)."""

from datetime import date
from typing import TYPE_CHECKING

from app.core import tabular
from app.core.formatting import clock, date_long, date_short, euro, moment
from app.core.tabular import Euro
from app.core.timeutil import today_berlin
from app.models import Seminar
from app.services.certificates import standings
from app.services.settlement import TRAINER_COLUMNS, Sheet, figures_of

if TYPE_CHECKING:  # fpdf2 loads with the first PDF (worker memory)
    from app.services.pdf import Document

STATE_TEXT = {None: "nicht erfasst", True: "anwesend", False: "abwesend"}


def _about(sheet: Sheet) -> list[tuple[str, str]]:
    """Which seminar the sheet settles: (label, text), as recorded once submitted."""
    about = sheet.about
    return [
        ("Seminar", f"Nr. {sheet.seminar.id}, {about['module'].label}"),
        ("Volkshochschule", about["vhs"]),
        ("Veranstaltungsort", f"{about['venue_name']}, {about['venue_town']}"),
        ("1. Tag", date_short(about["day1"])),
        ("2. Tag", date_short(about["day2"])),
        ("Stand der Abrechnung", sheet.state.label),
    ]


def _rows(sheet: Sheet) -> list[tuple[str, object]]:
    """The sheet's figures in order (``figures_of``), then when it moved and why nothing
    is funded, where that applies."""
    line = sheet.line
    rows: list[tuple[str, object]] = figures_of(line)
    if line.not_fundable_reason:
        rows.append(("Nicht förderfähig", line.not_fundable_reason))
    for _step, label, at in sheet.moves():
        rows.append((f"{label} am", moment(at)))
    if line.frozen_on is not None:
        rows.append(("Zahlen eingefroren am", date_short(line.frozen_on)))
    return rows


def _euro_label(label: str) -> bool:
    return label.endswith("(EUR)")


def _shown(label: str, value) -> str:
    if value is None:
        return "–"
    if _euro_label(label):
        return euro(value)
    return str(value)


# -- XLSX ----------------------------------------------------------------------------


def settlement_xlsx(sheet: Sheet) -> bytes:
    """Label and value per row; amounts as numbers in euro (a spreadsheet adds them up),
    every text a string cell, never a formula."""
    figures = [
        [label, _xlsx_value(label, value)] for label, value in [*_about(sheet), *_rows(sheet)]
    ]
    trainers = [
        [trainer.name, "ja" if funded else "nein", Euro(travel)]
        for trainer, funded, travel in sheet.trainers
    ]
    return tabular.xlsx_bytes(
        f"Abrechnung {sheet.seminar.id}",
        (["Posten", "Wert"], figures),
        ([*TRAINER_COLUMNS[:2], f"{TRAINER_COLUMNS[2]} (EUR)"], trainers),
        widths=(40, 48, 26),
    )


def _xlsx_value(label: str, value):
    if _euro_label(label) and value is not None:
        return Euro(value)
    if isinstance(value, int):
        return value
    return "" if value is None else value


def settlement_filename(seminar: Seminar, extension: str) -> str:
    return f"abrechnung-seminar-{seminar.id}-{seminar.day1.isoformat()}.{extension}"


# -- PDF -----------------------------------------------------------------------------


def settlement_pdf(sheet: Sheet) -> bytes:
    from app.services.pdf import Document  # fpdf2 loads with the first PDF

    seminar = sheet.seminar
    document = Document(f"Abrechnung Seminar Nr. {seminar.id}")
    document.add_page()
    document.block("Qualifizierungsreihe für Mitglieder der Integrationsräte in NRW", size=9)
    document.block(f"Abrechnung Seminar Nr. {seminar.id}", size=18, bold=True, role="H1", after=1)
    for label, value in _about(sheet)[:-1]:
        document.block(f"{label}: {value}", after=0)
    document.block(
        f"Stand der Abrechnung: {sheet.state.label}, erstellt am {date_short(today_berlin())}",
        after=3,
    )
    width = document.w - document.l_margin - document.r_margin
    for label, value in _rows(sheet):
        document.row([(label, width * 0.55, "L"), (_shown(label, value), width * 0.45, "R")])
    document.ln(4)
    document.block("Trainer*innen", size=12, bold=True, role="H2", after=1)
    document.row(
        [
            (TRAINER_COLUMNS[0], width * 0.55, "L"),
            (TRAINER_COLUMNS[1], width * 0.15, "C"),
            (TRAINER_COLUMNS[2], width * 0.30, "R"),
        ],
        bold=True,
    )
    for trainer, funded, travel in sheet.trainers:
        document.row(
            [
                (trainer.name, width * 0.55, "L"),
                ("ja" if funded else "nein", width * 0.15, "C"),
                (euro(travel), width * 0.30, "R"),
            ]
        )
    if not sheet.trainers:
        document.block("Keine Trainer*innen zugeordnet.")
    document.ln(6)
    if sheet.settlement is not None and sheet.settlement.note:
        document.block(f"Hinweis der Landesebene: {sheet.settlement.note}")
    _signature(document, f"Für die {sheet.about['vhs']}: Ort, Datum, Unterschrift")
    return document.to_bytes()


def _signature(document: "Document", label: str) -> None:
    """A line to sign on, at the bottom of the page (a new page when it does not fit)."""
    if document.space_left() < 30:
        document.add_page()
    document.set_y(document.h - document.t_margin - 20)
    document.rule(gap=1)
    document.block(label, size=9, after=0)


# -- the attendance list to be signed ----------------------------------------------------

# widths in mm of: no., last name, first name, town, day 1, day 2 (170 mm in all)
COLUMNS = (10, 38, 32, 30, 30, 30)
ROW_HEIGHT = 11
HEAD_HEIGHT = 8


def attendance_list_pdf(seminar: Seminar, today: date | None = None) -> bytes:
    """Every confirmed person with a box per day to sign in, the recorded state printed
    small in it; the head repeats on every page."""
    from app.services.pdf import Document  # fpdf2 loads with the first PDF

    today = today or today_berlin()
    people = standings(seminar)
    document = Document(f"Anwesenheitsliste Seminar Nr. {seminar.id}")
    document.add_page()
    _list_head(document, seminar, first=True)
    for number, person in enumerate(people, start=1):
        _person_row(document, seminar, number, person)
    for number in range(len(people) + 1, len(people) + 4):  # walk-ins, by hand
        _person_row(document, seminar, number, None)
    _signature(
        document,
        f"Die Richtigkeit bestätigt für die {seminar.vhs.name}: Ort, Datum, Unterschrift "
        f"(Liste erstellt am {date_short(today)})",
    )
    return document.to_bytes()


def _list_head(document: "Document", seminar: Seminar, first: bool) -> None:
    if first:
        document.block(
            "Qualifizierungsreihe für Mitglieder der Integrationsräte in NRW", size=9, after=1
        )
        document.block("Anwesenheitsliste", size=18, bold=True, role="H1", after=1)
        document.block(
            f"Seminar Nr. {seminar.id}, {seminar.module.label}, {seminar.vhs.name}", after=1
        )
        for number, (day, starts, ends) in enumerate(seminar.days, start=1):
            document.block(
                f"{number}. Tag: {date_long(day)}, {clock(starts)}–{clock(ends)} Uhr", after=0
            )
        document.block(
            f"Ort: {seminar.venue_name}, {seminar.venue_street}, {seminar.venue_postcode} "
            f"{seminar.venue_town}",
            after=2,
        )
        document.block(
            "Bitte unterschreiben Sie an jedem Seminartag in der Spalte des Tages.",
            size=9,
            after=2,
        )
    else:
        document.block(f"Anwesenheitsliste Seminar Nr. {seminar.id} (Fortsetzung)", after=2)
    labels = (
        "Nr.",
        "Name",
        "Vorname",
        "Ort",
        f"Tag 1, {seminar.day1:%d.%m.}",
        f"Tag 2, {seminar.day2:%d.%m.}",
    )
    document.row(
        [(label, width, "L") for label, width in zip(labels, COLUMNS, strict=True)],
        bold=True,
        size=9,
        height=HEAD_HEIGHT,
    )


def _person_row(document: "Document", seminar: Seminar, number: int, person) -> None:
    """A person's row (on a new page with the head when it does not fit): name, first
    name and town wrap between words and the row grows, the recorded state sits small in
    each day's box, the rest of it is to sign in."""
    if person is None:
        texts = (str(number), "", "", "", "", "")
    else:
        registration = person.registration
        texts = (
            str(number),
            registration.last_name,
            registration.first_name,
            registration.town,
            f"erfasst: {STATE_TEXT[person.day1]}",
            f"erfasst: {STATE_TEXT[person.day2]}",
        )
    laid = [
        document.lines(text, width, size=7 if index >= 4 else 9)
        for index, (text, width) in enumerate(zip(texts, COLUMNS, strict=True))
    ]
    height = max(ROW_HEIGHT, *(lines.height + 2 for lines in laid[:4]))
    if document.space_left() < height:
        document.add_page()
        _list_head(document, seminar, first=False)
    top = document.y
    with document.tagged("P"):
        x = document.l_margin
        for index, (lines, width) in enumerate(zip(laid, COLUMNS, strict=True)):
            y = top + 0.5 if index >= 4 else top + (height - lines.height) / 2
            document.draw(lines, x, y, width)
            x += width
    with document.artifact():
        x = document.l_margin
        for width in COLUMNS:
            document.rect(x, top, width, height)
            x += width
    document.set_xy(document.l_margin, top + height)
