"""Interest declarations (DOMAIN.md rule 9, "Interest comes first"): a VHS offers to host
one or both modules, a council office asks for them.

A declaration is stored NEW with the digest of a personal link, which only travels by
mail. It counts once the person confirms it on the page that link opens (a button, not
the opening itself: mail scanners open links, they do not press buttons). Through the
same link the person changes or withdraws it until the programme's interest deadline
(``rules.interest_open``); a NEW declaration cannot be confirmed after it. Each write is
one transaction, and the mail it causes is queued in it.

The forms mail one address at most once per ``rules.INTEREST_MAIL_INTERVAL``, however
often they are sent for it (``_claim_form_mail``): sending the form for somebody else's
address again and again floods nobody's inbox. Within the hour the form is refused and
the person is pointed to the link already mailed, which also changes the declaration.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app import rules
from app.core.enums import Module
from app.core.ids import ID_MAX
from app.core.timeutil import today_berlin, utcnow
from app.database import locked, serialize, write_transaction
from app.extensions import db
from app.models import (
    Council,
    CouncilDeclaration,
    DeclarationState,
    OfferState,
    OutboxMail,
    Programme,
    Vhs,
    VhsDeclaration,
    VhsOffer,
)
from app.services import mail, messages
from app.services.errors import ServiceError
from app.services.links import TOKEN_MAX, digest

Declaration = VhsDeclaration | CouncilDeclaration

# The form's field names of a module's offer, by module: "basic_day1", "advanced_period".
OFFER_PREFIX = {Module.BASIC: "basic", Module.ADVANCED: "advanced"}


class InterestError(ServiceError):
    """A declaration, its confirmation, change or withdrawal refused."""


class InterestClosed(InterestError):
    def __init__(self, deadline: date | None):
        super().__init__(
            messages.INTEREST_NO_DEADLINE
            if deadline is None
            else messages.interest_deadline_passed(deadline)
        )
        self.deadline = deadline


class LinkInvalid(InterestError):
    message = messages.INTEREST_LINK_INVALID


class DeclarationWithdrawn(InterestError):
    message = messages.INTEREST_WITHDRAWN


class NotConfirmed(InterestError):
    message = messages.INTEREST_NOT_CONFIRMED


class DeclarationDecided(InterestError):
    message = messages.INTEREST_DECIDED


class MailedRecently(InterestError):
    field = "contact_email"
    message = messages.INTEREST_MAILED_RECENTLY


class InvalidInterest(InterestError):
    """What the rules refuse in the data, field -> message (``show_refusal`` shows each)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class OfferData:
    """One module offered: a concrete pair of days, a period in words, or both."""

    module: Module
    day1: date | None = None
    day2: date | None = None
    preferred_period: str = ""


@dataclass(frozen=True)
class VhsInterest:
    contact: Contact
    offers: tuple[OfferData, ...]
    vhs_id: int | None = None  # None: a VHS not in the directory, named below
    new_vhs_name: str = ""
    new_vhs_street: str = ""
    new_vhs_postcode: str = ""
    new_vhs_town: str = ""
    room: str = ""
    room_capacity: int | None = None
    step_free: bool = False
    accessibility_note: str = ""
    council_ids: tuple[int, ...] = field(default=())
    note: str = ""


@dataclass(frozen=True)
class CouncilInterest:
    contact: Contact
    council_id: int | None = None  # None: a council not in the directory, named below
    new_council_town: str = ""
    wants_basic: bool = False
    wants_advanced: bool = False
    estimated_participants: int | None = None
    preferred_vhs_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Declared:
    """What sending a form did: ``again`` when the address had declared for this VHS or
    council already and confirmed it; then nothing changed and its link went out anew."""

    declaration: Declaration
    again: bool = False


# -- the rules on what is declared ---------------------------------------------------------


def offer_errors(
    programme_rules: rules.ProgrammeRules, offers: tuple[OfferData, ...], today: date
) -> dict[str, str]:
    """The rules on offered modules and their days, field -> message: at least one
    module; per module two days or a period in words; day 2 after day 1 (rule 10); both
    days ahead and within the programme's period (rule 1)."""
    if not offers:
        return {"basic_offered": messages.INTEREST_NO_MODULE}
    found: dict[str, str] = {}
    for offer in offers:
        prefix = OFFER_PREFIX[offer.module]
        if offer.day1 is None and offer.day2 is None and not offer.preferred_period:
            found[f"{prefix}_day1"] = messages.INTEREST_NEEDS_DATES
        elif offer.day1 is None and offer.day2 is not None:
            found[f"{prefix}_day1"] = messages.INTEREST_DAY1_MISSING
        elif offer.day2 is None and offer.day1 is not None:
            found[f"{prefix}_day2"] = messages.INTEREST_DAY2_MISSING
        for name, label in (("day1", "Der 1. Tag"), ("day2", "Der 2. Tag")):
            day = getattr(offer, name)
            if day is None:
                continue
            if day < today:
                found.setdefault(f"{prefix}_{name}", messages.INTEREST_DAY_PAST)
            elif not rules.in_period(programme_rules, day):
                found.setdefault(
                    f"{prefix}_{name}",
                    messages.outside_period(
                        label, programme_rules.period_start, programme_rules.period_end
                    ),
                )
        if offer.day1 and offer.day2 and not rules.days_in_order(offer.day1, offer.day2):
            found.setdefault(f"{prefix}_day2", messages.DAY2_BEFORE_DAY1)
    return found


def _exists(model, ids) -> bool:
    ids = set(ids)
    if not ids:
        return True
    if not all(0 < i <= ID_MAX for i in ids):
        return False
    return db.session.scalar(sa.select(sa.func.count()).where(model.id.in_(ids))) == len(ids)


def vhs_errors(programme: Programme, data: VhsInterest, today: date) -> dict[str, str]:
    found = offer_errors(programme.rules, data.offers, today)
    if data.vhs_id is None:
        for name, missing in (
            ("new_vhs_name", messages.INTEREST_NEW_VHS_NAME),
            ("new_vhs_street", messages.INTEREST_NEW_VHS_STREET),
            ("new_vhs_postcode", messages.INTEREST_NEW_VHS_POSTCODE),
            ("new_vhs_town", messages.INTEREST_NEW_VHS_TOWN),
        ):
            if not getattr(data, name):
                found[name] = missing
    elif not _exists(Vhs, [data.vhs_id]):
        found["vhs"] = messages.INTEREST_UNKNOWN_CHOICE
    if not _exists(Council, data.council_ids):
        found["councils"] = messages.INTEREST_UNKNOWN_CHOICE
    return found


def council_errors(data: CouncilInterest) -> dict[str, str]:
    found = {}
    if data.council_id is None:
        if not data.new_council_town:
            found["new_council_town"] = messages.INTEREST_NEW_COUNCIL_TOWN
    elif not _exists(Council, [data.council_id]):
        found["council"] = messages.INTEREST_UNKNOWN_CHOICE
    if not (data.wants_basic or data.wants_advanced):
        found["wants_basic"] = messages.INTEREST_NO_MODULE
    if data.preferred_vhs_id is not None and not _exists(Vhs, [data.preferred_vhs_id]):
        found["preferred_vhs"] = messages.INTEREST_UNKNOWN_CHOICE
    return found


def check_open(programme: Programme, today: date | None = None) -> None:
    if not rules.interest_open(programme.interest_deadline, today or today_berlin()):
        raise InterestClosed(programme.interest_deadline)


# -- declaring -------------------------------------------------------------------------------


def declare_vhs(programme_id: int, data: VhsInterest, *, today: date | None = None) -> Declared:
    """Store a VHS's declaration (NEW) and mail its personal link. The same address
    declaring for the same known VHS again replaces its unconfirmed declaration, or, once
    confirmed, gets that one's link again (nothing is overwritten without the link)."""
    today = today or today_berlin()
    with write_transaction() as session:
        programme = session.get(Programme, programme_id)
        check_open(programme, today)
        errors = vhs_errors(programme, data, today)
        if errors:
            raise InvalidInterest(errors)
        normalized = rules.normalize_email(data.contact.email)
        mail_key = _claim_form_mail(normalized)
        existing = None
        if data.vhs_id is not None:
            serialize(f"interest:vhs:{programme_id}:{data.vhs_id}:{normalized}")
            existing = _active(VhsDeclaration, programme_id, normalized, vhs_id=data.vhs_id)
        if existing is not None and existing.state == DeclarationState.CONFIRMED:
            _queue_link(existing, "interest_again", dedupe_key=mail_key)
            return Declared(existing, again=True)
        declaration = existing or VhsDeclaration(programme_id=programme_id)
        _fill_vhs(declaration, data)
        _fill_address(declaration, data.contact, normalized)
        session.add(declaration)
        session.flush()
        _queue_link(declaration, "interest_received", dedupe_key=mail_key)
    return Declared(declaration)


def declare_council(
    programme_id: int, data: CouncilInterest, *, today: date | None = None
) -> Declared:
    """Store a council office's declaration (NEW) and mail its personal link; the same
    address declaring for the same known council again is treated as for a VHS."""
    today = today or today_berlin()
    with write_transaction() as session:
        programme = session.get(Programme, programme_id)
        check_open(programme, today)
        errors = council_errors(data)
        if errors:
            raise InvalidInterest(errors)
        normalized = rules.normalize_email(data.contact.email)
        mail_key = _claim_form_mail(normalized)
        existing = None
        if data.council_id is not None:
            serialize(f"interest:council:{programme_id}:{data.council_id}:{normalized}")
            existing = _active(
                CouncilDeclaration, programme_id, normalized, council_id=data.council_id
            )
        if existing is not None and existing.state == DeclarationState.CONFIRMED:
            _queue_link(existing, "interest_again", dedupe_key=mail_key)
            return Declared(existing, again=True)
        declaration = existing or CouncilDeclaration(programme_id=programme_id)
        _fill_council(declaration, data)
        _fill_address(declaration, data.contact, normalized)
        session.add(declaration)
        session.flush()
        _queue_link(declaration, "interest_received", dedupe_key=mail_key)
    return Declared(declaration)


def _claim_form_mail(normalized: str) -> str:
    """Before a form's mail to ``normalized`` is queued: the key that mail carries, or
    ``MailedRecently`` when a form mailed this address within the interval. The newest
    form mail of an address holds the key (a digest, not the address), so the check is
    one indexed read; an older one gives it up. One transaction at a time per address."""
    key = "interest-form:" + hashlib.sha256(normalized.encode()).hexdigest()
    serialize(key)
    earlier = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.dedupe_key == key)).first()
    if earlier is not None:
        if not rules.may_mail_again(earlier.created_at, utcnow()):
            raise MailedRecently()
        earlier.dedupe_key = None
        db.session.flush()
    return key


def _active(model, programme_id: int, normalized: str, **named):
    query = sa.select(model).where(
        model.programme_id == programme_id,
        model.email_normalized == normalized,
        model.state != DeclarationState.WITHDRAWN,
    )
    for name, value in named.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalars(query.order_by(model.id.desc())).first()


def _fill_address(declaration: Declaration, contact: Contact, normalized: str) -> None:
    declaration.contact_email = contact.email.strip()
    declaration.email_normalized = normalized


def _fill_contact(declaration: Declaration, contact: Contact, note: str) -> None:
    declaration.contact_name = contact.name
    declaration.contact_phone = contact.phone
    declaration.note = note


def _fill_vhs(declaration: VhsDeclaration, data: VhsInterest) -> None:
    _fill_contact(declaration, data.contact, data.note)
    declaration.vhs_id = data.vhs_id
    known = data.vhs_id is not None
    declaration.new_vhs_name = "" if known else data.new_vhs_name
    declaration.new_vhs_street = "" if known else data.new_vhs_street
    declaration.new_vhs_postcode = "" if known else data.new_vhs_postcode
    declaration.new_vhs_town = "" if known else data.new_vhs_town
    declaration.room = data.room
    declaration.room_capacity = data.room_capacity
    declaration.step_free = data.step_free
    declaration.accessibility_note = data.accessibility_note
    declaration.councils = list(
        db.session.scalars(sa.select(Council).where(Council.id.in_(data.council_ids)))
    )
    offered = {offer.module: offer for offer in data.offers}
    kept = []
    for offer in declaration.offers:
        wanted = offered.pop(offer.module, None)
        if wanted is not None:
            _fill_offer(offer, wanted)
            kept.append(offer)
    kept += [_fill_offer(VhsOffer(module=module), wanted) for module, wanted in offered.items()]
    declaration.offers = sorted(kept, key=lambda offer: offer.module)


def _fill_offer(offer: VhsOffer, data: OfferData) -> VhsOffer:
    offer.day1, offer.day2 = data.day1, data.day2
    offer.preferred_period = data.preferred_period
    return offer


def _fill_council(declaration: CouncilDeclaration, data: CouncilInterest) -> None:
    _fill_contact(declaration, data.contact, data.note)
    declaration.council_id = data.council_id
    declaration.new_council_town = "" if data.council_id is not None else data.new_council_town
    declaration.wants_basic = data.wants_basic
    declaration.wants_advanced = data.wants_advanced
    declaration.estimated_participants = data.estimated_participants
    declaration.preferred_vhs_id = data.preferred_vhs_id


# -- the personal link -----------------------------------------------------------------------


def _queue_link(declaration: Declaration, kind: str, dedupe_key: str | None = None) -> None:
    """A new secret for the declaration's link (256 bits; only its digest is stored, so
    the link of an earlier mail stops working) and the mail that carries it."""
    token = secrets.token_urlsafe(32)
    declaration.link_digest = digest(token)
    _queue(
        declaration,
        kind,
        dedupe_key=dedupe_key,
        link=mail.absolute_url("public.interest_declaration", token=token),
    )


def _queue_changed(declaration: Declaration, token: str) -> None:
    """The mail after a change: it carries the link the change came through, the one
    that works now (a link mailed again replaced the first mail's)."""
    _queue(
        declaration,
        "interest_changed",
        link=mail.absolute_url("public.interest_declaration", token=token),
    )


def _queue(declaration: Declaration, kind: str, dedupe_key: str | None = None, **context) -> None:
    mail.queue(
        kind,
        declaration.contact_email,
        dedupe_key=dedupe_key,
        declaration=declaration,
        is_vhs=isinstance(declaration, VhsDeclaration),
        deadline=declaration.programme.interest_deadline,
        **context,
    )


def declaration_by_token(token: str) -> Declaration | None:
    if len(token) > TOKEN_MAX:
        return None
    wanted = digest(token)
    for model in (VhsDeclaration, CouncilDeclaration):
        found = db.session.scalars(sa.select(model).where(model.link_digest == wanted)).first()
        if found is not None:
            return found
    return None


def _locked_by_token(token: str) -> Declaration:
    """Inside a write transaction: the declaration the link opens, read afresh."""
    found = declaration_by_token(token)
    if found is None:
        raise LinkInvalid()
    return locked(type(found), found.id)


def is_decided(declaration: Declaration) -> bool:
    """The state organisers selected or declined one of its modules already."""
    offers = getattr(declaration, "offers", [])
    return any(offer.state != OfferState.OPEN for offer in offers)


def may_change(declaration: Declaration, today: date | None = None) -> bool:
    """Whether the link still changes or withdraws the declaration (the page's buttons)."""
    return (
        declaration.state == DeclarationState.CONFIRMED
        and rules.interest_open(declaration.programme.interest_deadline, today or today_berlin())
        and not is_decided(declaration)
    )


def may_withdraw(declaration: Declaration, today: date | None = None) -> bool:
    """Whether the link still withdraws it: until the deadline, confirmed or not."""
    return (
        declaration.state != DeclarationState.WITHDRAWN
        and rules.interest_open(declaration.programme.interest_deadline, today or today_berlin())
        and not is_decided(declaration)
    )


def _check_changeable(declaration: Declaration, today: date) -> None:
    if declaration.state == DeclarationState.WITHDRAWN:
        raise DeclarationWithdrawn()
    check_open(declaration.programme, today)
    if is_decided(declaration):
        raise DeclarationDecided()


def confirm(token: str, *, today: date | None = None) -> Declaration:
    """The person pressed "Interesse bestätigen" on the page of the link: the address is
    proven and the declaration counts. Confirming twice changes nothing; after the
    deadline a NEW declaration stays unconfirmed."""
    today = today or today_berlin()
    with write_transaction():
        declaration = _locked_by_token(token)
        if declaration.state == DeclarationState.CONFIRMED:
            return declaration
        if declaration.state == DeclarationState.WITHDRAWN:
            raise DeclarationWithdrawn()
        check_open(declaration.programme, today)
        declaration.state = DeclarationState.CONFIRMED
        declaration.confirmed_at = utcnow()
    return declaration


def change_vhs(token: str, data: VhsInterest, *, today: date | None = None) -> VhsDeclaration:
    """Change a confirmed VHS declaration through its link (its address stays: it is the
    one the link proved). It stays confirmed; the person is told by mail."""
    today = today or today_berlin()
    with write_transaction():
        declaration = _locked_by_token(token)
        if not isinstance(declaration, VhsDeclaration):
            raise LinkInvalid()
        _check_may_change(declaration, today)
        errors = vhs_errors(declaration.programme, data, today)
        if errors:
            raise InvalidInterest(errors)
        _fill_vhs(declaration, data)
        _queue_changed(declaration, token)
    return declaration


def change_council(
    token: str, data: CouncilInterest, *, today: date | None = None
) -> CouncilDeclaration:
    """Change a confirmed council declaration through its link, as ``change_vhs``."""
    today = today or today_berlin()
    with write_transaction():
        declaration = _locked_by_token(token)
        if not isinstance(declaration, CouncilDeclaration):
            raise LinkInvalid()
        _check_may_change(declaration, today)
        errors = council_errors(data)
        if errors:
            raise InvalidInterest(errors)
        _fill_council(declaration, data)
        _queue_changed(declaration, token)
    return declaration


def _check_may_change(declaration: Declaration, today: date) -> None:
    _check_changeable(declaration, today)
    if declaration.state != DeclarationState.CONFIRMED:
        raise NotConfirmed()


def withdraw(token: str, *, today: date | None = None) -> Declaration:
    """Withdraw a declaration through its link until the deadline (a NEW one too: the
    person may not want it at all). It no longer counts; the person is told by mail."""
    today = today or today_berlin()
    with write_transaction():
        declaration = _locked_by_token(token)
        _check_changeable(declaration, today)
        declaration.state = DeclarationState.WITHDRAWN
        declaration.withdrawn_at = utcnow()
        _queue(declaration, "interest_withdrawn")
    return declaration
