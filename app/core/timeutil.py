"""Time helpers: the database stores UTC without zone; people see Europe/Berlin."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    """Now in UTC, without zone, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_berlin() -> date:
    """Today's date where the seminars take place."""
    return datetime.now(BERLIN).date()


def from_berlin(wall_clock: datetime) -> datetime:
    """A Berlin wall-clock moment as stored: UTC without zone."""
    return wall_clock.replace(tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)


def berlin_wall_clock(moment: datetime | None = None) -> datetime:
    """A stored UTC moment (default: now) as Berlin wall-clock time without zone, as the
    seminars' days and times are kept."""
    return to_berlin(moment or utcnow()).replace(tzinfo=None)


def to_berlin(moment: datetime) -> datetime:
    """A stored UTC moment as Berlin wall-clock time."""
    return moment.replace(tzinfo=UTC).astimezone(BERLIN)
