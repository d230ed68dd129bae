"""The Regierungsbezirk of a town in North Rhine-Westphalia.

``app/data/regions_nrw.csv`` lists the 396 municipalities of NRW by district (Kreis or
kreisfreie Stadt) and Regierungsbezirk (as of the 2009 municipal structure, unchanged
since). Towns are compared as the place search compares them (``place_key``); a town
with an addition ("Langenfeld (Rheinland)", "Fröndenberg/Ruhr") is found without it
too, and a town written with its district ("Köln-Porz") by the town.
"""

import csv
import re
from functools import cache
from pathlib import Path

from app.core.enums import Region
from app.core.places import nrw_places, place_key

REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions_nrw.csv"


def _forms(town: str) -> set[str]:
    """The town's name and its name without an addition in brackets or after a slash."""
    plain = re.sub(r"\s*\(.*?\)", "", town).split("/")[0]
    return {place_key(town), place_key(plain)}


@cache
def town_regions() -> dict[str, Region]:
    """place_key of each municipality -> its Regierungsbezirk (read once per process)."""
    found: dict[str, Region] = {}
    with REGIONS_FILE.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            for town in row["towns"].split("|"):
                for key in _forms(town):
                    found[key] = Region(row["region"])
    return found


def region_of_town(town: str) -> Region | None:
    """The Regierungsbezirk of ``town``; None when it is no municipality of NRW."""
    found = _region_of_name(town)
    if found is None:  # another form of a place's name ("St. Augustin")
        place = nrw_places().named(town)
        found = None if place is None else _region_of_name(place.name)
    return found


def _region_of_name(town: str) -> Region | None:
    regions = town_regions()
    words = place_key(town).split()
    # the whole name first, then its beginnings and endings ("Köln Porz", "Porz Köln")
    for size in range(len(words), 0, -1):
        for start in dict.fromkeys((0, len(words) - size)):
            found = regions.get(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None
