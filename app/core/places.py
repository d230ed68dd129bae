"""Places of North Rhine-Westphalia with coordinates, and the straight-line distances
between them: what "Seminare in meiner Nähe" orders by.

The places are GeoNames data (CC BY 4.0, named on the Impressum page), reduced to NRW
and kept in ``app/data/places_nrw.csv``; ``scripts/make_places.py`` regenerates that
file. It is read once per process, on first need. Names are compared folded
(``place_key``): case, umlauts and their spellings, ß/ss, hyphens and dots do not
matter, so "Koln", "Köln" and "KOELN" are one place. The data have no postcodes.
"""

import csv
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Generic, TypeVar

from app.core.text import fold

PLACES_FILE = Path(__file__).resolve().parent.parent / "data" / "places_nrw.csv"
EARTH_RADIUS_KM = 6371.0088
# A typed beginning finds the largest place whose name starts with it ("Düssel"), from
# this many letters on: fewer would guess too wildly.
PREFIX_FROM = 4
POSTCODE = re.compile(r"\d{5}")

T = TypeVar("T")


def place_key(text: str) -> str:
    """The form in which place names are compared: folded (``app.core.text.fold``), with
    anything but letters and digits as one space ("Bergisch-Gladbach", "St. Augustin")."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def is_postcode(text: str) -> bool:
    """Whether the person typed a German postcode (and nothing else)."""
    return POSTCODE.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    population: int = 0


def distance_km(a: Place, b: Place) -> float:
    """The great-circle distance between two places (haversine), in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class Gazetteer:
    """Places found by name: a place's own name first (the largest place of that name),
    then another form of its name ("Mülheim an der Ruhr", "Honnef"), then the largest
    place whose name begins with what was typed."""

    def __init__(self, places: Iterable[tuple[Place, Sequence[str]]]):
        self._names: dict[str, Place] = {}
        self._also: dict[str, Place] = {}
        ordered = sorted(places, key=lambda item: -item[0].population)
        for place, _also in ordered:
            self._names.setdefault(place_key(place.name), place)
        for place, also in ordered:
            for name in also:
                self._also.setdefault(place_key(name), place)
        self._by_size = [(place_key(place.name), place) for place, _ in ordered]

    def __len__(self) -> int:
        return len(self._by_size)

    def named(self, name: str) -> Place | None:
        """The place of exactly this name (or another form of it), as organisers write a
        town: no guessing from a beginning."""
        key = place_key(name)
        return self._names.get(key) or self._also.get(key)

    def find(self, typed: str) -> Place | None:
        """The place a person means by what they typed."""
        # a postcode typed before the name ("50354 Hürth") is passed over
        key = " ".join(word for word in place_key(typed).split() if not word.isdigit())
        if not key:
            return None
        found = self._names.get(key) or self._also.get(key)
        if found is None and len(key) >= PREFIX_FROM:
            found = next((place for name, place in self._by_size if name.startswith(key)), None)
        return found

    @classmethod
    def from_csv(cls, path: Path) -> "Gazetteer":
        with path.open(encoding="utf-8", newline="") as source:
            rows = list(csv.DictReader(source))
        return cls(
            (
                Place(
                    name=row["name"],
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    population=int(row["population"] or 0),
                ),
                [name for name in (row.get("also") or "").split("|") if name],
            )
            for row in rows
        )


@cache
def nrw_places() -> Gazetteer:
    """The places of NRW, read from the data file once per process."""
    return Gazetteer.from_csv(PLACES_FILE)


@dataclass(frozen=True)
class Near(Generic[T]):
    """An item with its distance from the person's place (None: its place is unknown)
    and whether it is the person's own council's."""

    item: T
    km: float | None
    own: bool = False

    @property
    def rounded_km(self) -> int | None:
        return None if self.km is None else round(self.km)


def nearest_first(
    items: Iterable[T],
    origin: Place,
    place_of: Callable[[T], Place | None],
    own: Callable[[T], bool] = lambda _item: False,
) -> list[Near[T]]:
    """The items ordered for a person at ``origin``: their own council's first, then by
    distance, those whose place is unknown last; ties keep the order given (by date)."""
    ranked = []
    for item in items:
        where = place_of(item)
        km = None if where is None else distance_km(origin, where)
        ranked.append(Near(item, km, own(item)))
    return sorted(ranked, key=lambda near: (not near.own, near.km is None, near.km or 0.0))
