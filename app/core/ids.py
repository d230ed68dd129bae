"""What counts as a row id in an address: ASCII digits naming a number the id columns
can hold (1 to 2**31 - 1, 32-bit integers on PostgreSQL).

Python's ``int`` and the regex ``\\d`` also take other scripts' digits ("١٢" is 12)
and ``str.isdigit`` takes superscripts ("²"), which ``int`` then refuses; an id past
the columns' range makes PostgreSQL fail. Every id read from a path, a query string or
a hidden form field goes through ``parse_id``, so none of these reaches a query.
"""

import re

ID_MAX = 2**31 - 1
# no sign, no leading zero, at most ten digits: the range check does the rest
ID_PATTERN = "[1-9][0-9]{0,9}"
_ID = re.compile(ID_PATTERN)


def parse_id(text: str | None) -> int | None:
    """The id ``text`` names, or None when it names none."""
    if text is None or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= ID_MAX else None
