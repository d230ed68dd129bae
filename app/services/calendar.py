"""The calendar files sent with the mails: both seminar days, Berlin time, with alarms.

Each seminar day is one event per registration, its UID
``seminar-{id}-tag-{n}-anmeldung-{registration id}@{host}`` fixed for good, so that a
later file replaces the entry instead of adding one:

- a confirmed place (confirmation, moved up) and a change of dates, times or place:
  ``METHOD:PUBLISH`` with the seminar's ``calendar_sequence`` as SEQUENCE (the service
  that changes the seminar raises it in the same transaction);
- a cancellation (by the person, by an organiser, or of the whole seminar):
  ``METHOD:CANCEL``, ``STATUS:CANCELLED``, one SEQUENCE past the seminar's.
"""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from typing import TYPE_CHECKING

from app.core.timeutil import BERLIN, utcnow
from app.models import Registration

if TYPE_CHECKING:  # icalendar loads with the first calendar file (worker memory)
    from icalendar import Timezone as VTimezone

PRODID = "-//Seminare Integrationsraete NRW//DE"


class Method(StrEnum):
    PUBLISH = "PUBLISH"
    CANCEL = "CANCEL"


def berlin_timezone() -> "VTimezone":
    """Europe/Berlin in the compact form calendar programs expect: one STANDARD and one
    DAYLIGHT rule recurring yearly (last Sunday of October and of March), instead of
    a list of every historic transition."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Europe/Berlin")
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def event_uid(registration: Registration, number: int, host: str) -> str:
    return f"seminar-{registration.seminar_id}-tag-{number}-anmeldung-{registration.id}@{host}"


def _calendar(registration: Registration, host: str, method: Method, organizer: str | None) -> str:
    from icalendar import Alarm, Calendar, Event, vCalAddress  # loaded on first use

    seminar = registration.seminar
    cancel = method == Method.CANCEL
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    calendar.add_component(berlin_timezone())
    location = (
        f"{seminar.venue_name}, {seminar.venue_street}, "
        f"{seminar.venue_postcode} {seminar.venue_town}"
    )
    sequence = (seminar.calendar_sequence or 0) + (1 if cancel else 0)
    organizer_name, organizer_address = parseaddr(organizer or "")
    stamp = utcnow().replace(tzinfo=UTC)
    for number, (day, starts, ends) in enumerate(seminar.days, start=1):
        event = Event()
        event.add("uid", event_uid(registration, number, host))
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(day, starts, tzinfo=BERLIN))
        event.add("dtend", datetime.combine(day, ends, tzinfo=BERLIN))
        event.add("summary", f"Seminar Tag {number}: {seminar.module.label}")
        event.add("location", location)
        event.add(
            "description",
            f"{seminar.vhs.name}. Qualifizierungsreihe für Integrationsratsmitglieder in NRW.",
        )
        event.add("status", "CANCELLED" if cancel else "CONFIRMED")
        if organizer_address:
            address = vCalAddress(f"mailto:{organizer_address}")
            address.params["cn"] = organizer_name or organizer_address
            event.add("organizer", address)
        if cancel:
            event.add("attendee", vCalAddress(f"mailto:{registration.email}"))
        else:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Morgen: Seminar Tag {number}")
            alarm.add("trigger", timedelta(days=-1))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical().decode()


def seminar_ics(registration: Registration, host: str, organizer: str | None = None) -> str:
    """The seminar's days as they are now (a new entry, or the update of an earlier one).
    ``organizer``: the sender, as in a From header (``Name <address>``)."""
    return _calendar(registration, host, Method.PUBLISH, organizer)


def cancellation_ics(registration: Registration, host: str, organizer: str | None = None) -> str:
    """Takes the seminar's days out of the person's calendar."""
    return _calendar(registration, host, Method.CANCEL, organizer)


def method_of(ics: str) -> str:
    """The calendar's METHOD, for the attachment's ``method`` parameter."""
    found = re.search(r"^METHOD:([A-Z-]+)\r?$", ics, re.M)
    return found.group(1) if found else Method.PUBLISH.value
