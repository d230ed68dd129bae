"""The programme's places and bodies: VHS (the locations) and councils.

Each save is one transaction that checks what must be unique under the write
lock (a VHS page address, a council's town), so two admins saving at once never
both win; it is in the audit log with the old and new value of each field changed.
"""

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

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


@dataclass(frozen=True)
class CouncilData:
    town: str
    kind: CouncilKind
    office_email: str = ""
    contact_name: str = ""
    contact_phone: str = ""


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


def save_vhs(vhs_id: int | None, data: VhsData, *, actor_id: int | None = None) -> Vhs:
    """Create (``vhs_id`` None) or change a VHS; refuses a page address in use."""
    fields = tuple(VhsData.__dataclass_fields__)
    with write_transaction() as session:
        serialize("vhs-slug")
        if data.slug and _slug_taken(data.slug, vhs_id):
            raise SlugTaken()
        vhs = Vhs() if vhs_id is None else session.get(Vhs, vhs_id, populate_existing=True)
        before = {} if vhs_id is None else _values(vhs, fields)
        for name in fields:
            setattr(vhs, name, getattr(data, name))
        vhs.slug = data.slug or _free_slug(slugify(data.town))
        session.add(vhs)
        session.flush()
        audit.record_edit(
            Subject.VHS,
            vhs.id,
            created=vhs_id is None,
            before=before,
            after=_values(vhs, fields),
            fields=fields,
            actor_id=actor_id,
            detail=vhs.name,
        )
    return vhs


def _town_taken(town: str, council_id: int | None) -> bool:
    query = sa.select(Council.id).where(sa.func.lower(Council.town) == town.lower())
    if council_id is not None:
        query = query.where(Council.id != council_id)
    return db.session.scalar(query) is not None


def save_council(
    council_id: int | None, data: CouncilData, *, actor_id: int | None = None
) -> Council:
    """Create (``council_id`` None) or change a council; one council per town."""
    fields = tuple(CouncilData.__dataclass_fields__)
    with write_transaction() as session:
        serialize("council-town")
        if _town_taken(data.town, council_id):
            raise TownTaken()
        council = (
            Council()
            if council_id is None
            else session.get(Council, council_id, populate_existing=True)
        )
        before = {} if council_id is None else _values(council, fields)
        for name in fields:
            setattr(council, name, getattr(data, name))
        session.add(council)
        session.flush()
        audit.record_edit(
            Subject.COUNCIL,
            council.id,
            created=council_id is None,
            before=before,
            after=_values(council, fields),
            fields=fields,
            actor_id=actor_id,
            detail=council.town,
        )
    return council
