"""The home page's filters, read from the URL: the place a person typed (near me), the
VHS, the module and the month. Unknown parameters are ignored and each known one has a
canonical form, so that a shared link shows the same list and the page cache keeps one
page per meaning of the URL, not per spelling."""

import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from flask import request

from app.core.formatting import month_year
from app.core.places import How, Near, Place, is_postcode, nrw_places, place_key
from app.models import Council, Seminar
from app.services import messages
from app.web.pages import SEARCH_MAX

PLACE = "ort"
PLACE_BEFORE = "q"  # the search box's old name: links shared before still work
VHS = "vhs"
MODULE = "modul"
MONTH = "monat"
PAGE = "seite"
# Seminars per page of the list: a phone gets a page it can scroll, however many there are.
PER_PAGE = 50
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")
SLUG = re.compile(r"[a-z0-9-]{1,80}")
YEAR_MONTH = re.compile(r"(20\d\d)-(0?[1-9]|1[0-2])")


@dataclass(frozen=True)
class Filters:
    typed: str = ""  # what the person typed as their place
    place: Place | None = None
    how: How = How.NAME  # how the place was found from what was typed
    unknown_district: str = ""  # How.TOWN: the district typed that the data do not know
    vhs: str | None = None  # a VHS's slug
    vhs_asked: str = ""  # what the URL named as the VHS, whether or not it is a slug
    module: int | None = None
    month: date | None = None  # the month's first day
    page: int = 1

    @property
    def place_unknown(self) -> bool:
        return bool(self.typed) and self.place is None

    @property
    def named_plainly(self) -> bool:
        """Whether the place's own name finds it again (not so for the smaller of two
        places of one name, e.g. Mülheim in Köln: it is found as "Mülheim am Rhein")."""
        return self.place is not None and nrw_places().find(self.place.name) == self.place

    @property
    def place_text(self) -> str:
        """What the place field shows: the place's own name once it is found by its
        name; a district with its town, a typo, as typed."""
        by_name = self.how in (How.NAME, How.PREFIX)
        return self.place.name if by_name and self.named_plainly else self.typed

    @property
    def near_text(self) -> str:
        """The place the list is ordered from, as its heading names it."""
        if self.place is not None and self.how in (How.GUESS, How.TOWN):
            return self.place.name
        return self.place_text

    def cache_key(self) -> tuple:
        """What the page shows depends on, in a canonical form."""
        place = None
        if self.place is not None:
            place = (self.place.name, self.place.latitude, self.place.longitude)
        return (
            place,
            self.place_text if self.typed else None,
            self.how if self.place is not None else None,
            self.unknown_district or None,
            self.vhs,
            self.module,
            self.month,
            self.page,
        )

    def link_args(self) -> dict:
        """The filters as ``url_for`` arguments (page aside), each in its canonical form."""
        args = {
            PLACE: self.place_text or None,
            VHS: self.vhs,
            MODULE: self.module,
            MONTH: month_value(self.month) if self.month else None,
        }
        return {key: value for key, value in args.items() if value is not None}

    @property
    def place_notice(self) -> str | None:
        """Why the list is not ordered by distance although a place was typed, or from
        which place it is ordered when that is not quite what was typed."""
        if self.place is not None and self.how == How.GUESS:
            return messages.place_guessed(self.place.name)
        if self.place is not None and self.how == How.TOWN:
            return messages.district_unknown(self.unknown_district, self.place.name)
        if not self.place_unknown:
            return None
        if is_postcode(self.typed):
            return messages.POSTCODE_UNKNOWN
        return messages.place_unknown(self.typed)

    def admits(self, seminar: Seminar) -> bool:
        if self.vhs is not None and seminar.vhs.slug != self.vhs:
            return False
        if self.module is not None and seminar.module != self.module:
            return False
        return self.month is None or month_of(seminar) == self.month


def read_filters() -> Filters:
    """The filters of this request's URL, each in its canonical form."""
    args = request.args
    typed = " ".join((args.get(PLACE) or args.get(PLACE_BEFORE) or "").split())[:SEARCH_MAX]
    slug = (args.get(VHS) or "").strip().lower()
    month = YEAR_MONTH.fullmatch((args.get(MONTH) or "").strip())
    page = (args.get(PAGE) or "").strip()
    found = nrw_places().lookup(typed) if typed else None
    return Filters(
        typed=typed,
        place=found.place if found else None,
        how=found.how if found else How.NAME,
        unknown_district=found.unknown if found else "",
        vhs=slug if SLUG.fullmatch(slug) else None,
        vhs_asked=slug[:SEARCH_MAX],
        module=int(args[MODULE]) if args.get(MODULE) in {"1", "2"} else None,
        month=date(int(month[1]), int(month[2]), 1) if month else None,
        page=int(page) if PAGE_NUMBER.fullmatch(page) else 1,
    )


def listing_params() -> tuple:
    """The page cache's view of the home page's query string."""
    return read_filters().cache_key()


@dataclass(frozen=True)
class Paging:
    number: int  # this page, from 1
    count: int  # how many pages there are (at least one)

    @property
    def first(self) -> int:
        """Index of the first item on this page."""
        return (self.number - 1) * PER_PAGE


def paging(items: int, asked: int) -> Paging:
    """The page ``asked`` for of ``items`` items; a page past the last is the last."""
    count = max(1, -(-items // PER_PAGE))
    return Paging(number=min(asked, count), count=count)


def month_of(seminar: Seminar) -> date:
    return seminar.day1.replace(day=1)


def month_label(month: date) -> str:
    """'Juni 2026'"""
    return month_year(month)


def month_value(month: date) -> str:
    """'2026-06', as the URL carries it."""
    return f"{month.year:04d}-{month.month:02d}"


def by_month(seminars: list[Seminar]) -> list[tuple[date, list[Seminar]]]:
    """The seminars (in date order) in groups per month of their first day."""
    return [(month, list(items)) for month, items in groupby(seminars, key=month_of)]


def place_of(seminar: Seminar) -> Place | None:
    """Where a seminar takes place: its venue's town, else its VHS's town."""
    places = nrw_places()
    return places.named(seminar.venue_town) or places.named(seminar.vhs.town)


def is_councils_town(town: str, place: Place) -> bool:
    """Whether a council of ``town`` is the council of a person at ``place``."""
    return nrw_places().named(town) == place or place_key(town) == place_key(place.name)


def own_councils(place: Place, hosts: dict[int, list[Council]]) -> dict[int, Council]:
    """seminar id -> the council of ``place`` among those hosting it, where there is one."""
    found = {}
    for seminar_id, councils in hosts.items():
        own = [council for council in councils if is_councils_town(council.town, place)]
        if own:
            found[seminar_id] = own[0]
    return found


def distance_text(near: Near) -> str | None:
    """'ca. 12 km' beside a seminar; 'in Ihrem Ort' under one kilometre."""
    if near.km is None:
        return None
    if near.km < 1:
        return "in Ihrem Ort"
    return f"ca. {near.rounded_km} km"
