"""The state organisers' overview of a programme's interest declarations (DOMAIN.md
rule 9, "Interest comes first"): per VHS its offered modules with dates, the councils
behind or near it, the estimated demand and what to watch out for; the councils that no
seminar of the programme serves yet (a selected offer, or a seminar created otherwise);
the modules a council declared more than once; and the counts per module and
Regierungsbezirk. A council is its town (``council_key``): however many declarations it
made, it is listed and counted once.

Reading only. The matching of councils to a VHS (``serving_reasons``) is a plain
function on plain values; ``overview`` loads a programme in a fixed number of queries
and builds plain rows from it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import rules
from app.core.enums import LabelledStrEnum, Module, Region
from app.core.ids import ID_MAX
from app.core.regions import region_of_town
from app.core.text import fold
from app.extensions import db
from app.models import (
    CouncilDeclaration,
    DeclarationState,
    OfferState,
    Programme,
    Seminar,
    SeminarState,
    VhsDeclaration,
    VhsOffer,
)
from app.services import messages


class OfferStatus(LabelledStrEnum):
    """Where an offered module stands, as the overview filters it."""

    NEW = "new", "neu (Adresse nicht bestätigt)"
    CONFIRMED = "confirmed", "bestätigt, offen"
    SELECTED = "selected", "ausgewählt"
    DECLINED = "declined", "abgelehnt"
    WITHDRAWN = "withdrawn", "zurückgezogen"


def offer_status(declaration_state: DeclarationState, offer_state: OfferState) -> OfferStatus:
    """A decision stands whatever happened to the declaration after it; an open offer
    takes the state of its declaration."""
    if offer_state == OfferState.SELECTED:
        return OfferStatus.SELECTED
    if offer_state == OfferState.DECLINED:
        return OfferStatus.DECLINED
    if declaration_state == DeclarationState.WITHDRAWN:
        return OfferStatus.WITHDRAWN
    if declaration_state == DeclarationState.NEW:
        return OfferStatus.NEW
    return OfferStatus.CONFIRMED


# -- matching councils to a VHS (pure) -------------------------------------------------


class Reason(LabelledStrEnum):
    """Why a council counts for a VHS."""

    NAMED = "named", "von der VHS genannt"
    PREFERS = "prefers", "wünscht diese VHS"
    SAME_TOWN = "same_town", "im selben Ort"


def town_key(town: str) -> str:
    """A town as people write it, with case, umlaut spellings and spaces set aside."""
    return " ".join(fold(town).split())


def same_town(a: str, b: str) -> bool:
    """Two towns as people write them (case, umlaut spellings, spaces aside)."""
    return bool(a.strip()) and town_key(a) == town_key(b)


@dataclass(frozen=True)
class Location:
    """A VHS as a declaration names it: a directory entry (``vhs_id``) or a new one."""

    vhs_id: int | None
    town: str
    named_council_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CouncilInterest:
    """A council that wants modules: from its own declaration, or named by a VHS."""

    town: str
    modules: frozenset[int]
    council_id: int | None = None
    preferred_vhs_id: int | None = None
    declaration_id: int | None = None
    confirmed: bool = True
    estimated: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def serving_reasons(location: Location, council: CouncilInterest) -> list[Reason]:
    """Why ``location`` serves ``council``: the VHS named it, the council prefers this
    VHS, or both are in the same town. Empty when none holds."""
    found = []
    if council.council_id is not None and council.council_id in location.named_council_ids:
        found.append(Reason.NAMED)
    if location.vhs_id is not None and council.preferred_vhs_id == location.vhs_id:
        found.append(Reason.PREFERS)
    if same_town(location.town, council.town):
        found.append(Reason.SAME_TOWN)
    return found


def vhs_key(row: "DeclarationRow") -> str:
    """Which VHS a declaration is of: its directory entry, or a new one's name and town
    (compared as the councils' towns are). Two declarations of one VHS are one VHS."""
    if row.vhs_id is not None:
        return f"vhs:{row.vhs_id}"
    return f"new:{town_key(row.town)}:{town_key(row.vhs_name)}"


def council_key(council: CouncilInterest) -> str:
    """Which council an interest is of: one council a town (a council is a town's, and a
    declaration for a council not in the directory names its town), compared as places,
    not spellings. Two declarations of one council are one council on the overview."""
    return town_key(council.town)


def served_modules(council: CouncilInterest, selected: Iterable[tuple[Location, int]]) -> set[int]:
    """The modules of the (location, module) pairs that serve ``council``."""
    return {module for location, module in selected if serving_reasons(location, council)}


def unserved_modules(
    council: CouncilInterest, selected: Iterable[tuple[Location, int]]
) -> list[Module]:
    """The modules ``council`` wants that no selected (location, module) serves."""
    served = served_modules(council, selected)
    return [Module(m) for m in sorted(council.modules) if m not in served]


def newest(interests: Iterable[CouncilInterest]) -> CouncilInterest:
    """The interest of the newest declaration (a council named by a VHS only, oldest)."""
    return max(interests, key=lambda interest: interest.declaration_id or 0)


@dataclass(frozen=True)
class Duplicate:
    """One council declared one module more than once (declarations not withdrawn):
    the overview counts it once, with the newest confirmed declaration's figure."""

    town: str
    module: Module
    declarations: list[CouncilInterest]


def duplicates(interests: Iterable[CouncilInterest]) -> list[Duplicate]:
    """Every (council, module) declared by more than one declaration, oldest first."""
    groups: dict[tuple[str, int], list[CouncilInterest]] = {}
    for interest in sorted(interests, key=lambda i: i.declaration_id or 0):
        if interest.declaration_id is None:
            continue
        for module in interest.modules:
            groups.setdefault((council_key(interest), module), []).append(interest)
    found = [
        Duplicate(town=group[0].town, module=Module(module), declarations=group)
        for (_key, module), group in groups.items()
        if len(group) > 1
    ]
    return sorted(found, key=lambda d: (fold(d.town), d.module))


# -- the rows the overview shows ---------------------------------------------------------


@dataclass(frozen=True)
class NearCouncil:
    """A council behind or near a VHS declaration."""

    town: str
    reasons: list[Reason]
    modules: list[Module]
    confirmed: bool
    estimated: int | None
    contact_name: str
    contact_email: str
    duplicate: bool = False  # a module of it is declared again by the same council


@dataclass
class OfferRow:
    id: int
    module: Module
    day1: date | None
    day2: date | None
    preferred_period: str
    status: OfferStatus
    decision_reason: str
    decided_at: datetime | None
    seminar_id: int | None
    # estimated participants of the confirmed councils near that want it, each council
    # once (its newest confirmed declaration)
    demand: int
    councils: int  # councils behind it: named, or near and wanting this module; each once
    warnings: list[str] = field(default_factory=list)

    @property
    def actionable(self) -> bool:
        """Only a confirmed declaration's open offer is selected or declined."""
        return self.status == OfferStatus.CONFIRMED


@dataclass
class DeclarationRow:
    id: int
    vhs_id: int | None
    vhs_name: str
    town: str
    street: str
    postcode: str
    region: Region | None
    new_vhs: bool
    state: DeclarationState
    contact_name: str
    contact_email: str
    contact_phone: str
    room: str
    room_capacity: int | None
    step_free: bool
    accessibility_note: str
    note: str
    created_at: datetime
    near: list[NearCouncil]
    offers: list[OfferRow]


@dataclass(frozen=True)
class Filters:
    """The overview's filters, from the page's address; None shows everything."""

    module: Module | None = None
    status: OfferStatus | None = None
    region: Region | None = None

    @classmethod
    def parse(cls, module: str | None, status: str | None, region: str | None) -> "Filters":
        """Unknown values are ignored, never an error."""
        return cls(
            module=_member(Module, module, int),
            status=_member(OfferStatus, status),
            region=_member(Region, region),
        )

    def __bool__(self) -> bool:
        return any((self.module, self.status, self.region))


def _member(enum_cls, raw: str | None, convert=str):
    try:
        return enum_cls(convert((raw or "").strip()))
    except ValueError:
        return None


@dataclass(frozen=True)
class UnservedCouncil:
    town: str
    missing: list[Module]
    from_declaration: bool  # its own declaration, or only named by a VHS
    estimated: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    duplicate: bool = False  # it declared a module more than once


@dataclass
class Overview:
    programme: Programme
    rows: list[DeclarationRow]  # every declaration, unfiltered
    declaring_councils: int  # councils with a declaration not withdrawn, each once
    unserved: list[UnservedCouncil]
    duplicates: list[Duplicate] = field(default_factory=list)
    # VHS with a declaration not withdrawn, each once: counted as the councils are
    declaring_vhs: int = 0
    withdrawn: int = 0  # withdrawn declarations of VHS and councils, counted apart

    def filtered(self, filters: Filters) -> list[DeclarationRow]:
        """The declarations with at least one offer passing ``filters``, each with only
        those offers."""
        found = []
        for row in self.rows:
            if filters.region is not None and row.region != filters.region:
                continue
            offers = [
                offer
                for offer in row.offers
                if (filters.module is None or offer.module == filters.module)
                and (filters.status is None or offer.status == filters.status)
            ]
            if offers:
                found.append(_with_offers(row, offers))
        return found


def _with_offers(row: DeclarationRow, offers: list[OfferRow]) -> DeclarationRow:
    return replace(row, offers=offers)


# -- loading -------------------------------------------------------------------------------


def programme_or_current(programme_id: int | None) -> Programme | None:
    # an id past the id columns' range names nothing (and the database would refuse it)
    if programme_id is not None and 0 < programme_id <= ID_MAX:
        found = db.session.get(Programme, programme_id)
        if found is not None:
            return found
    return Programme.current()


def load_declarations(programme_id: int) -> list[VhsDeclaration]:
    return list(
        db.session.scalars(
            sa.select(VhsDeclaration)
            .where(VhsDeclaration.programme_id == programme_id)
            .options(
                joinedload(VhsDeclaration.vhs),
                selectinload(VhsDeclaration.offers),
                selectinload(VhsDeclaration.councils),
            )
            .order_by(VhsDeclaration.id)
        )
    )


def council_interests(programme_id: int) -> list[CouncilInterest]:
    """The programme's council declarations that are not withdrawn."""
    return [
        council_interest(declaration)
        for declaration in db.session.scalars(
            sa.select(CouncilDeclaration)
            .where(
                CouncilDeclaration.programme_id == programme_id,
                CouncilDeclaration.state != DeclarationState.WITHDRAWN,
            )
            .options(joinedload(CouncilDeclaration.council))
            .order_by(CouncilDeclaration.id)
        )
    ]


def council_interest(declaration: CouncilDeclaration) -> CouncilInterest:
    return CouncilInterest(
        town=declaration.town,
        modules=frozenset(int(m) for m in declaration.modules),
        council_id=declaration.council_id,
        preferred_vhs_id=declaration.preferred_vhs_id,
        declaration_id=declaration.id,
        confirmed=declaration.state == DeclarationState.CONFIRMED,
        estimated=declaration.estimated_participants,
        contact_name=declaration.contact_name,
        contact_email=declaration.contact_email,
        contact_phone=declaration.contact_phone,
    )


def named_interests(declaration: VhsDeclaration) -> list[CouncilInterest]:
    """The councils a VHS declaration names, wanting the modules it offers."""
    modules = frozenset(int(offer.module) for offer in declaration.offers)
    return [
        CouncilInterest(
            town=council.town,
            modules=modules,
            council_id=council.id,
            contact_name=council.contact_name,
            contact_email=council.office_email,
            contact_phone=council.contact_phone,
        )
        for council in declaration.councils
    ]


def location_of(declaration: VhsDeclaration) -> Location:
    return Location(
        vhs_id=declaration.vhs_id,
        town=declaration.town,
        named_council_ids=frozenset(council.id for council in declaration.councils),
    )


def region_of(declaration: VhsDeclaration) -> Region | None:
    """The VHS's Regierungsbezirk; for a VHS not in the directory yet, its town's, else
    that of the first council it names that has one."""
    if declaration.vhs is not None:
        return declaration.vhs.region
    return region_of_town(declaration.new_vhs_town) or next(
        (c.region for c in declaration.councils if c.region is not None), None
    )


def near_councils(
    declaration: VhsDeclaration, interests: list[CouncilInterest]
) -> list[tuple[CouncilInterest, list[Reason]]]:
    """The council declarations that this VHS serves, and the councils it names that
    have no declaration of their own, each with why."""
    location = location_of(declaration)
    found = []
    declared = set()
    for interest in interests:
        reasons = serving_reasons(location, interest)
        if reasons:
            found.append((interest, reasons))
            declared.add(interest.council_id)
    for named in named_interests(declaration):
        if named.council_id not in declared:
            found.append((named, [Reason.NAMED]))
    return found


def behind(interest: CouncilInterest, reasons: list[Reason], module: int) -> bool:
    """A council stands behind an offered module when the VHS named it, or when its
    confirmed declaration wants that module."""
    return Reason.NAMED in reasons or (interest.confirmed and module in interest.modules)


def held_seminars(programme_id: int) -> list[Seminar]:
    """The programme's seminars that are not cancelled, with their VHS and councils."""
    return list(
        db.session.scalars(
            sa.select(Seminar)
            .where(Seminar.programme_id == programme_id, Seminar.state != SeminarState.CANCELLED)
            .options(joinedload(Seminar.vhs), selectinload(Seminar.councils))
            .order_by(Seminar.id)
        )
    )


def seminar_locations(seminars: Iterable[Seminar]) -> list[tuple[Location, int]]:
    """(location, module) of each seminar: its VHS, in the VHS's town and in the town it
    is held in, serving the councils it names. A seminar created from a selected offer
    names the councils of its declaration."""
    found = []
    for seminar in seminars:
        named = frozenset(council.id for council in seminar.councils)
        for town in dict.fromkeys((seminar.vhs.town, seminar.venue_town)):
            found.append((Location(seminar.vhs_id, town, named), int(seminar.module)))
    return found


def held_modules(programme_id: int) -> dict[tuple[int, int], int]:
    """(VHS, module) -> the seminar that holds that place in the programme (rule 7)."""
    held = {}
    for seminar_id, vhs_id, module in db.session.execute(
        sa.select(Seminar.id, Seminar.vhs_id, Seminar.module)
        .where(Seminar.programme_id == programme_id, Seminar.state != SeminarState.CANCELLED)
        .order_by(Seminar.id)
    ):
        held.setdefault((vhs_id, int(module)), seminar_id)
    return held


def _offer_row(
    programme_rules: rules.ProgrammeRules,
    declaration: VhsDeclaration,
    offer: VhsOffer,
    near: list[tuple[CouncilInterest, list[Reason]]],
    held: dict[tuple[int, int], int],
) -> OfferRow:
    module = int(offer.module)
    wanting = [interest for interest, reasons in near if behind(interest, reasons, module)]
    demand: dict[str, int] = {}  # per council: its newest confirmed declaration's figure
    for interest in sorted(wanting, key=lambda i: i.declaration_id or 0):
        if interest.confirmed and module in interest.modules:
            demand[council_key(interest)] = interest.estimated or 0
    councils = len({council_key(interest) for interest in wanting})
    holder = held.get((declaration.vhs_id, module)) if declaration.vhs_id else None
    taken = holder is not None and holder != offer.seminar_id
    status = offer_status(declaration.state, offer.state)
    found = rules.offer_warnings(
        programme_rules,
        day1=offer.day1,
        day2=offer.day2,
        room_capacity=declaration.room_capacity,
        module_taken=taken and status != OfferStatus.SELECTED,
        councils=councils,
    )
    return OfferRow(
        id=offer.id,
        module=offer.module,
        day1=offer.day1,
        day2=offer.day2,
        preferred_period=offer.preferred_period,
        status=status,
        decision_reason=offer.decision_reason,
        decided_at=offer.decided_at,
        seminar_id=offer.seminar_id,
        demand=sum(demand.values()),
        councils=councils,
        warnings=[_warning_text(w, programme_rules, offer, declaration, holder) for w in found],
    )


def _warning_text(
    warning: rules.OfferWarning,
    programme_rules: rules.ProgrammeRules,
    offer: VhsOffer,
    declaration: VhsDeclaration,
    holder: int | None,
) -> str:
    match warning:
        case rules.OfferWarning.MODULE_TAKEN:
            return messages.offer_module_taken(offer.module.kind, holder)
        case rules.OfferWarning.OUTSIDE_PERIOD:
            return messages.offer_outside_period(
                programme_rules.period_start, programme_rules.period_end
            )
        case rules.OfferWarning.SAME_DAY:
            return messages.DAY2_BEFORE_DAY1
        case rules.OfferWarning.ROOM_TOO_SMALL:
            return messages.offer_room_too_small(
                declaration.room_capacity, programme_rules.min_participants
            )
        case rules.OfferWarning.NO_DATES:
            return messages.offer_no_dates(offer.preferred_period)
        case rules.OfferWarning.DAYS_FAR_APART:
            return messages.offer_days_far_apart(
                (offer.day2 - offer.day1).days, rules.DAYS_CLOSE_TOGETHER
            )
        case _:
            return messages.OFFER_NO_COUNCIL


def declaration_row(
    programme_rules: rules.ProgrammeRules,
    declaration: VhsDeclaration,
    interests: list[CouncilInterest],
    held: dict[tuple[int, int], int],
    duplicated: frozenset[int] = frozenset(),
) -> DeclarationRow:
    """``duplicated``: the ids of council declarations that declare a module again."""
    near = near_councils(declaration, interests)
    new_vhs = declaration.vhs is None
    return DeclarationRow(
        id=declaration.id,
        vhs_id=declaration.vhs_id,
        vhs_name=declaration.vhs_name,
        town=declaration.town,
        street=declaration.new_vhs_street if new_vhs else declaration.vhs.street,
        postcode=declaration.new_vhs_postcode if new_vhs else declaration.vhs.postcode,
        region=region_of(declaration),
        new_vhs=new_vhs,
        state=declaration.state,
        contact_name=declaration.contact_name,
        contact_email=declaration.contact_email,
        contact_phone=declaration.contact_phone,
        room=declaration.room,
        room_capacity=declaration.room_capacity,
        step_free=declaration.step_free,
        accessibility_note=declaration.accessibility_note,
        note=declaration.note,
        created_at=declaration.created_at,
        near=[
            NearCouncil(
                town=interest.town,
                reasons=reasons,
                modules=[Module(m) for m in sorted(interest.modules)],
                confirmed=interest.confirmed,
                estimated=interest.estimated,
                contact_name=interest.contact_name,
                contact_email=interest.contact_email,
                duplicate=interest.declaration_id in duplicated,
            )
            for interest, reasons in near
        ],
        offers=[
            _offer_row(programme_rules, declaration, offer, near, held)
            for offer in declaration.offers
        ],
    )


def unserved_councils(
    declarations: list[VhsDeclaration],
    interests: list[CouncilInterest],
    seminars: list[Seminar],
    duplicated: frozenset[int] = frozenset(),
) -> list[UnservedCouncil]:
    """Councils with a confirmed declaration, and councils named in confirmed VHS
    declarations without a declaration of their own, that want a module no seminar of
    the programme serves (a selected offer is one; cancelled ones serve nobody): nobody
    is forgotten, and each council is listed once, whatever number of declarations it
    made (its wishes together, the figure and contact of its newest declaration)."""
    held = seminar_locations(seminars)
    councils: dict[str, list[CouncilInterest]] = {}
    for interest in interests:
        if interest.confirmed:
            councils.setdefault(council_key(interest), []).append(interest)
    named: dict[str, CouncilInterest] = {}
    for declaration in declarations:
        if declaration.state != DeclarationState.CONFIRMED:
            continue
        for interest in named_interests(declaration):
            key = council_key(interest)
            if key in councils:
                continue
            before = named.get(key)
            if before is not None:
                interest = replace(before, modules=before.modules | interest.modules)
            named[key] = interest
    for key, interest in named.items():
        councils[key] = [interest]
    found = []
    for group in councils.values():
        wanted = set().union(*(interest.modules for interest in group))
        served = set().union(*(served_modules(interest, held) for interest in group))
        missing = [Module(m) for m in sorted(wanted - served)]
        if not missing:
            continue
        latest = newest(group)
        found.append(
            UnservedCouncil(
                town=latest.town,
                missing=missing,
                from_declaration=latest.declaration_id is not None,
                estimated=latest.estimated,
                contact_name=latest.contact_name,
                contact_email=latest.contact_email,
                contact_phone=latest.contact_phone,
                duplicate=any(i.declaration_id in duplicated for i in group),
            )
        )
    return sorted(found, key=lambda u: fold(u.town))


def offer_row(offer: VhsOffer) -> tuple[DeclarationRow, OfferRow]:
    """One offer's row as the overview shows it, with its declaration's."""
    declaration = offer.declaration
    row = declaration_row(
        declaration.programme.rules,
        declaration,
        council_interests(declaration.programme_id),
        held_modules(declaration.programme_id),
    )
    return row, next(item for item in row.offers if item.id == offer.id)


def overview(programme: Programme) -> Overview:
    """Everything the overview shows of ``programme``, in a fixed number of queries."""
    declarations = load_declarations(programme.id)
    interests = council_interests(programme.id)
    seminars = held_seminars(programme.id)
    held = held_modules(programme.id)
    found = duplicates(interests)
    duplicated = frozenset(
        interest.declaration_id for duplicate in found for interest in duplicate.declarations
    )
    programme_rules = programme.rules
    rows = [declaration_row(programme_rules, d, interests, held, duplicated) for d in declarations]
    rows.sort(key=lambda row: (fold(row.town), fold(row.vhs_name), row.id))
    standing = [row for row in rows if row.state != DeclarationState.WITHDRAWN]
    return Overview(
        programme=programme,
        rows=rows,
        declaring_councils=len({council_key(interest) for interest in interests}),
        unserved=unserved_councils(declarations, interests, seminars, duplicated),
        duplicates=found,
        declaring_vhs=len({vhs_key(row) for row in standing}),
        withdrawn=len(rows) - len(standing) + withdrawn_council_declarations(programme.id),
    )


def withdrawn_council_declarations(programme_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CouncilDeclaration)
        .where(
            CouncilDeclaration.programme_id == programme_id,
            CouncilDeclaration.state == DeclarationState.WITHDRAWN,
        )
    )


# -- counts for the chart ----------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Offered modules of confirmed declarations, and those selected, per group."""

    labels: list[str]
    offered: list[int]
    selected: list[int]


def _count(rows: list[DeclarationRow], groups: list, group_of, label_of) -> Counts:
    offered = dict.fromkeys(groups, 0)
    selected = dict.fromkeys(groups, 0)
    for row in rows:
        for offer in row.offers:
            key = group_of(row, offer)
            if offer.status in (OfferStatus.CONFIRMED, OfferStatus.SELECTED, OfferStatus.DECLINED):
                offered[key] += 1
            if offer.status == OfferStatus.SELECTED:
                selected[key] += 1
    kept = [g for g in groups if g is not None or offered[g] or selected[g]]
    return Counts(
        labels=[label_of(g) for g in kept],
        offered=[offered[g] for g in kept],
        selected=[selected[g] for g in kept],
    )


NO_REGION = "ohne Angabe"


def counts_per_module(rows: list[DeclarationRow]) -> Counts:
    return _count(rows, list(Module), lambda _row, offer: offer.module, lambda m: m.kind)


def counts_per_region(rows: list[DeclarationRow]) -> Counts:
    return _count(
        rows,
        [*Region, None],
        lambda row, _offer: row.region,
        lambda region: region.label if region is not None else NO_REGION,
    )
