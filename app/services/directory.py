"""The programme's places and bodies: VHS (the locations) and councils.

Each save is one transaction that checks what must be unique under the write
lock (a VHS page address, a council's town), so two admins saving at once never
both win; it is in the audit log with the old and new value of each field changed.
"""

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from app import rules
from app.core.enums import Region
from app.core.text import fold
from app.database import serialize, write_transaction
from app.extensions import db
from app.models import Council, CouncilKind, Vhs
from app.services import audit, messages
from app.services.audit import Subject
from app.services.errors import ServiceError

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class SlugTaken(ServiceError):
    field = "slug"

    message = messages.SLUG_TAKEN


class TownTaken(ServiceError):
    field = "town"

    message = messages.TOWN_TAKEN


@dataclass(frozen=True)
class VhsData:
    name: str
    town: str
    street: str = ""
    postcode: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    slug: str = ""  # empty: made from the town
    region: Region | None = None


@dataclass(frozen=True)
class CouncilData:
    town: str
    kind: CouncilKind
    office_email: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    region: Region | None = None


def slugify(text: str) -> str:
    """'Mülheim an der Ruhr' -> 'muelheim-an-der-ruhr'"""
    text = unicodedata.normalize("NFKD", text.casefold().translate(UMLAUTS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:70] or "vhs"


def _slug_taken(slug: str, vhs_id: int | None) -> bool:
    query = sa.select(Vhs.id).where(Vhs.slug == slug)
    if vhs_id is not None:
        query = query.where(Vhs.id != vhs_id)
    return db.session.scalar(query) is not None


def _free_slug(base: str) -> str:
    slug, n = base, 2
    while _slug_taken(slug, None):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _values(item, fields) -> dict[str, object]:
    return {name: getattr(item, name) for name in fields}


def _write(session, model, row_id, data, subject, actor_id, detail, complete=None):
    """Create (``row_id`` None) or change a row from ``data``'s fields, with the audit
    entry of its old and new values; ``complete`` fills in what is derived."""
    fields = tuple(type(data).__dataclass_fields__)
    row = model() if row_id is None else session.get(model, row_id, populate_existing=True)
    before = {} if row_id is None else _values(row, fields)
    for name in fields:
        setattr(row, name, getattr(data, name))
    if complete is not None:
        complete(row)
    session.add(row)
    session.flush()
    audit.record_edit(
        subject,
        row.id,
        created=row_id is None,
        before=before,
        after=_values(row, fields),
        fields=fields,
        actor_id=actor_id,
        detail=detail(row),
    )
    return row


def save_vhs(vhs_id: int | None, data: VhsData, *, actor_id: int | None = None) -> Vhs:
    """Create (``vhs_id`` None) or change a VHS; refuses a page address in use."""
    with write_transaction():
        return write_vhs(vhs_id, data, actor_id=actor_id)


def write_vhs(vhs_id: int | None, data: VhsData, *, actor_id: int | None = None) -> Vhs:
    """``save_vhs`` inside the caller's write transaction (a VHS that declared interest
    before it was in the directory is created when one of its modules is selected)."""

    def page_address(vhs: Vhs) -> None:
        vhs.slug = data.slug or _free_slug(slugify(data.town))

    serialize("vhs-slug")
    if data.slug and _slug_taken(data.slug, vhs_id):
        raise SlugTaken()
    return _write(
        db.session, Vhs, vhs_id, data, Subject.VHS, actor_id, lambda v: v.name, page_address
    )


def vhs_named(name: str, town: str) -> Vhs | None:
    """The VHS of this name in this town, compared as people write them (case, umlaut
    spellings and spaces aside), or None. Call it under ``serialize("vhs-slug")`` when a
    VHS may be created next, so that two saves never both miss the other's."""
    wanted = (" ".join(fold(name).split()), " ".join(fold(town).split()))
    for vhs in db.session.scalars(sa.select(Vhs).order_by(Vhs.id)):
        if (" ".join(fold(vhs.name).split()), " ".join(fold(vhs.town).split())) == wanted:
            return vhs
    return None


def place(name: str, town: str, street: str = "", postcode: str = "") -> rules.Place:
    """A VHS as written, folded for ``rules.place_match``."""
    return rules.Place(fold(name or ""), fold(town or ""), fold(street or ""), postcode or "")


def place_of(vhs: Vhs) -> rules.Place:
    return place(vhs.name, vhs.town, vhs.street, vhs.postcode)


def vhs_like(declared: rules.Place) -> list[tuple[Vhs, rules.PlaceMatch]]:
    """The VHS in the directory that ``declared`` may be under another spelling (the
    same address, or the same town and a similar name), each with why. Call it under
    ``serialize("vhs-slug")`` when a VHS may be created next."""
    found = []
    for vhs in db.session.scalars(sa.select(Vhs).order_by(Vhs.name, Vhs.id)):
        match = rules.place_match(declared, place_of(vhs))
        if match is not None:
            found.append((vhs, match))
    return found


def _town_taken(town: str, council_id: int | None) -> bool:
    query = sa.select(Council.id).where(sa.func.lower(Council.town) == town.lower())
    if council_id is not None:
        query = query.where(Council.id != council_id)
    return db.session.scalar(query) is not None


def save_council(
    council_id: int | None, data: CouncilData, *, actor_id: int | None = None
) -> Council:
    """Create (``council_id`` None) or change a council; one council per town."""
    with write_transaction() as session:
        serialize("council-town")
        if _town_taken(data.town, council_id):
            raise TownTaken()
        return _write(
            session, Council, council_id, data, Subject.COUNCIL, actor_id, lambda c: c.town
        )
