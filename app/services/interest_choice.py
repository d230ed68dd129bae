"""Choosing the locations (DOMAIN.md rule 9, "Interest comes first"): the state
organisers select a declared module at a VHS, which becomes a draft seminar, or
decline it with a reason.

Each decision is one transaction. It locks the declaration, then the offer (a second
decision on the same offer waits and then finds it decided), then, through the seminar
service, the programme and the VHS: the per-location rule (rule 7) is checked under
that lock, so two admins selecting the same module at one location never both win.
A VHS that is not in the directory yet is created in the same transaction, under the
directory's own lock, and found again by its name and town by the next selection.
Every decision mails the declaring VHS and the councils concerned and is in the audit
log.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app import rules
from app.core.enums import Region
from app.core.text import clean
from app.core.timeutil import utcnow
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


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    council_town: str = ""  # empty for the declaring VHS


@dataclass
class Plan:
    """What selecting an offer creates: the seminar's facts, the VHS (a new one is only
    named), whether an account is invited, and who is told."""

    declaration: VhsDeclaration
    offer: VhsOffer
    programme: Programme
    vhs: Vhs | None  # None: created from the declaration on selection
    vhs_name: str
    venue_name: str
    venue_street: str
    venue_postcode: str
    venue_town: str
    day1: date | None
    day2: date | None
    capacity: int
    councils: list[Council]
    invite: str | None  # the address a VHS account is invited for, if any
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


def _existing_vhs(declaration: VhsDeclaration) -> Vhs | None:
    if declaration.vhs is not None:
        return declaration.vhs
    return directory.vhs_named(declaration.new_vhs_name, declaration.new_vhs_town)


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


def _invitation_address(declaration: VhsDeclaration, vhs: Vhs | None) -> str | None:
    """The declaring contact is invited to a VHS account when the VHS has no active one
    and that address has no account of any kind yet."""
    if _has_vhs_account(vhs) or not declaration.contact_email:
        return None
    email = normalize_email(declaration.contact_email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        return None
    return email


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
) -> Plan:
    """What selecting ``offer`` would create, with the given days and places or else
    the declared ones (the room's places, at most the programme's maximum)."""
    declaration = offer.declaration
    programme = declaration.programme
    vhs = _existing_vhs(declaration)
    name = vhs.name if vhs else declaration.new_vhs_name
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
        invite=_invitation_address(declaration, vhs),
        recipients=recipients(declaration, int(offer.module)),
    )


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
    return next((c.region for c in declaration.councils if c.region is not None), None)


def _vhs_for(declaration: VhsDeclaration, actor_id: int | None) -> Vhs:
    """The declaration's VHS; a new one is looked up by name and town and created from
    the declaration when it is not in the directory yet."""
    if declaration.vhs is not None:
        return declaration.vhs
    serialize("vhs-slug")  # the look-up and the creation as one step
    vhs = directory.vhs_named(declaration.new_vhs_name, declaration.new_vhs_town)
    if vhs is None:
        vhs = directory.write_vhs(
            None,
            directory.VhsData(
                name=declaration.new_vhs_name,
                town=declaration.new_vhs_town,
                street=declaration.new_vhs_street,
                postcode=declaration.new_vhs_postcode,
                contact_name=declaration.contact_name,
                contact_email=declaration.contact_email,
                contact_phone=declaration.contact_phone,
                region=_region_guess(declaration),
            ),
            actor_id=actor_id,
        )
    declaration.vhs = vhs
    db.session.flush()
    return vhs


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
    invite_account: bool = True,
) -> Decision:
    """Select a declared module at its VHS: in one transaction the VHS is created when
    new, the draft seminar is created through the seminar service with every programme
    rule (``RulesBroken``, ``ModuleSlotTaken``), the offer is marked selected, a VHS
    account is invited when the VHS has none, the VHS and councils concerned are
    mailed, and it is logged. Days and places not given are the declared ones."""
    with write_transaction():
        declaration, offer = _lock_open_offer(offer_id)
        vhs = _vhs_for(declaration, actor_id)
        plan = plan_selection(offer, day1=day1, day2=day2, capacity=capacity)
        if plan.day1 is None or plan.day2 is None:
            missing = {"day1": messages.OFFER_DATES_MISSING} if plan.day1 is None else {}
            if plan.day2 is None:
                missing["day2"] = messages.OFFER_DATES_MISSING
            raise seminars.RulesBroken(missing)
        seminar = seminars.add_draft(
            seminars.SeminarData(
                programme_id=plan.programme.id,
                vhs_id=vhs.id,
                module=int(offer.module),
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
            ),
            plan.capacity,
            actor_id=actor_id,
        )
        offer.state = OfferState.SELECTED
        offer.seminar_id = seminar.id
        offer.decided_at = utcnow()
        offer.decided_by_id = actor_id
        # asked again under the VHS's lock (taken by the seminar service): a selection of
        # the other module at this VHS a moment ago may have invited an account already
        invited = _invitation_address(declaration, vhs) if invite_account else None
        if invited:
            accounts.invite_user(
                email=invited,
                role=Role.VHS,
                name=declaration.contact_name,
                vhs_id=vhs.id,
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
    return Decision(offer_id=offer_id, seminar=seminar, invited=invited, told=told)


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
