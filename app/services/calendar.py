"""The calendar file sent with the confirmation: both seminar days, Berlin time, with alarms."""

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from app.core.timeutil import BERLIN, utcnow
from app.models import Registration


def seminar_ics(registration: Registration, host: str) -> str:
    seminar = registration.seminar
    calendar = Calendar()
    calendar.add("prodid", "-//Seminare Integrationsraete NRW//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    location = (
        f"{seminar.venue_name}, {seminar.venue_street}, "
        f"{seminar.venue_postcode} {seminar.venue_town}"
    )
    for number, (day, starts, ends) in enumerate(seminar.days, start=1):
        event = Event()
        event.add("uid", f"seminar-{seminar.id}-tag-{number}-anmeldung-{registration.id}@{host}")
        event.add("dtstamp", utcnow().replace(tzinfo=UTC))
        event.add("dtstart", datetime.combine(day, starts, tzinfo=BERLIN))
        event.add("dtend", datetime.combine(day, ends, tzinfo=BERLIN))
        event.add("summary", f"Seminar Tag {number}: {seminar.module.label}")
        event.add("location", location)
        event.add(
            "description",
            f"{seminar.vhs.name}. Qualifizierungsreihe für Integrationsratsmitglieder in NRW.",
        )
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Morgen: Seminar Tag {number}")
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
