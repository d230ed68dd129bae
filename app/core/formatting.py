"""German formatting of dates, times and money, with Babel (never the machine's locale)."""

from datetime import date, datetime, time
from functools import lru_cache

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency

from app.core.timeutil import to_berlin

LOCALE = "de_DE"


@lru_cache(maxsize=4096)  # pure, and the same few dates appear on every page
def date_long(day: date) -> str:
    """'Sa., 14. März 2026'"""
    return format_date(day, "EEE, d. MMMM y", locale=LOCALE)


@lru_cache(maxsize=4096)
def date_short(day: date) -> str:
    """'14.03.2026'"""
    return format_date(day, "dd.MM.y", locale=LOCALE)


@lru_cache(maxsize=512)
def clock(moment: time) -> str:
    """'9:00'"""
    return format_time(moment, "H:mm", locale=LOCALE)


def day_with_times(day: date, starts: time, ends: time) -> str:
    """'Sa., 14. März 2026, 9:00–17:00 Uhr'"""
    return f"{date_long(day)}, {clock(starts)}–{clock(ends)} Uhr"


def moment(stored_utc: datetime) -> str:
    """A stored UTC moment in Berlin time: '14.03.2026, 9:05 Uhr'"""
    return format_datetime(to_berlin(stored_utc), "dd.MM.y, H:mm", locale=LOCALE) + " Uhr"


def euro(cents: int) -> str:
    """'1.800,00 €'"""
    return format_currency(cents / 100, "EUR", locale=LOCALE)


FILTERS = {
    "date_long": date_long,
    "date_short": date_short,
    "clock": clock,
    "moment": moment,
    "euro": euro,
}
