"""Demo interest declarations for the current programme: one in every state (new,
confirmed and open, selected with its draft seminar, declined with a reason,
withdrawn), councils declaring demand (one that no location serves), the VHS and
councils given their Regierungsbezirk, and an interest deadline. Selections and
refusals go through the choosing service, as the state organisers make them."""

from datetime import date, timedelta

from app.core.enums import Region
from app.core.timeutil import utcnow
from app.extensions import db
from app.models import (
    Council,
    CouncilDeclaration,
    DeclarationState,
    Programme,
    Vhs,
    VhsDeclaration,
    VhsOffer,
)
from app.rules import normalize_email
from app.services.interest_choice import decline_offer, select_offer

REGIONS = {
    "aachen": Region.KOELN,
    "bielefeld": Region.DETMOLD,
    "bochum": Region.ARNSBERG,
    "bonn": Region.KOELN,
    "dortmund": Region.ARNSBERG,
    "duesseldorf": Region.DUESSELDORF,
    "duisburg": Region.DUESSELDORF,
    "essen": Region.DUESSELDORF,
    "koeln": Region.KOELN,
    "muenster": Region.MUENSTER,
}


def _friday(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _offer(module: int, first_day: date | None, period: str = "") -> VhsOffer:
    second_day = first_day + timedelta(days=1) if first_day else None
    return VhsOffer(module=module, day1=first_day, day2=second_day, preferred_period=period)


def _moments(state: DeclarationState) -> dict:
    """When a declaration in ``state`` was confirmed (and withdrawn)."""
    now = utcnow()
    return {
        "confirmed_at": now if state != DeclarationState.NEW else None,
        "withdrawn_at": now if state == DeclarationState.WITHDRAWN else None,
    }


def _declaration(programme, state, contact, email, *, vhs=None, councils=(), offers=(), **more):
    declaration = VhsDeclaration(
        programme=programme,
        vhs=vhs,
        state=state,
        contact_name=contact,
        contact_email=email,
        email_normalized=normalize_email(email),
        contact_phone="0211 000000",
        **_moments(state),
        **more,
    )
    declaration.offers = list(offers)
    declaration.councils = list(councils)
    db.session.add(declaration)
    return declaration


def _council_declaration(programme, state, contact, email, **more) -> CouncilDeclaration:
    declaration = CouncilDeclaration(
        programme=programme,
        state=state,
        contact_name=contact,
        contact_email=email,
        email_normalized=normalize_email(email),
        **_moments(state),
        **more,
    )
    db.session.add(declaration)
    return declaration


def seed_interest(
    programme: Programme, places: dict[str, tuple[Vhs, Council]], today: date
) -> dict[str, int]:
    """Declarations in every state for ``programme``; ``places`` maps the demo VHS's
    slug to the VHS and its town's council."""
    for slug, (vhs, council) in places.items():
        vhs.region = council.region = REGIONS.get(slug)
    programme.interest_deadline = today + timedelta(days=21)
    confirmed, new, withdrawn = (
        DeclarationState.CONFIRMED,
        DeclarationState.NEW,
        DeclarationState.WITHDRAWN,
    )
    soon = _friday(today + timedelta(weeks=10))
    later = _friday(today + timedelta(weeks=16))
    aachen = _declaration(
        programme, confirmed, "Miriam Hahn", "integration@vhs-aachen.example",
        vhs=places["aachen"][0], councils=[places["aachen"][1]],
        room="Raum 2.14, Erdgeschoss", room_capacity=20, step_free=True,
        offers=[_offer(1, soon)],
    )  # fmt: skip
    bielefeld = _declaration(
        programme, confirmed, "Jonas Meier", "integration@vhs-bielefeld.example",
        vhs=places["bielefeld"][0], councils=[places["bielefeld"][1]],
        room="Seminarraum 5", room_capacity=14, offers=[_offer(2, later)],
    )  # fmt: skip
    _declaration(
        programme, confirmed, "Aylin Demir", "integration@vhs-bochum.example",
        vhs=places["bochum"][0], councils=[places["bochum"][1]],
        room="Großer Saal", room_capacity=24, step_free=True, offers=[_offer(2, later)],
        note="Parkplätze im Hof; Catering über unsere Kantine möglich.",
    )  # fmt: skip
    _declaration(
        programme, confirmed, "Elena Popescu", "integration@vhs-essen.example",
        vhs=places["essen"][0], room="Raum 104", room_capacity=18,
        offers=[_offer(2, None, "zweite Märzhälfte, gern freitags und samstags")],
    )  # fmt: skip
    _declaration(
        programme, confirmed, "Mehmet Yılmaz", "integration@vhs-dortmund.example",
        vhs=places["dortmund"][0], councils=[places["dortmund"][1]],
        room="Raum 3", room_capacity=20, offers=[_offer(1, later)],
    )  # fmt: skip
    _declaration(
        programme, confirmed, "Petra Lange", "weiterbildung@vhs-hamm.example",
        new_vhs_name="Volkshochschule Hamm", new_vhs_town="Hamm",
        new_vhs_street="Heinrich-Reinköster-Straße 1", new_vhs_postcode="59065",
        room="Kursraum im Dachgeschoss", room_capacity=6, accessibility_note="kein Aufzug",
        offers=[_offer(1, soon)],
    )  # fmt: skip
    _declaration(
        programme, new, "Kemal Arslan", "bildung@vhs-gelsenkirchen.example",
        new_vhs_name="Volkshochschule Gelsenkirchen", new_vhs_town="Gelsenkirchen",
        new_vhs_street="Ebertstraße 19", new_vhs_postcode="45879",
        room="Raum 12", room_capacity=20, step_free=True,
        offers=[_offer(1, soon), _offer(2, later)],
    )  # fmt: skip
    _declaration(
        programme, withdrawn, "Daniel Schmitz", "integration@vhs-koeln.example",
        vhs=places["koeln"][0], room="Seminarraum 3", room_capacity=20,
        offers=[_offer(2, later)],
    )  # fmt: skip
    councils = [
        (confirmed, "Nadia Haddad", "ir@aachen.example", places["aachen"][1], True, False, 12),
        (confirmed, "Emre Kaya", "ir@bochum.example", places["bochum"][1], False, True, 10),
        (confirmed, "Olga Novak", "ir@bielefeld.example", places["bielefeld"][1], False, True, 9),
        (new, "Sami Çelik", "integrationsrat@gelsenkirchen.example", None, True, True, 15),
    ]
    for state, contact, email, council, basic, advanced, estimated in councils:
        _council_declaration(
            programme, state, contact, email, council=council,
            new_council_town="" if council else "Gelsenkirchen",
            wants_basic=basic, wants_advanced=advanced, estimated_participants=estimated,
        )  # fmt: skip
    _council_declaration(
        programme, confirmed, "Fatima Abdi", "integrationsrat@herne.example",
        new_council_town="Herne", preferred_vhs=places["bochum"][0],
        wants_advanced=True, estimated_participants=8,
    )  # fmt: skip
    _council_declaration(
        programme, confirmed, "Luca Rossi", "integrationsrat@paderborn.example",
        new_council_town="Paderborn", wants_basic=True, estimated_participants=9,
        note="Gern auch gemeinsam mit Nachbarkommunen.",
    )  # fmt: skip
    db.session.commit()
    select_offer(aachen.offers[0].id, actor_id=None)
    decline_offer(
        bielefeld.offers[0].id,
        "Der Raum ist für zwei Trainer*innen und 14 Plätze zu knapp; bitte melden Sie "
        "sich mit einem größeren Raum erneut.",
        actor_id=None,
    )
    return {"vhs_declarations": 8, "council_declarations": 6}
