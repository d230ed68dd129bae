"""German formatting of dates, times, counts and money: the few forms the site uses,
written out from the German CLDR patterns (never the machine's locale, no locale data
loaded into every worker).

    date_long(date(2026, 3, 14))      -> 'Sa., 14. März 2026'
    date_short(date(2026, 3, 14))     -> '14.03.2026'
    month_year(date(2026, 3, 14))     -> 'März 2026'
    day_month_year(date(2026, 3, 14)) -> '14. März 2026'
    clock(time(9, 5))                 -> '9:05'
    number(1234)                      -> '1.234'
    one_decimal(3.75)                 -> '3,8'
    euro(180000)                      -> '1.800,00 €'  (a no-break space before the sign)
"""

from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from app.core.timeutil import to_berlin

# abbreviated weekdays in the order of date.weekday(), and the months
WEEKDAYS = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
NO_BREAK_SPACE = "\u00a0"  # between an amount and its currency sign: never split
NO_BREAK_HYPHEN = "\u2011"


def month_year(day: date) -> str:
    """'März 2026'"""
    return f"{MONTHS[day.month - 1]} {day.year}"


def day_month_year(day: date) -> str:
    """'14. März 2026'"""
    return f"{day.day}. {month_year(day)}"


@lru_cache(maxsize=4096)  # pure, and the same few dates appear on every page
def date_long(day: date) -> str:
    """'Sa., 14. März 2026'"""
    return f"{WEEKDAYS[day.weekday()]}, {day_month_year(day)}"


def date_short(day: date) -> str:
    """'14.03.2026'"""
    return f"{day.day:02}.{day.month:02}.{day.year}"


def clock(moment: time) -> str:
    """'9:00'"""
    return f"{moment.hour}:{moment.minute:02}"


def day_with_times(day: date, starts: time, ends: time) -> str:
    """'Sa., 14. März 2026, 9:00–17:00 Uhr'"""
    return f"{date_long(day)}, {clock(starts)}–{clock(ends)} Uhr"


def moment(stored_utc: datetime) -> str:
    """A stored UTC moment in Berlin time: '14.03.2026, 9:05 Uhr'"""
    local = to_berlin(stored_utc)
    return f"{date_short(local)}, {clock(local)} Uhr"


def number(count: int) -> str:
    """A count as written in German: '1.234', '-1.234'."""
    return f"{count:,}".replace(",", ".")


def one_decimal(value: float) -> str:
    """'3,8': one place after the decimal comma, rounded half to even as written."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return str(rounded).replace(".", ",")


def euro(cents: int) -> str:
    """'1.800,00 €'"""
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{number(whole)},{rest:02}{NO_BREAK_SPACE}€"


def phone(text: str) -> str:
    """A telephone number that no line break splits: '0251\u00a0492\u20114321'."""
    return text.replace(" ", NO_BREAK_SPACE).replace("-", NO_BREAK_HYPHEN)


FILTERS = {
    "date_long": date_long,
    "date_short": date_short,
    "clock": clock,
    "moment": moment,
    "euro": euro,
    "phone": phone,
}
