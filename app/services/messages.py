"""Every German sentence the services and the areas' notices say, in one place.

Field formats (a date, an amount) are worded beside their validators in
``app.web.validators``; labels of states and kinds are attached to their enums;
everything else is in the templates.
"""

from app.core.formatting import date_short, euro
from app.core.german import agree, plural

# -- accounts and sessions -----------------------------------------------------------

LOGIN_NEEDED = "Bitte melden Sie sich an, um diese Seite zu sehen."
SESSION_IDLE = "Ihre Sitzung ist wegen Inaktivität abgelaufen. Bitte melden Sie sich neu an."
LOGGED_OUT = "Sie sind abgemeldet."
PASSWORD_SAVED = "Ihr Passwort ist gespeichert. Bitte melden Sie sich an."
ACCOUNT_EXISTS = "Für diese E-Mail-Adresse gibt es schon ein Konto."
OWN_ROLE = "Sie können sich nicht selbst die Rolle Landesebene nehmen."
OWN_ACCOUNT_INACTIVE = "Sie können Ihr eigenes Konto nicht sperren."

# -- programme data ------------------------------------------------------------------

SLUG_TAKEN = "Diese Adresse hat schon eine andere VHS."
TOWN_TAKEN = "Für diesen Ort gibt es schon ein Gremium."
TRAINER_EMAIL_TAKEN = "Für diese E-Mail-Adresse gibt es schon eine*n Trainer*in."
WRONG_TRAINER_KIND = "Diese Person gehört nicht zu dieser Art von Trainer*innen."
TRAVEL_WITHOUT_TRAINER = "Reisekosten lassen sich nur für eine zugeordnete Person erfassen."
PERIOD_END_BEFORE_START = "Das Ende des Zeitraums darf nicht vor seinem Beginn liegen."
MIN_ABOVE_MAX = "Die Mindestzahl darf nicht über der Höchstzahl liegen."
TWO_TRAINERS_OUTSIDE = "Dieser Wert muss zwischen Mindest- und Höchstzahl liegen."
RULES_BREAK_SEMINARS = (
    "Die neuen Regeln passen nicht zu allen Seminaren des Programms; "
    "die betroffenen Seminare stehen unten."
)


PROGRAMME_NOT_FOUND = "Dieses Programm gibt es nicht."


def next_programme_started(title: str) -> str:
    return (
        f"Das Programm „{title}“ ist angelegt und jetzt das aktuelle: Neue Seminare gehören zu ihm."
    )


def next_period_overlaps(source_title: str, start, end) -> str:
    return (
        f"Der Zeitraum überschneidet sich mit dem von „{source_title}“ "
        f"({date_short(start)} bis {date_short(end)}). Das nächste Programmjahr muss "
        f"nach dem {date_short(end)} beginnen."
    )


def next_period_before(source_title: str, start) -> str:
    return (
        f"Der Zeitraum endet vor dem Beginn von „{source_title}“ am {date_short(start)}. "
        "Das nächste Programmjahr muss danach liegen."
    )


def next_period_not_last(other_title: str, other_end) -> str:
    return (
        f"Das Programm „{other_title}“ endet erst am {date_short(other_end)}. Das nächste "
        "Programmjahr muss später enden, damit neue Seminare zu ihm gehören."
    )


def trainer_kind_locked(seminars) -> str:
    numbers = ", ".join(f"Nr. {s.id}" for s in seminars)
    return (
        "Die Art lässt sich nicht ändern, solange die Person Seminaren zugeordnet ist "
        f"(Seminar {numbers})."
    )


# -- seminars --------------------------------------------------------------------------

DAY2_BEFORE_DAY1 = (
    "Der 2. Tag muss nach dem 1. Tag liegen: Ein Seminar sind zwei verschiedene Tage."
)
ENDS_BEFORE_START = "Das Ende muss nach dem Beginn liegen."
DEADLINE_TOO_LATE = "Der Anmeldeschluss muss vor dem 1. Tag liegen."
SEMINAR_CANCELLED = "Das Seminar ist abgesagt und lässt sich nicht mehr ändern."


def outside_period(day_label: str, period_start, period_end) -> str:
    return (
        f"{day_label} liegt nicht im Zeitraum des Programms "
        f"({date_short(period_start)} bis {date_short(period_end)})."
    )


def capacity_not_allowed(minimum: int, maximum: int) -> str:
    return (
        f"Bitte geben Sie zwischen {minimum} und {maximum} Plätze an "
        "(Mindest- und Höchstzahl des Programms)."
    )


def places_outside(capacity: int, minimum: int, maximum: int) -> str:
    return (
        f"Das Seminar hat {plural(capacity, 'Platz')}; das Programm sieht {minimum} bis {maximum} "
        "Plätze vor."
    )


def short_day(number: int, minutes: int) -> str:
    """The warning for a seminar day under the planned eight hours (saved all the same)."""
    hours, rest = divmod(minutes, 60)
    length = plural(hours, "Stunde") + (f" {plural(rest, 'Minute')}" if rest else "")
    return (
        f"Der {number}. Tag dauert nur {length}. Ein Seminartag ist mit 8 Stunden geplant, "
        "und das Honorar ist für 8 Stunden berechnet."
    )


def seminar_changed(told: int) -> str:
    """After a change of dates, times or place: how many people were told."""
    if told == 0:
        return "Termine oder Ort sind geändert; es gibt keine Angemeldeten zu benachrichtigen."
    people = f"{plural(told, 'angemeldete Person', 'Angemeldete')} {agree(told, 'wird', 'werden')}"
    return (
        f"Termine oder Ort sind geändert: {people} per E-Mail benachrichtigt "
        "(bestätigte Teilnehmende mit aktualisiertem Kalendereintrag)."
    )


def capacity_below_confirmed(confirmed: int) -> str:
    people = f"{agree(confirmed, 'ist', 'sind')} {plural(confirmed, 'Platz')}"
    return (
        f"Es {people} bestätigt: Die Zahl der Plätze kann nicht unter {confirmed} sinken. "
        "Niemand verliert so einen bestätigten Platz."
    )


def module_slot_taken(holder) -> str:
    return (
        f"Die {holder.vhs.name} hat in diesem Programm schon ein "
        f"{holder.module.kind}: Seminar Nr. {holder.id} am {date_short(holder.day1)}. "
        "Je Standort wird nur ein Seminar pro Modul gefördert."
    )


def has_registrations(active: int) -> str:
    people = plural(active, "aktive Anmeldung")
    return (
        f"Das Seminar hat {people}. Zurückziehen ist nur ohne Anmeldungen möglich; "
        "sagen Sie es sonst ab, damit die Angemeldeten benachrichtigt werden."
    )


NOT_DELETABLE = (
    "Nur ein Entwurf ohne jede Anmeldung lässt sich löschen. Ein veröffentlichtes Seminar "
    "sagen Sie ab."
)
DRAFT_NOT_CANCELLED = (
    "Ein Entwurf ist öffentlich nicht zu sehen und wird nicht abgesagt: Löschen Sie ihn, "
    "oder bearbeiten Sie ihn."
)

# -- registrations -----------------------------------------------------------------------

ALREADY_REGISTERED = "Diese E-Mail-Adresse ist für dieses Seminar bereits angemeldet."
NO_FREE_PLACE = "Es ist kein Platz frei: Nachrücken ist erst nach einer Stornierung möglich."
NOT_WAITLISTED = "Diese Person steht nicht (mehr) auf der Warteliste."
NOT_CONFIRMED = "Anwesenheit lässt sich nur für bestätigte Teilnehmende erfassen."


def attendance_not_yet(day: int, day_date) -> str:
    return (
        f"Die Anwesenheit für den {day}. Tag lässt sich erst ab dem Seminartag erfassen, "
        f"also ab dem {date_short(day_date)}."
    )


REGISTRATION_NOT_FOUND = "Diese Anmeldung gibt es nicht mehr."
SEMINAR_NOT_FOUND = "Dieses Seminar gibt es nicht."
CLOSED = {
    "cancelled": "Das Seminar ist abgesagt.",
    "not_published": "Das Seminar ist nicht veröffentlicht.",
    "deadline_passed": "Der Anmeldeschluss ist vorbei.",
    "started": "Das Seminar hat schon begonnen.",
}
SEMINAR_OVER = "Das Seminar ist vorbei."
HOLD_LAPSED = (
    "Für diese E-Mail-Adresse war hier schon ein Platz vorgemerkt, der nicht bestätigt "
    "wurde. Bitte bestätigen Sie zuerst Ihre Adresse: Lassen Sie sich unter „Schon "
    "angemeldet?“ den Link erneut senden und öffnen Sie ihn. Danach können Sie sich "
    "wieder anmelden."
)

# -- notices after an action ---------------------------------------------------------------


def saved(what: str) -> str:
    return f"{what} ist gespeichert."


def participant_added(registration) -> str:
    if registration.state == "confirmed":
        return f"{registration.full_name} ist angemeldet (Platz bestätigt)."
    return f"{registration.full_name} steht auf der Warteliste."


def registration_cancelled(cancelled, moved) -> str:
    message = f"Die Anmeldung von {cancelled.full_name} ist storniert."
    if moved:
        message += " " + moved_up(moved)
    return message


def moved_up(moved) -> str:
    names = ", ".join(r.full_name for r in moved)
    return f"Von der Warteliste nachgerückt: {names}."


def moved_up_by_hand(registration) -> str:
    return f"{registration.full_name} ist nachgerückt (Platz bestätigt)."


PUBLISHED = "Das Seminar ist veröffentlicht: Die Anmeldung ist geöffnet."
ALREADY_PUBLISHED = "Das Seminar war schon veröffentlicht."
UNPUBLISHED = "Das Seminar ist zurückgezogen (Entwurf) und öffentlich nicht mehr zu sehen."
ALREADY_DRAFT = "Das Seminar war schon ein Entwurf."
DRAFT_DELETED = "Der Entwurf ist gelöscht."


def seminar_cancelled(cancelled: int) -> str:
    if cancelled == 0:
        return "Das Seminar ist abgesagt. Es gab keine aktiven Anmeldungen."
    people = f"{plural(cancelled, 'Anmeldung')} {agree(cancelled, 'ist', 'sind')}"
    return (
        f"Das Seminar ist abgesagt. {people} storniert; "
        "die Personen werden per E-Mail benachrichtigt."
    )


def travel_total(cents: int) -> str:
    return f"Das Tandem ist gespeichert (Reisekosten zusammen {euro(cents)})."
