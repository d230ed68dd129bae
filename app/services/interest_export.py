"""The overview of interest declarations as a table for spreadsheets: one line per
offered module, as filtered on the page. CSV and XLSX, each protected against
formulas as the participant list is (``app.services.exports``): the CSV prefixes an
apostrophe to a text a spreadsheet would run, the XLSX stores texts as text cells.
"""

from datetime import date, datetime

from app.core import tabular
from app.core.german import plural
from app.services.interest_overview import DeclarationRow, NearCouncil, OfferRow

# What the page says where nothing was given: the same words in the table, never a 0.
NOT_GIVEN = "keine Angabe"
NO_COUNCIL = "keiner genannt, keiner in der Nähe"

# The first columns keep their places (a sheet made from an earlier export still reads);
# what the page shows besides follows.
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
    "Gremien dahinter",
    "Status",
    "Begründung",
    "Entschieden am",
    "Seminar Nr.",
    "Hinweise",
    "Adresse",
    "Hinweis zur Barrierefreiheit",
    "Anmerkung der VHS",
]
WIDTHS = (30, 16, 14, 10, 22, 30, 16, 14, 11, 11, 22, 30, 10, 10, 60, 10, 10, 22, 40, 16, 10, 60)
WIDTHS += (30, 40, 40)  # the address and the two notes

Cell = str | int | date | datetime | None


def _yes(value: bool) -> str:
    return "ja" if value else "nein"


def _near(near: NearCouncil) -> str:
    """One council as the page lists it beside the VHS."""
    parts = [f"{near.town} ({', '.join(reason.label for reason in near.reasons)})"]
    details = []
    if near.modules:
        details.append("möchte " + " und ".join(module.kind for module in near.modules))
    if near.estimated:
        details.append(f"ca. {plural(near.estimated, 'Person')}")
    contact = " ".join(part for part in (near.contact_name, near.contact_email) if part)
    if contact:
        details.append(contact)
    if not near.confirmed:
        details.append("Adresse nicht bestätigt")
    if near.duplicate:
        details.append("doppelt bekundet")
    if details:
        parts.append(": " + "; ".join(details))
    return "".join(parts)


def _councils(row: DeclarationRow) -> str:
    """The councils, one a line, as the page lists them."""
    return "\n".join(_near(near) for near in row.near) or NO_COUNCIL


def _address(row: DeclarationRow) -> str:
    """The address the page shows for a VHS not in the directory yet."""
    if not row.new_vhs or not (row.street or row.postcode):
        return ""
    street = f"{row.street}, " if row.street else ""
    return f"{street}{row.postcode} {row.town}".strip()


def _period(offer: OfferRow) -> str:
    if offer.preferred_period:
        return offer.preferred_period
    return "" if offer.day1 and offer.day2 else NOT_GIVEN


def line(row: DeclarationRow, offer: OfferRow) -> list[Cell]:
    """Dates as dates, counts as numbers, texts as typed; "keine Angabe" where the page
    says it."""
    return [
        row.vhs_name,
        row.town,
        row.region.label if row.region else "",
        _yes(row.new_vhs),
        row.contact_name,
        row.contact_email,
        row.contact_phone,
        offer.module.kind,
        offer.day1,
        offer.day2,
        _period(offer),
        row.room or NOT_GIVEN,
        row.room_capacity or NOT_GIVEN,
        _yes(row.step_free),
        _councils(row),
        offer.demand or NOT_GIVEN,
        offer.councils,
        offer.status.label,
        offer.decision_reason,
        offer.decided_at,  # a stored (UTC) moment: each writer shows it in Berlin time
        offer.seminar_id,
        " ".join(offer.warnings),
        _address(row),
        row.accessibility_note,
        row.note,
    ]


def lines(rows: list[DeclarationRow]) -> list[list[Cell]]:
    return [line(row, offer) for row in rows for offer in row.offers]


def as_csv(table: list[list[Cell]]) -> bytes:
    """UTF-8 with BOM and semicolons, for German Excel; every text formula-safe, dates
    written the German way (as on the page)."""
    return tabular.csv_bytes(HEADER, table)


def as_xlsx(table: list[list[Cell]], title: str) -> bytes:
    """Texts as text cells (never a formula), counts as numbers, dates as dates."""
    return tabular.xlsx_bytes(title, (HEADER, table), widths=WIDTHS)
