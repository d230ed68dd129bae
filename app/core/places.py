"""Places of North Rhine-Westphalia with coordinates, and the straight-line distances
between them: what "Seminare in meiner Nähe" orders by.

The places are GeoNames data (CC BY 4.0, named on the Impressum page), reduced to NRW
and kept in ``app/data/places_nrw.csv``; ``scripts/make_places.py`` regenerates that
file. It is read once per process, on first need. Names are compared folded
(``place_key``): case, umlauts and their spellings, ß/ss, hyphens and dots do not
matter, so "Koln", "Köln" and "KOELN" are one place. The data have no postcodes.

What a person types is looked up in this order (``Gazetteer.lookup``): the name itself
(or another form of it), a beginning of a name ("Düssel"), a town with its district
("Köln-Porz", "Essen-Steele": the district where the data know it near that town, else
the town), and last a small typo ("Gütersloch"), taken only when one place alone is
that close, so that the page can ask "Meinten Sie …?".
"""

import csv
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
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
# A district is taken for the town typed with it when it lies this close to that town's
# centre ("Köln-Mülheim" is the Mülheim in Köln, not Mülheim an der Ruhr).
DISTRICT_KM = 20.0
# A typo is guessed from this many letters on, one letter wrong (left out, added,
# changed or two swapped); from TWO_TYPOS_FROM letters on, two.
TYPO_FROM = 4
TWO_TYPOS_FROM = 9

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


class How(StrEnum):
    """How a place was found from what a person typed."""

    NAME = "name"  # its name, or another form of it
    PREFIX = "prefix"  # a beginning of its name
    DISTRICT = "district"  # a town with this district ("Köln-Porz")
    TOWN = "town"  # a town with a district the data do not know ("Essen-Steele")
    GUESS = "guess"  # a small typo of its name ("Gütersloch")


@dataclass(frozen=True)
class Found:
    place: Place
    how: How = How.NAME
    unknown: str = ""  # How.TOWN: the district as typed, which the data do not know


def typo_distance(a: str, b: str, most: int) -> int:
    """The edits (a letter left out, added or changed, two neighbours swapped) that make
    ``a`` into ``b``; anything above ``most`` is returned as ``most + 1``."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return min(row[-1], most + 1)


def _words(typed: str) -> list[str]:
    """The words typed, as written, without numbers (a postcode before the name)."""
    return [word for word in re.findall(r"[^\W_]+", typed) if not word.isdigit()]


class Gazetteer:
    """Places found by name: a place's own name first (the largest place of that name),
    then another form of its name ("Mülheim an der Ruhr", "Honnef"), then the largest
    place whose name begins with what was typed."""

    def __init__(self, places: Iterable[tuple[Place, Sequence[str]]]):
        self._names: dict[str, Place] = {}
        self._also: dict[str, Place] = {}
        self._every: dict[str, list[Place]] = {}  # every place of a name or other form
        ordered = sorted(places, key=lambda item: -item[0].population)
        for place, _also in ordered:
            self._names.setdefault(place_key(place.name), place)
        for place, also in ordered:
            for name in also:
                self._also.setdefault(place_key(name), place)
            for key in {place_key(place.name), *(place_key(name) for name in also)}:
                self._every.setdefault(key, []).append(place)
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
        found = self.lookup(typed)
        return None if found is None else found.place

    def lookup(self, typed: str) -> Found | None:
        """The place a person means by what they typed, and how it was found."""
        # a postcode typed before the name ("50354 Hürth") is passed over
        words = _words(typed)
        key = place_key(" ".join(words))
        if not key:
            return None
        found = self._names.get(key) or self._also.get(key)
        if found is not None:
            return Found(found)
        if len(key) >= PREFIX_FROM:
            found = next((place for name, place in self._by_size if name.startswith(key)), None)
            if found is not None:
                return Found(found, How.PREFIX)
        return self._with_district(words) or self._guess(key)

    def _with_district(self, words: list[str]) -> Found | None:
        """A town and one of its districts, in either order ("Köln-Porz", "Porz, Köln"):
        the district where the data know one of that name near the town, else the town."""
        splits = [(words[:i], words[i:]) for i in range(1, len(words))]
        town_only = None
        for town_words, district_words in splits + [(b, a) for a, b in splits]:
            town_key = place_key(" ".join(town_words))
            town = self._names.get(town_key) or self._also.get(town_key)
            if town is None:
                continue
            near = [
                (distance_km(town, place), place)
                for place in self._every.get(place_key(" ".join(district_words)), [])
            ]
            # a district lies near its town and is smaller than it ("Porz (Köln)")
            near = [
                (km, place)
                for km, place in near
                if km <= DISTRICT_KM and place.population < town.population
            ]
            if near:
                return Found(min(near, key=lambda item: item[0])[1], How.DISTRICT)
            if town_only is None:
                town_only = Found(town, How.TOWN, unknown=" ".join(district_words))
        return town_only

    def _guess(self, key: str) -> Found | None:
        """The one place whose name is a small typo away from ``key``; None when none is,
        or when two places are as close."""
        if len(key) < TYPO_FROM:
            return None
        most = 2 if len(key) >= TWO_TYPOS_FROM else 1
        best, places = most + 1, set()
        for name, place in (*self._names.items(), *self._also.items()):
            distance = typo_distance(key, name, most)
            if distance < best:
                best, places = distance, {place}
            elif distance == best and distance <= most:
                places.add(place)
        if len(places) != 1:
            return None
        return Found(places.pop(), How.GUESS)

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
    closed: bool = False  # it takes no registrations (closed, cancelled)

    @property
    def rounded_km(self) -> int | None:
        return None if self.km is None else round(self.km)


def nearest_first(
    items: Iterable[T],
    origin: Place,
    place_of: Callable[[T], Place | None],
    own: Callable[[T], bool] = lambda _item: False,
    closed: Callable[[T], bool] = lambda _item: False,
) -> list[Near[T]]:
    """The items ordered for a person at ``origin``: those still open before the closed
    ones, and among each their own council's first, then by distance, those whose place
    is unknown last; ties keep the order given (by date)."""
    ranked = []
    for item in items:
        where = place_of(item)
        km = None if where is None else distance_km(origin, where)
        ranked.append(Near(item, km, own(item), closed(item)))
    return sorted(
        ranked, key=lambda near: (near.closed, not near.own, near.km is None, near.km or 0.0)
    )
