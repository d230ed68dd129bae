"""Certificates of attendance (Teilnahmebescheinigung): who earns one, why someone does not,
and the PDF, one page per person.

Only a confirmed person recorded present on both days earns one (``rules.earns_certificate``);
a person whose data were erased on request gets none. The page is the same whenever it is
made: it is issued at the VHS's town on the seminar's second day.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import rules
from app.core.formatting import clock, date_long, day_month_year
from app.core.german import plural
from app.core.text import fold
from app.models import Registration, RegistrationState, Seminar
from app.services import messages
from app.services.attendance import presence
from app.services.errors import ServiceError
from app.services.participants import by_name, participant_lists

if TYPE_CHECKING:  # fpdf2 loads with the first PDF (worker memory)
    from app.services.pdf import Document

# The document's wording, in one place.
SERIES = "Qualifizierungsreihe für Mitglieder der Integrationsräte in Nordrhein-Westfalen"
PARTNERS = (
    "Eine Qualifizierungsreihe des Landesverbands der Volkshochschulen von NRW e.V. und des "
    "Landesintegrationsrats NRW, gefördert von der Landeszentrale für politische Bildung NRW."
)
# what the module covers, in a line (DOMAIN.md: the two modules)
CONTENTS = {
    1: (
        "Rechte und Pflichten der Mitglieder, Geschäftsordnung, Befugnisse des "
        "Integrationsrats und wie eine Kommune entscheidet"
    ),
    2: (
        "politische Ziele und Strategien entwickeln und umsetzen, Arbeitsschwerpunkte des "
        "Integrationsrats"
    ),
}
UNSIGNED = "Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig."


class NoCertificate(ServiceError):
    """The person (or nobody in the seminar) has earned a certificate."""


@dataclass(frozen=True)
class Standing:
    """A confirmed person's attendance as the certificate sees it."""

    registration: Registration
    day1: bool | None
    day2: bool | None

    @property
    def erased(self) -> bool:
        return self.registration.erased_at is not None

    @property
    def earns(self) -> bool:
        return (
            not self.erased
            and self.registration.state == RegistrationState.CONFIRMED
            and rules.earns_certificate(self.day1, self.day2)
        )

    @property
    def reason(self) -> str | None:
        """Why there is no certificate (None when there is one)."""
        if self.erased:
            return messages.CERTIFICATE_ERASED
        if self.registration.state != RegistrationState.CONFIRMED:
            return messages.certificate_not_confirmed(self.registration.state.label)
        gap = rules.certificate_gap(self.day1, self.day2)
        return None if gap is None else messages.CERTIFICATE_GAPS[gap]


def standings(seminar: Seminar) -> list[Standing]:
    """Every confirmed person of the seminar, by name, with both days' records."""
    day1, day2 = presence(seminar.id, 1), presence(seminar.id, 2)
    confirmed = by_name(participant_lists(seminar.id)["confirmed"])
    return [Standing(r, day1.get(r.id), day2.get(r.id)) for r in confirmed]


def standing_of(registration: Registration) -> Standing:
    day1 = presence(registration.seminar_id, 1).get(registration.id)
    day2 = presence(registration.seminar_id, 2).get(registration.id)
    return Standing(registration, day1, day2)


def earns_certificate(registration: Registration) -> bool:
    return standing_of(registration).earns


# -- the PDF -----------------------------------------------------------------------


def certificate_pdf(registration: Registration) -> bytes:
    """One person's certificate; ``NoCertificate`` (with the reason) for anyone else."""
    from app.services.pdf import Document  # fpdf2 loads with the first PDF

    standing = standing_of(registration)
    if not standing.earns:
        raise NoCertificate(messages.no_certificate(registration.full_name, standing.reason or ""))
    document = Document(f"Teilnahmebescheinigung – {registration.full_name}")
    _page(document, registration)
    return document.to_bytes()


def seminar_certificates_pdf(seminar: Seminar) -> tuple[bytes, int]:
    """Everyone's certificate in one PDF, a page each (easier to print than a ZIP of
    files), and how many; ``NoCertificate`` when nobody has earned one."""
    from app.services.pdf import Document  # fpdf2 loads with the first PDF

    earners = [s.registration for s in standings(seminar) if s.earns]
    if not earners:
        raise NoCertificate(messages.NO_CERTIFICATES)
    document = Document(f"Teilnahmebescheinigungen – Seminar Nr. {seminar.id}")
    for registration in earners:
        _page(document, registration)
    return document.to_bytes(), len(earners)


def filename(registration: Registration) -> str:
    """'teilnahmebescheinigung-nguyen-thi.pdf' (ASCII; the id when nothing is left)."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(f"{registration.last_name} {registration.first_name}"))
    return f"teilnahmebescheinigung-{name.strip('-') or registration.id}.pdf"


def seminar_filename(seminar: Seminar) -> str:
    return f"teilnahmebescheinigungen-seminar-{seminar.id}-{seminar.day1.isoformat()}.pdf"


def _length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return plural(hours, "Stunde") + (f" {plural(rest, 'Minute')}" if rest else "")


def _issued(seminar: Seminar) -> str:
    day = day_month_year(seminar.day2)
    return f"{seminar.vhs.town}, den {day}"


def _page(document: "Document", registration: Registration) -> None:
    """The certificate on one page: the body shrinks as a whole when the longest names,
    title and venue the forms allow would reach the footer."""
    from app.services.pdf import Block

    seminar = registration.seminar
    document.add_page()
    document.block(SERIES, size=9, after=1)
    document.rule(gap=14)
    days = []
    total = 0
    for number, (day, starts, ends) in enumerate(seminar.days, start=1):
        minutes = rules.day_minutes(starts, ends)
        total += minutes
        days.append(
            Block(
                f"{number}. Tag: {date_long(day)}, {clock(starts)}–{clock(ends)} Uhr "
                f"({_length(minutes)})",
                after=1,
            )
        )
    footer = document.h - document.t_margin - 22
    document.blocks_fitted(
        [
            Block("Teilnahmebescheinigung", size=26, bold=True, role="H1", align="C", after=10),
            Block(registration.full_name, size=18, bold=True, align="C", after=6),
            Block("hat an der Qualifizierungsreihe", align="C", after=1),
            Block(f"„{seminar.programme.title}“", size=13, bold=True, align="C", after=3),
            Block("mit dem Seminar", align="C", after=1),
            Block(seminar.module.label, size=14, bold=True, align="C", after=3),
            Block("an beiden Seminartagen teilgenommen.", align="C", after=12),
            *days,
            Block(f"Umfang: {_length(total)}", after=5),
            Block(f"Inhalte: {CONTENTS[int(seminar.module)]}.", after=5),
            Block(
                f"Veranstaltungsort: {seminar.venue_name}, {seminar.venue_street}, "
                f"{seminar.venue_postcode} {seminar.venue_town}",
                after=1,
            ),
            Block(f"Durchgeführt von: {seminar.vhs.name}", after=14),
            Block(_issued(seminar), after=2),
            Block(UNSIGNED, size=9, after=0),
        ],
        bottom=footer - 3,
    )

    document.set_y(footer)
    document.rule()
    document.block(PARTNERS, size=9, after=1)
    document.block(f"Bescheinigung Nr. {seminar.id}-{registration.id}", size=9, after=0)
