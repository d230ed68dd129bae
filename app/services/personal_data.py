"""Everything stored about one e-mail address: found, told (GDPR Art. 15) and erased
(Art. 17). A person across the series is the normalised address, nothing more.

The address is matched exactly: a row's normalised address, a mail's recipient, and in
the audit log's free text only the whole address as a token (``hanna@…`` and
``anna@….de`` never count for ``anna@…``). A text that is not an address finds nothing.

Erasing keeps the evidence (docs/domain.md, "evidence outlives personal data"): a
registration is anonymised, never deleted, so that its seminar's seat counts, waiting
list, attendance and funding figures stay as they were. The admin sees first what an
erasure will change (``plan_of`` fingerprints that list) and confirms it; the erasure
refuses when what it finds differs from the list confirmed. A place in a seminar that has
not begun is cancelled first, through ``app.services.registrations`` (each in its own
transaction, so the waiting list moves up as after any cancellation); then one
transaction anonymises the registrations, deletes their personal links, deletes the
mails not yet sent to the address and blanks those sent, blanks the contact and the note
of interest declarations, replaces the address in the audit entries that name it, and
logs the erasure with its reason but without the address. Last, the copies of the
person's mails in the mail folder (delivery without an SMTP server) are deleted.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.orm import joinedload

from app import rules
from app.core.formatting import date_short, moment
from app.core.text import clean
from app.core.timeutil import today_berlin, utcnow
from app.database import write_transaction
from app.extensions import db
from app.models import (
    Action,
    AuditEntry,
    Council,
    CouncilDeclaration,
    OutboxMail,
    Registration,
    RegistrationLink,
    Seminar,
    Trainer,
    User,
    Vhs,
    VhsDeclaration,
)
from app.services import audit, messages, outbox
from app.services.errors import ServiceError
from app.services.registrations import cancel_registration
from app.services.series import ACTIVE, forget_person, presence_by_day

ERASED_NAME = "gelöscht"
ERASED_MARK = "[gelöscht]"
ERASED_RECIPIENT = "geloescht@invalid"
REASON_MAX = 300


def placeholder(kind: str, row_id: int) -> str:
    """A unique address that is nobody's (``.invalid`` is reserved for that)."""
    return f"geloescht-{kind}{row_id}@invalid"


@dataclass
class Findings:
    """What is stored about one address; ``addresses`` are the spellings searched for
    (as typed, normalised, and as each registration or declaration has it)."""

    normalized: str
    addresses: set[str]
    registrations: list[Registration] = field(default_factory=list)
    presence: dict[int, dict[int, bool]] = field(default_factory=dict)
    vhs_declarations: list[VhsDeclaration] = field(default_factory=list)
    council_declarations: list[CouncilDeclaration] = field(default_factory=list)
    mails: list[OutboxMail] = field(default_factory=list)
    # the entries of the person's registrations, and those whose text names the address
    audit_entries: list[AuditEntry] = field(default_factory=list)
    # the ids of the entries whose text names the address: an erasure replaces it there
    naming: set[int] = field(default_factory=set)
    # the personal links issued for the registrations (their digests are never shown)
    links: list[RegistrationLink] = field(default_factory=list)
    # accounts, trainers, VHS and councils with this address: kept, edited on their pages
    elsewhere: list[tuple[str, str]] = field(default_factory=list)

    @property
    def declarations(self) -> list:
        return [*self.vhs_declarations, *self.council_declarations]

    @property
    def empty(self) -> bool:
        return not (self.registrations or self.declarations or self.mails or self.audit_entries)

    @property
    def audit_naming(self) -> list[AuditEntry]:
        """The entries whose text names the address (an erasure rewrites these only)."""
        return [e for e in self.audit_entries if e.id in self.naming]

    def links_of(self, registration: Registration) -> list[RegistrationLink]:
        return [link for link in self.links if link.registration_id == registration.id]

    def upcoming(self, today: date | None = None) -> list[Registration]:
        """Places and waiting-list entries in seminars that have not begun: an erasure
        cancels them first."""
        today = today or today_berlin()
        return [
            r
            for r in self.registrations
            if r.state in ACTIVE and rules.erasure_cancels_place(r.seminar.day1, today)
        ]


def is_address(address: str) -> bool:
    """Whether ``address`` reads as an e-mail address (its format; nothing is looked up).
    A request about a person needs one: any other text would match pieces of others."""
    try:
        validate_email(clean(address), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# Characters that would continue an address to its left (a local part; to its right, a
# letter, digit or hyphen, or a dot before one, would continue its domain): an address in
# a text counts only where neither side goes on, so that "anna@example.org" is found
# neither in "hanna@example.org" nor in "anna@example.org.de".
ADDRESS_GOES_ON = r"\w.!#$%&'*+/=?^`{|}~@-"


def address_pattern(addresses: set[str]) -> re.Pattern:
    """The whole addresses as tokens of a text, in any case."""
    spellings = "|".join(re.escape(a) for a in sorted(addresses, key=len, reverse=True))
    return re.compile(rf"(?<![{ADDRESS_GOES_ON}])(?:{spellings})(?![\w-]|\.[\w-])", re.IGNORECASE)


def _mentions(column, addresses: set[str]) -> sa.ColumnElement[bool]:
    """A cheap first sieve in SQL (the text contains an address); ``address_pattern``
    decides."""
    lowered = sa.func.lower(column)
    return sa.or_(*[lowered.contains(a, autoescape=True) for a in sorted(addresses)])


def find(address: str) -> Findings:
    """Everything stored about ``address`` (any spelling of it); nothing for a text that
    is not an address."""
    typed = clean(address).lower()
    normalized = rules.normalize_email(address)
    findings = Findings(normalized=normalized, addresses={typed, normalized} - {""})
    if not is_address(address):
        findings.addresses = set()
        return findings
    findings.registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.seminar)
            .where(Registration.email_normalized == normalized)
            .options(joinedload(Registration.seminar).joinedload(Seminar.vhs))
            .order_by(Seminar.day1, Registration.id)
        )
    )
    findings.presence = presence_by_day([r.id for r in findings.registrations])
    for model, target in (
        (VhsDeclaration, findings.vhs_declarations),
        (CouncilDeclaration, findings.council_declarations),
    ):
        target.extend(
            db.session.scalars(
                sa.select(model).where(model.email_normalized == normalized).order_by(model.id)
            )
        )
    findings.addresses |= {r.email.lower() for r in findings.registrations}
    findings.addresses |= {d.contact_email.lower() for d in findings.declarations}
    ids = [r.id for r in findings.registrations]
    findings.mails = list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(
                sa.or_(
                    sa.func.lower(OutboxMail.recipient).in_(sorted(findings.addresses)),
                    OutboxMail.registration_id.in_(ids),
                )
            )
            .order_by(OutboxMail.created_at, OutboxMail.id)
        )
    )
    pattern = address_pattern(findings.addresses)
    for entry in db.session.scalars(
        sa.select(AuditEntry)
        .where(
            sa.or_(
                AuditEntry.registration_id.in_(ids),
                _mentions(AuditEntry.detail, findings.addresses),
                _mentions(AuditEntry.changes, findings.addresses),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        names = bool(pattern.search(entry.detail or "") or pattern.search(entry.changes or ""))
        if names:
            findings.naming.add(entry.id)
        if names or entry.registration_id in ids:
            findings.audit_entries.append(entry)
    findings.links = list(
        db.session.scalars(
            sa.select(RegistrationLink)
            .where(RegistrationLink.registration_id.in_(ids))
            .order_by(RegistrationLink.created_at, RegistrationLink.registration_id)
        )
    )
    findings.elsewhere = _elsewhere(findings.addresses)
    return findings


def _elsewhere(addresses: set[str]) -> list[tuple[str, str]]:
    """Programme data with this address (staff, institutions): shown, not erased here."""
    wanted = sorted(addresses)
    found = []
    for kind, model, column, name in (
        ("Konto", User, User.email, lambda u: u.name or u.email),
        ("Trainer*in", Trainer, Trainer.email, lambda t: t.name),
        ("Volkshochschule", Vhs, Vhs.contact_email, lambda v: v.name),
        ("Integrationsrat", Council, Council.office_email, lambda c: c.town),
    ):
        for item in db.session.scalars(sa.select(model).where(sa.func.lower(column).in_(wanted))):
            found.append((kind, name(item)))
    return found


# -- Art. 15: the information, as a readable text and as JSON --------------------------------

DAY_STATES = {True: "anwesend", False: "abwesend", None: "nicht erfasst"}


def _day_state(findings: Findings, registration: Registration, day: int) -> str:
    return DAY_STATES[findings.presence.get(registration.id, {}).get(day)]


def _mail_state(mail: OutboxMail) -> str:
    if mail.sent_at is not None:
        return f"gesendet am {moment(mail.sent_at)}"
    if mail.failed_at is not None:
        return "nicht zustellbar"
    return "wartet auf den Versand"


def _registration_data(findings: Findings, r: Registration) -> dict:
    seminar = r.seminar
    return {
        "seminar": f"{seminar.module.label} (Nr. {seminar.id})",
        "volkshochschule": seminar.vhs.name,
        "tage": f"{date_short(seminar.day1)} und {date_short(seminar.day2)}",
        "ort_des_seminars": f"{seminar.venue_name}, {seminar.venue_town}",
        "name": r.last_name,
        "vorname": r.first_name,
        "ort": r.town,
        "e_mail_adresse": r.email,
        "status": r.state.label,
        "angemeldet_am": moment(r.created_at),
        "adresse_bestaetigt_am": moment(r.email_verified_at) if r.email_verified_at else "",
        "storniert_am": moment(r.cancelled_at) if r.cancelled_at else "",
        "platz_vorgemerkt_bis": moment(r.hold_until) if r.hold_until else "",
        "anwesenheit_tag_1": _day_state(findings, r, 1),
        "anwesenheit_tag_2": _day_state(findings, r, 2),
        "bewertung_abgegeben": "ja" if r.evaluation_given else "nein",
    }


def kept_until(registration: Registration) -> date:
    """The last day a registration is stored before ``flask purge-old-data`` deletes it
    (``RETENTION_MONTHS`` after its seminar's last day, counted as the purge counts)."""
    months = current_app.config["RETENTION_MONTHS"]
    return registration.seminar.day2 + timedelta(days=round(months * 30.44))


def _link_data(findings: Findings, link: RegistrationLink) -> dict:
    """When a personal link was issued and how long it opens the registration; never
    the link itself nor its stored digest."""
    registration = next(r for r in findings.registrations if r.id == link.registration_id)
    return {
        "anmeldung": (
            f"{registration.seminar.module.label} (Nr. {registration.seminar.id}), "
            f"{registration.seminar.vhs.name}"
        ),
        "ausgestellt_am": moment(link.created_at),
        "gueltig_bis": (
            "bis zur Löschung der Anmeldung, vorgesehen nach dem "
            f"{date_short(kept_until(registration))}"
        ),
    }


def _declaration_data(d) -> dict:
    kind = "VHS" if isinstance(d, VhsDeclaration) else "Integrationsrat"
    where = d.vhs_name if isinstance(d, VhsDeclaration) else d.town
    return {
        "art": f"Interessenbekundung ({kind})",
        "fuer": where,
        "ansprechperson": d.contact_name,
        "e_mail_adresse": d.contact_email,
        "telefon": d.contact_phone,
        "hinweis": d.note,
        "status": d.state.label,
        "erstellt_am": moment(d.created_at),
        "persoenlicher_link": (
            "ausgestellt; öffnet die Interessenbekundung, solange sie gespeichert ist"
            if d.link_digest
            else "keiner"
        ),
    }


# The secrets of personal links in a mail's text: they open (and cancel) the
# registration, so the information shows where they were, not what they were.
PERSONAL_LINK = re.compile(r"/(anmeldung|bewertung|interesse|einladung)/[A-Za-z0-9_.\-]{20,}")
LINK_REMOVED = r"/\1/[persönlicher Link entfernt]"


# A mail about a registration is written when it is sent (mail.queue_later).
NOT_YET_WRITTEN = "(wird beim Versand aus den Angaben der Anmeldung geschrieben)"


def _mail_data(mail: OutboxMail) -> dict:
    return {
        "erstellt_am": moment(mail.created_at),
        "an": mail.recipient,
        "betreff": mail.subject if mail.params is None else NOT_YET_WRITTEN,
        "stand": _mail_state(mail),
        "text": PERSONAL_LINK.sub(LINK_REMOVED, mail.text_body),
    }


def _audit_data(entry: AuditEntry) -> dict:
    return {
        "zeit": moment(entry.at),
        "was": entry.action_label,
        "seminar": f"Nr. {entry.seminar_id}" if entry.seminar_id else "",
        "angabe": entry.detail,
    }


def report_data(findings: Findings) -> dict:
    """Everything found, as plain data (the JSON file of the information)."""
    return {
        "auskunft_nach": "Art. 15 DSGVO",
        "e_mail_adresse": findings.normalized,
        "stand": moment(utcnow()),
        "anmeldungen": [_registration_data(findings, r) for r in findings.registrations],
        "hinweis_bewertung": (
            "Antworten im Fragebogen nach dem Seminar werden anonym gespeichert und lassen "
            "sich keiner Person zuordnen; gespeichert ist nur, ob geantwortet wurde."
        ),
        "persoenliche_links": [_link_data(findings, link) for link in findings.links],
        "interessenbekundungen": [_declaration_data(d) for d in findings.declarations],
        "e_mails": [_mail_data(m) for m in findings.mails],
        "protokolleintraege": [_audit_data(e) for e in findings.audit_entries],
    }


def report_json(findings: Findings) -> bytes:
    return json.dumps(report_data(findings), ensure_ascii=False, indent=2).encode("utf-8")


LABELS = {
    "seminar": "Seminar",
    "volkshochschule": "Volkshochschule",
    "tage": "Tage",
    "ort_des_seminars": "Veranstaltungsort",
    "name": "Name",
    "vorname": "Vorname",
    "ort": "Ort",
    "e_mail_adresse": "E-Mail-Adresse",
    "status": "Status",
    "angemeldet_am": "Angemeldet am",
    "adresse_bestaetigt_am": "Adresse bestätigt am",
    "storniert_am": "Storniert am",
    "platz_vorgemerkt_bis": "Platz vorgemerkt bis",
    "anmeldung": "Anmeldung",
    "ausgestellt_am": "Ausgestellt am",
    "gueltig_bis": "Gültig",
    "persoenlicher_link": "Persönlicher Link",
    "anwesenheit_tag_1": "Anwesenheit 1. Tag",
    "anwesenheit_tag_2": "Anwesenheit 2. Tag",
    "bewertung_abgegeben": "Fragebogen beantwortet",
    "art": "Art",
    "fuer": "Für",
    "ansprechperson": "Ansprechperson",
    "telefon": "Telefon",
    "hinweis": "Hinweis",
    "erstellt_am": "Erstellt am",
    "an": "An",
    "betreff": "Betreff",
    "stand": "Stand",
    "zeit": "Zeit",
    "was": "Was",
    "angabe": "Angabe",
}


def _section(lines: list[str], title: str, items: list[dict], skip: tuple = ()) -> None:
    lines += ["", f"{title} ({len(items)})", "-" * (len(title) + 4)]
    if not items:
        lines.append("keine")
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}.")
        for key, value in item.items():
            if key not in skip and value != "":
                lines.append(f"   {LABELS[key]}: {value}")


def report_text(findings: Findings) -> str:
    """The information as a text to read (and print); the JSON file has the same data
    and, for each mail, its text."""
    data = report_data(findings)
    lines = [
        "Auskunft über gespeicherte Daten (Art. 15 DSGVO)",
        "Qualifizierungsreihe „Chancengerechtigkeit und Integration vor Ort“",
        "",
        f"E-Mail-Adresse: {data['e_mail_adresse']}",
        f"Stand: {data['stand']}",
    ]
    _section(lines, "Anmeldungen zu Seminaren", data["anmeldungen"])
    lines += ["", data["hinweis_bewertung"]]
    _section(lines, "Persönliche Links", data["persoenliche_links"])
    _section(lines, "Interessenbekundungen", data["interessenbekundungen"])
    _section(lines, "E-Mails an diese Adresse", data["e_mails"], skip=("text",))
    _section(lines, "Einträge im Protokoll der Änderungen", data["protokolleintraege"])
    return "\n".join(lines) + "\n"


# -- Art. 17: erasure --------------------------------------------------------------------------


class ErasureRefused(ServiceError):
    pass


class AddressInvalid(ErasureRefused):
    field = "email"
    message = messages.PERSONAL_DATA_ADDRESS_INVALID


class NothingStored(ErasureRefused):
    field = "email"
    message = messages.ERASURE_NOTHING_FOUND


class ReasonMissing(ErasureRefused):
    field = "reason"
    message = messages.ERASURE_REASON_MISSING


class UpcomingPlaces(ErasureRefused):
    field = "cancel_upcoming"
    message = messages.ERASURE_UPCOMING_PLACES


class PlanChanged(ErasureRefused):
    message = messages.ERASURE_PLAN_CHANGED


@dataclass(frozen=True)
class Erasure:
    registrations: int
    cancelled: int
    declarations: int
    mails: int


def plan_of(
    findings: Findings, upcoming: list[Registration], leave_out: frozenset = frozenset()
) -> str:
    """A fingerprint of what erasing ``findings`` changes, as the admin sees it listed:
    the places cancelled first, the registrations (with their links), declarations,
    mails and audit entries (``leave_out``: rows the erasure's own cancellations made)."""
    items = [
        *[["cancel", r.id] for r in upcoming],
        *[["registration", r.id, len(findings.links_of(r))] for r in findings.registrations],
        *[["vhs_declaration", d.id] for d in findings.vhs_declarations],
        *[["council_declaration", d.id] for d in findings.council_declarations],
        *[["mail", m.id] for m in findings.mails if ("mail", m.id) not in leave_out],
        *[
            ["audit", e.id, e.id in findings.naming]
            for e in findings.audit_entries
            if ("audit", e.id) not in leave_out
        ],
    ]
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:32]


def _rows(findings: Findings) -> set[tuple[str, int]]:
    return {("mail", m.id) for m in findings.mails} | {
        ("audit", e.id) for e in findings.audit_entries
    }


def _made_by_cancelling(found: Findings, known: set, cancelled: set[int]) -> frozenset:
    """The cancellation entry and mail that cancelling ``cancelled`` added since
    ``known`` was found: the erasure's own doing, so not a change to the list."""
    made = {
        ("mail", m.id)
        for m in found.mails
        if m.kind == "cancelled" and m.registration_id in cancelled
    } | {
        ("audit", e.id)
        for e in found.audit_entries
        if e.action == Action.CANCELLED and e.registration_id in cancelled
    }
    return frozenset(made - known)


def erase(
    address: str,
    reason: str,
    *,
    actor_id: int | None,
    cancel_upcoming: bool = False,
    plan: str | None = None,
    today: date | None = None,
) -> Erasure:
    """Erase what is stored about ``address`` on the person's request, with ``reason``
    (required; logged, the address never is). Places in seminars that have not begun
    are cancelled first, only with ``cancel_upcoming`` or a ``plan`` (the admin
    confirmed it). With ``plan`` (``plan_of`` the list the admin confirmed) exactly that
    list is erased, or nothing: ``PlanChanged`` when something differs."""
    reason = clean(reason)[:REASON_MAX]
    if not is_address(address):
        raise AddressInvalid()
    if not reason:
        raise ReasonMissing()
    found = find(address)
    if found.empty:
        raise NothingStored()
    upcoming = found.upcoming(today)
    if plan is not None and plan_of(found, upcoming) != plan:
        raise PlanChanged()
    if upcoming and not cancel_upcoming and plan is None:
        raise UpcomingPlaces()
    known, cancelled = _rows(found), {r.id for r in upcoming}
    for registration in upcoming:
        cancel_registration(registration.id, actor_id=actor_id)
    with write_transaction():
        found = find(address)  # afresh, inside the transaction
        if plan is not None:
            made = _made_by_cancelling(found, known, cancelled)
            if plan_of(found, upcoming, made) != plan:
                raise PlanChanged()
        if found.upcoming(today):
            raise UpcomingPlaces()  # booked again meanwhile: ask anew
        now = utcnow()
        names = _names(found)
        for registration in found.registrations:
            _anonymise_registration(registration, now)
        ids = [r.id for r in found.registrations]
        if ids:
            db.session.execute(
                sa.delete(RegistrationLink).where(RegistrationLink.registration_id.in_(ids))
            )
        pattern = address_pattern(found.addresses)
        for declaration in found.declarations:
            _anonymise_declaration(declaration, names, pattern)
        mail_ids = [mail.id for mail in found.mails]
        for mail in found.mails:
            _forget_mail(mail)
        for entry in found.audit_naming:
            _strip_address(entry, pattern)
        forget_person(found.normalized)  # completions kept from purged seminars
        result = Erasure(
            registrations=len(found.registrations),
            cancelled=len(upcoming),
            declarations=len(found.declarations),
            mails=len(found.mails),
        )
        audit.record(
            Action.PERSONAL_DATA_ERASED,
            actor_id=actor_id,
            detail=messages.erasure_logged(
                reason, result.registrations, result.declarations, result.mails
            ),
        )
    outbox.remove_mail_files(mail_ids)  # the copies in the mail folder, once committed
    return result


def _anonymise_registration(registration: Registration, now) -> None:
    """Names, town and address go; state, dates, attendance and the evaluation note stay
    (the seminar's counts and funding rest on them)."""
    registration.last_name = ERASED_NAME
    registration.first_name = ERASED_NAME
    registration.town = ""
    registration.email = registration.email_normalized = placeholder("", registration.id)
    registration.erased_at = registration.erased_at or now


def _names(findings: Findings) -> re.Pattern | None:
    """The words of the person's names, as they gave them (registrations, declarations),
    as whole words of a text in any case; None when there are none."""
    words = {
        word
        for text in (
            *[f"{r.first_name} {r.last_name}" for r in findings.registrations],
            *[d.contact_name for d in findings.declarations],
        )
        for word in re.findall(r"\w[\w'’-]*\w", text)
        if word != ERASED_NAME
    }
    if not words:
        return None
    spellings = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{spellings})(?!\w)", re.IGNORECASE)


def _scrub(text: str, names: re.Pattern | None, pattern: re.Pattern) -> str:
    """``text`` without the person's address and names."""
    text = pattern.sub(ERASED_MARK, text or "")
    return names.sub(ERASED_MARK, text) if names is not None else text


def _anonymise_declaration(declaration, names: re.Pattern | None, pattern: re.Pattern) -> None:
    """The contact goes, and the note in the contact's own words (it may name them, their
    town, their phone); the room's description keeps all but the person's names."""
    kind = "vhs" if isinstance(declaration, VhsDeclaration) else "ir"
    declaration.contact_name = ERASED_NAME
    declaration.contact_email = declaration.email_normalized = placeholder(kind, declaration.id)
    declaration.contact_phone = ""
    declaration.note = ""
    if isinstance(declaration, VhsDeclaration):
        declaration.room = _scrub(declaration.room, names, pattern)
        declaration.accessibility_note = _scrub(declaration.accessibility_note, names, pattern)
        for offer in declaration.offers:
            offer.preferred_period = _scrub(offer.preferred_period, names, pattern)
    declaration.link_digest = None  # its personal link opens nothing any more


def _forget_mail(mail: OutboxMail) -> None:
    """A mail not yet sent is not sent any more; a sent one keeps only that it was."""
    if mail.sent_at is None and mail.failed_at is None:
        db.session.delete(mail)
        return
    mail.recipient = ERASED_RECIPIENT
    mail.subject = ERASED_NAME
    mail.text_body = mail.html_body = ""
    mail.ics = mail.params = None
    mail.last_error = ""


def _strip_address(entry: AuditEntry, pattern: re.Pattern) -> None:
    """The whole address goes where it stands as a token; the rest of the text stays."""
    entry.detail = pattern.sub(ERASED_MARK, entry.detail or "")
    entry.changes = pattern.sub(ERASED_MARK, entry.changes or "")


def erased_text(text: str, findings: Findings) -> str:
    """``text`` of an audit entry as it reads after the erasure (the preview shows it)."""
    return address_pattern(findings.addresses).sub(ERASED_MARK, text or "")
