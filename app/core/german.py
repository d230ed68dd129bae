"""German agreement of a count with its noun (and verb): one helper for every page,
mail and command, so that it never says "1 Plätze" or "es fehlen 1 Anmeldung".

    plural(1, "Anmeldung")          -> "1 Anmeldung"
    plural(2, "aktive Anmeldung")   -> "2 aktive Anmeldungen"
    agree(1, "fehlt", "fehlen")     -> "fehlt"
    f"es {agree(n, 'fehlt', 'fehlen')} {plural(n, 'Anmeldung')}"

Only the last word of a phrase changes ("aktive Anmeldung", "2 aktive Anmeldungen":
the adjective of a plural without article keeps its -e). A noun this table does not
know needs its plural given: ``plural(n, "Gremium", "Gremien")``.
"""

from app.core.formatting import number

# The nouns the site counts, singular -> plural.
PLURALS = {
    "Anmeldung": "Anmeldungen",
    "Person": "Personen",
    "E-Mail": "E-Mails",
    "Mail": "Mails",
    "Platz": "Plätze",
    "Seminar": "Seminare",
    "Monat": "Monate",
    "Tag": "Tage",
    "Woche": "Wochen",
    "Stunde": "Stunden",
    "Minute": "Minuten",
    "Volkshochschule": "Volkshochschulen",
    "VHS": "VHS",
    "Trainer*in": "Trainer*innen",
    "Teilnehmende": "Teilnehmende",
    "Erinnerung": "Erinnerungen",
    "Eintrag": "Einträge",
    "Konto": "Konten",
    "Gremium": "Gremien",
    "Integrationsrat": "Integrationsräte",
}


def noun(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun (or phrase) that agrees with ``count``: singular for exactly one."""
    if count == 1:
        return singular
    if plural_form is not None:
        return plural_form
    head, _, last = singular.rpartition(" ")
    try:
        last = PLURALS[last]
    except KeyError:
        raise KeyError(
            f"No plural known for {last!r}: add it to PLURALS or pass the plural form."
        ) from None
    return f"{head} {last}" if head else last


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with its noun: '1 Person', '2 Personen', '0 Personen'."""
    return f"{number(count)} {noun(count, singular, plural_form)}"


def agree(count: int, singular: str, plural_form: str) -> str:
    """Any word that agrees with ``count``, such as a verb: agree(n, 'fehlt', 'fehlen')."""
    return singular if count == 1 else plural_form


# Where something takes place: "in der Volkshochschule Köln", "im Bürgerhaus". A German
# compound takes the article of its last part, so a place name is read by how its first
# word ends; a name this table does not know is taken as a proper name ("in Haus Kemnade").
# Endings that also end town names (-burg, -heim: Duisburg, Mülheim) are not read.
FEMININE_PLACES = (
    "vhs",
    "schule",
    "halle",
    "akademie",
    "bibliothek",
    "bücherei",
    "stätte",
    "kirche",
    "gemeinde",
    "verwaltung",
    "universität",
    "aula",
    "villa",
    "werkstatt",
    "fabrik",
    "mühle",
    "scheune",
)
NEUTER_OR_MASCULINE_PLACES = (
    "zentrum",
    "center",
    "haus",
    "amt",
    "gebäude",
    "forum",
    "institut",
    "saal",
    "büro",
    "museum",
    "hotel",
    "kolleg",
    "werk",
    "foyer",
    "quartier",
    "atelier",
    "theater",
    "schloss",
    "kloster",
)


def in_place(name: str) -> str:
    """``name`` after "in" with the article it takes: 'in der Volkshochschule Köln',
    'in der VHS Essen', 'im Bürgerhaus Kalk', 'in Düsseldorf'."""
    name = " ".join(name.split())
    first = name.split(" ", 1)[0].rstrip(",.;:").casefold()
    last_part = first.rsplit("-", 1)[-1]
    if last_part.endswith(FEMININE_PLACES):
        return f"in der {name}"
    if last_part.endswith(NEUTER_OR_MASCULINE_PLACES):
        return f"im {name}"
    return f"in {name}"
