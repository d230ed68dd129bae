"""Choosing the locations (DOMAIN.md rule 9, "Interest comes first"): the state
organisers select a declared module at a VHS, which becomes a draft seminar, or
decline it with a reason.

Each decision is one transaction. It locks the declaration, then the offer (a second
decision on the same offer waits and then finds it decided), then, through the seminar
service, the programme and the VHS: the per-location rule (rule 7) is checked under
that lock, so two admins selecting the same module at one location never both win.
A VHS that is not in the directory yet is created in the same transaction, under the
directory's own lock (taken before the programme's), and found again by the next
selection. The rule compares places, not spellings (DOMAIN.md, "Choosing a location
gives nobody an account by default"): a VHS declared as new that the directory holds
under another spelling (the same address, or the same town and a similar name) is
never created a second time; the admin confirms which VHS it is, and the declaration
is matched to it. Last, when the admin asks for it, the account service invites a VHS
account under its own lock on the address: nobody is invited by default, the address
offered is the VHS's own contact from the directory (never the declaring person's),
and an address of another domain is invited only once the admin confirmed it.

Lock order: declaration, offer, directory ("vhs-slug"), programme, VHS, account address.

Every decision mails the declaring VHS and the councils concerned and is in the audit
log.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app import rules
from app.core.enums import Region
from app.core.regions import region_of_town
from app.core.text import clean
from app.core.timeutil import today_berlin, utcnow
from app.database import locked, serialize, write_transaction
from app.extensions import db
from app.models import (
    Council,
    DeclarationState,
    OfferState,
    Programme,
    Role,
    Seminar,
    User,
    Vhs,
    VhsDeclaration,
    VhsOffer,
)
from app.rules import normalize_email
from app.services import accounts, audit, directory, mail, messages, seminars
from app.services.audit import Action, Subject
from app.services.errors import ServiceError
from app.services.interest_overview import (
    behind,
    council_interests,
    near_councils,
)

REASON_MIN, REASON_MAX = 5, 500
VENUE_MAX = 160


class OfferNotFound(ServiceError):
    message = messages.OFFER_NOT_FOUND


class OfferNotOpen(ServiceError):
    """Only a confirmed declaration's open offer is selected or declined."""


class ReasonRequired(ServiceError):
    field = "reason"
    message = messages.OFFER_DECLINE_REASON


class SameVhsUnconfirmed(ServiceError):
    """A VHS declared as new is in the directory under another spelling: the admin
    says which one it is (one of ``Plan.matches``) before anything is created."""

    field = "same_vhs"
    message = messages.SAME_VHS_UNCONFIRMED


class AccountAddressUnchecked(ServiceError):
    """The address for the VHS account is not of the VHS's known domain (or none is
    known): invited only once the admin confirmed it."""

    field = "account_email"


class AccountAddressTaken(ServiceError):
    field = "account_email"
    message = messages.ACCOUNT_EXISTS


@dataclass(frozen=True)
class SameVhs:
    """A VHS in the directory that a VHS declared as new may be: why, and the seminar
    that holds the offered module there already (rule 7), if any."""

    vhs: Vhs
    match: rules.PlaceMatch
    holder_id: int | None


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    council_town: str = ""  # empty for the declaring VHS


@dataclass
class Plan:
    """What selecting an offer creates: the seminar's facts, the VHS (a new one is only
    named), the account address offered, and who is told."""

    declaration: VhsDeclaration
    offer: VhsOffer
    programme: Programme
    vhs: Vhs | None  # None: created from the declaration, or one of ``matches``
    vhs_name: str
    venue_name: str
    venue_street: str
    venue_postcode: str
    venue_town: str
    day1: date | None
    day2: date | None
    capacity: int | None  # None: nothing to suggest (the room is below the minimum)
    councils: list[Council]
    # a VHS declared as new: found in the directory by its name as written, or the
    # VHS it may be under another spelling (the admin says which)
    found_by_name: bool = False
    matches: list[SameVhs] = field(default_factory=list)
    has_account: bool = False  # the VHS has an active VHS account already
    known_contact: str = ""  # the VHS's own contact address in the directory
    account_offer: str = ""  # the address offered for its account (never the declarant's)
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def registration_deadline(self) -> date | None:
        return rules.registration_deadline_for(self.day1) if self.day1 else None


@dataclass(frozen=True)
class Decision:
    offer_id: int
    seminar: Seminar | None
    invited: str | None
    told: int
    account_existed: bool = False  # an account was asked for, but the VHS had one by then


# -- reading what a decision would do ----------------------------------------------------


def offer_or_none(offer_id: int) -> VhsOffer | None:
    return db.session.get(VhsOffer, offer_id)


def refusal(declaration: VhsDeclaration, offer: VhsOffer) -> str | None:
    """Why the offer cannot be decided now, or None when it can."""
    if offer.state != OfferState.OPEN:
        return messages.offer_decided(offer.state.label)
    if declaration.state == DeclarationState.NEW:
        return messages.OFFER_DECLARATION_NEW
    if declaration.state == DeclarationState.WITHDRAWN:
        return messages.OFFER_DECLARATION_WITHDRAWN
    return None


def _venue_name(vhs_name: str, room: str) -> str:
    name = f"{vhs_name}, {room}" if room else vhs_name
    return name if len(name) <= VENUE_MAX else name[: VENUE_MAX - 1].rstrip() + "…"


def _declared_place(declaration: VhsDeclaration) -> rules.Place:
    return directory.place(
        declaration.new_vhs_name,
        declaration.new_vhs_town,
        declaration.new_vhs_street,
        declaration.new_vhs_postcode,
    )


def _directory_vhs(
    declaration: VhsDeclaration, same_vhs_id: int | None
) -> tuple[Vhs | None, bool, list[tuple[Vhs, rules.PlaceMatch]]]:
    """The declaration's VHS in the directory: the one it names; for a VHS declared as
    new, the one of its name and town as people write them (found by name), else the
    VHS it may be under another spelling, with the one the admin chose (or None)."""
    if declaration.vhs is not None:
        return declaration.vhs, False, []
    named = directory.vhs_named(declaration.new_vhs_name, declaration.new_vhs_town)
    if named is not None:
        return named, True, []
    matches = directory.vhs_like(_declared_place(declaration))
    chosen = next((vhs for vhs, _ in matches if vhs.id == same_vhs_id), None)
    return chosen, False, matches


def _has_vhs_account(vhs: Vhs | None) -> bool:
    if vhs is None:
        return False
    return (
        db.session.scalar(
            sa.select(User.id)
            .where(User.vhs_id == vhs.id, User.role == Role.VHS, User.active.is_(True))
            .limit(1)
        )
        is not None
    )


def _has_account(email: str) -> bool:
    return (
        db.session.scalar(sa.select(User.id).where(User.email == normalize_email(email)))
        is not None
    )


def _account_offer(vhs: Vhs | None) -> str:
    """The address offered for a VHS account: the VHS's own contact in the directory,
    while the VHS has no account and that address none of any kind. Never the address
    of whoever declared."""
    if vhs is None or not vhs.contact_email or _has_vhs_account(vhs):
        return ""
    return "" if _has_account(vhs.contact_email) else vhs.contact_email


def recipients(declaration: VhsDeclaration, module: int) -> list[Recipient]:
    """The declaring contact, then every council concerned: those the VHS named (their
    office) and those whose declaration wants this module here (their contact). Each
    address once."""
    found = [Recipient(declaration.contact_email, declaration.contact_name)]
    interests = council_interests(declaration.programme_id)
    for interest, reasons in near_councils(declaration, interests):
        if behind(interest, reasons, module) and interest.contact_email:
            found.append(Recipient(interest.contact_email, interest.contact_name, interest.town))
    seen, unique = set(), []
    for recipient in found:
        key = normalize_email(recipient.email)
        if recipient.email and key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique


def plan_selection(
    offer: VhsOffer,
    *,
    day1: date | None = None,
    day2: date | None = None,
    capacity: int | None = None,
    same_vhs_id: int | None = None,
) -> Plan:
    """What selecting ``offer`` would create, with the given days and places or else
    the declared ones (the room's places, at most the programme's maximum, none below
    its minimum); for a VHS declared as new that the directory may hold under another
    spelling, ``same_vhs_id`` is the one the admin chose."""
    declaration = offer.declaration
    programme = declaration.programme
    vhs, found_by_name, matches = _directory_vhs(declaration, same_vhs_id)
    name = vhs.name if vhs else declaration.new_vhs_name
    # the VHS whose account is meant: the one chosen, or the only one it may be
    known = vhs or (matches[0][0] if len(matches) == 1 else None)
    return Plan(
        declaration=declaration,
        offer=offer,
        programme=programme,
        vhs=vhs,
        vhs_name=name,
        venue_name=_venue_name(name, declaration.room),
        venue_street=vhs.street if vhs else declaration.new_vhs_street,
        venue_postcode=vhs.postcode if vhs else declaration.new_vhs_postcode,
        venue_town=vhs.town if vhs else declaration.new_vhs_town,
        day1=day1 or offer.day1,
        day2=day2 or offer.day2,
        capacity=capacity or rules.offered_capacity(programme.rules, declaration.room_capacity),
        councils=list(declaration.councils),
        found_by_name=found_by_name,
        matches=[
            SameVhs(vhs=other, match=match, holder_id=_holder_id(other, offer))
            for other, match in matches
        ],
        has_account=_has_vhs_account(known),
        known_contact=known.contact_email if known else "",
        account_offer=_account_offer(known),
        recipients=recipients(declaration, int(offer.module)),
    )


def _holder_id(vhs: Vhs, offer: VhsOffer) -> int | None:
    holder = seminars.module_slot_holder(vhs.id, offer.declaration.programme_id, int(offer.module))
    return holder.id if holder is not None else None


# -- deciding -------------------------------------------------------------------------------


def _lock_open_offer(offer_id: int) -> tuple[VhsDeclaration, VhsOffer]:
    """The declaration, then the offer, locked and read afresh; refused unless open."""
    declaration_id = db.session.scalar(
        sa.select(VhsOffer.declaration_id).where(VhsOffer.id == offer_id)
    )
    if declaration_id is None:
        raise OfferNotFound()
    declaration = locked(VhsDeclaration, declaration_id)
    offer = locked(VhsOffer, offer_id)
    if declaration is None or offer is None:
        raise OfferNotFound()
    refused = refusal(declaration, offer)
    if refused:
        raise OfferNotOpen(refused)
    return declaration, offer


def _region_guess(declaration: VhsDeclaration) -> Region | None:
    """The Regierungsbezirk of a VHS declared as new: its town's; else that of the first
    council it names that has one."""
    return region_of_town(declaration.new_vhs_town) or next(
        (c.region for c in declaration.councils if c.region is not None), None
    )


def _vhs_for(
    declaration: VhsDeclaration, same_vhs_id: int | None, actor_id: int | None
) -> tuple[Vhs, bool]:
    """The declaration's VHS, and whether it was in the directory before. A VHS
    declared as new is looked up by name and town; one the directory may hold under
    another spelling is taken only as the admin chose (``SameVhsUnconfirmed``
    otherwise); only a VHS like none in the directory is created from the declaration
    (its name, address and region; never the declaring person's contact). The
    declaration is matched to the VHS it gets."""
    if declaration.vhs is not None:
        return declaration.vhs, True
    serialize("vhs-slug")  # the look-up and the creation as one step
    vhs, _found_by_name, matches = _directory_vhs(declaration, same_vhs_id)
    known = vhs is not None
    if vhs is None and matches:
        raise SameVhsUnconfirmed()
    if vhs is None:
        vhs = directory.write_vhs(
            None,
            directory.VhsData(
                name=declaration.new_vhs_name,
                town=declaration.new_vhs_town,
                street=declaration.new_vhs_street,
                postcode=declaration.new_vhs_postcode,
                # no contact: the declaring person's address is no VHS contact (shown
                # publicly, offered for the VHS account) until an admin enters it
                region=_region_guess(declaration),
            ),
            actor_id=actor_id,
        )
    declaration.vhs = vhs
    db.session.flush()
    return vhs, known


def _seminar_data(plan: Plan, vhs: Vhs) -> seminars.SeminarData:
    return seminars.SeminarData(
        programme_id=plan.programme.id,
        vhs_id=vhs.id,
        module=int(plan.offer.module),
        venue_name=plan.venue_name,
        venue_street=plan.venue_street,
        venue_postcode=plan.venue_postcode,
        venue_town=plan.venue_town,
        day1=plan.day1,
        day1_starts=rules.SELECTED_DAY_STARTS,
        day1_ends=rules.SELECTED_DAY_ENDS,
        day2=plan.day2,
        day2_starts=rules.SELECTED_DAY_STARTS,
        day2_ends=rules.SELECTED_DAY_ENDS,
        registration_deadline=plan.registration_deadline,
        council_ids=tuple(c.id for c in plan.councils),
    )


def _check_plan(plan: Plan, data: seminars.SeminarData, today: date) -> None:
    """Refuse (``RulesBroken``, every problem at once) what the seminar service does
    not know: days that are past, as on the public interest form, and a registration
    deadline that would have passed already; and the programme's rules (checked again
    under the lock by the seminar service)."""
    programme_rules = plan.programme.rules
    found = seminars.rule_errors(programme_rules, data, plan.capacity)
    for name in ("day1", "day2"):
        if getattr(plan, name) < today:
            found[name] = messages.INTEREST_DAY_PAST
    deadline = plan.registration_deadline
    if "day1" not in found and rules.deadline_passed(deadline, today):
        found["day1"] = messages.offer_deadline_passed(
            deadline, rules.earliest_selected_first_day(today)
        )
    if plan.capacity is None:
        found["capacity"] = messages.capacity_not_allowed(
            programme_rules.min_participants, programme_rules.max_participants
        )
    if found:
        raise seminars.RulesBroken(found)


def _invite(
    email: str, *, vhs: Vhs, known_contact: str, other_domain: bool, actor_id: int | None
) -> str | None:
    """Invite ``email`` to the VHS's account, as the admin chose; None when the VHS has
    an account by now (another selection at this VHS a moment ago). Call it with the
    VHS locked."""
    if _has_vhs_account(vhs):
        return None
    email = normalize_email(email)
    if not other_domain:
        if not known_contact:
            raise AccountAddressUnchecked(messages.ACCOUNT_NO_KNOWN_CONTACT)
        if not rules.same_mail_domain(email, known_contact):
            raise AccountAddressUnchecked(
                messages.account_other_domain(
                    rules.mail_domain(email), rules.mail_domain(known_contact)
                )
            )
    own = known_contact and normalize_email(known_contact) == email
    try:
        accounts.invite_user(
            email=email,
            role=Role.VHS,
            name=vhs.contact_name if own else "",
            vhs_id=vhs.id,
            actor_id=actor_id,
        )
    except accounts.AccountExists:
        raise AccountAddressTaken() from None
    return email


def _mail(kind: str, plan: Plan, **context) -> int:
    for recipient in plan.recipients:
        mail.queue(
            kind,
            recipient.email,
            addressee=recipient,
            declaration=plan.declaration,
            offer=plan.offer,
            programme=plan.programme,
            vhs_name=plan.vhs_name,
            **context,
        )
    return len(plan.recipients)


def _record(action: Action, offer: VhsOffer, plan: Plan, actor_id, seminar_id=None, **after):
    audit.record(
        action,
        seminar_id=seminar_id,
        subject=Subject.OFFER,
        subject_id=offer.id,
        actor_id=actor_id,
        detail=f"{offer.module.kind} · {plan.vhs_name}",
        changes=audit.changed(
            {"decision": OfferState.OPEN},
            {"vhs": plan.vhs_name, "module": offer.module, **after},
            ("vhs", "module", "decision", "decision_reason"),
        ),
    )


def select_offer(
    offer_id: int,
    *,
    actor_id: int | None,
    day1: date | None = None,
    day2: date | None = None,
    capacity: int | None = None,
    same_vhs_id: int | None = None,
    account_email: str | None = None,
    other_domain: bool = False,
    today: date | None = None,
) -> Decision:
    """Select a declared module at its VHS: in one transaction the VHS is created when
    new (or, known under another spelling, taken as ``same_vhs_id`` confirms), the
    draft seminar is created through the seminar service with every programme rule
    (``RulesBroken``, ``ModuleSlotTaken``; days past or a registration deadline passed
    by ``today`` are refused too), the offer is marked selected, the VHS and councils
    concerned are mailed, and it is logged. A VHS account is invited only for
    ``account_email`` (``AccountAddressUnchecked`` for one of another domain than the
    VHS's known contact unless ``other_domain``). Days and places not given are the
    declared ones."""
    today = today or today_berlin()
    with write_transaction():
        declaration, offer = _lock_open_offer(offer_id)
        vhs, known_before = _vhs_for(declaration, same_vhs_id, actor_id)
        known_contact = vhs.contact_email if known_before else ""
        plan = plan_selection(offer, day1=day1, day2=day2, capacity=capacity)
        if plan.day1 is None or plan.day2 is None:
            missing = {"day1": messages.OFFER_DATES_MISSING} if plan.day1 is None else {}
            if plan.day2 is None:
                missing["day2"] = messages.OFFER_DATES_MISSING
            raise seminars.RulesBroken(missing)
        data = _seminar_data(plan, vhs)
        _check_plan(plan, data, today)
        seminar = seminars.add_draft(data, plan.capacity, actor_id=actor_id)
        offer.state = OfferState.SELECTED
        offer.seminar_id = seminar.id
        offer.decided_at = utcnow()
        offer.decided_by_id = actor_id
        invited = None
        if account_email:
            # asked under the VHS's lock (taken by the seminar service): a selection of
            # the other module at this VHS a moment ago may have invited an account
            invited = _invite(
                account_email,
                vhs=vhs,
                known_contact=known_contact,
                other_domain=other_domain,
                actor_id=actor_id,
            )
        told = _mail("interest_decision_selected", plan, seminar=seminar)
        _record(
            Action.OFFER_SELECTED,
            offer,
            plan,
            actor_id,
            seminar_id=seminar.id,
            decision=OfferState.SELECTED,
        )
        db.session.flush()
    return Decision(
        offer_id=offer_id,
        seminar=seminar,
        invited=invited,
        told=told,
        account_existed=bool(account_email) and invited is None,
    )


def clean_reason(reason: str | None) -> str:
    """The reason as stored; refused (``ReasonRequired``) unless 5 to 500 characters."""
    text = clean(reason)
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ReasonRequired()
    return text


def decline_offer(offer_id: int, reason: str, *, actor_id: int | None) -> Decision:
    """Decline a declared module with a reason (5 to 500 characters): marked declined,
    the VHS and councils concerned mailed with the reason, logged. One transaction."""
    text = clean_reason(reason)
    with write_transaction():
        _declaration, offer = _lock_open_offer(offer_id)
        plan = plan_selection(offer)
        offer.state = OfferState.DECLINED
        offer.decision_reason = text
        offer.decided_at = utcnow()
        offer.decided_by_id = actor_id
        told = _mail("interest_decision_declined", plan, reason=text)
        _record(
            Action.OFFER_DECLINED,
            offer,
            plan,
            actor_id,
            decision=OfferState.DECLINED,
            decision_reason=text,
        )
        db.session.flush()
    return Decision(offer_id=offer_id, seminar=None, invited=None, told=told)
