"""The German texts of the admin pages that are not in templates: field errors and
notices. One place, so that a later translation finds them together."""

from app.formatting import date_short, euro
from app.texts import MODULE_KINDS

COUNCIL_KINDS = {
    "integrationsrat": "Integrationsrat",
    "integrationsausschuss": "Integrationsausschuss",
}

CHOOSE = "Bitte wählen Sie einen Eintrag aus der Liste."
WHOLE_NUMBER = "Bitte geben Sie eine ganze Zahl an."
DATE = "Bitte geben Sie ein Datum an (TT.MM.JJJJ)."
TIME = "Bitte geben Sie eine Uhrzeit an (zum Beispiel 9:00)."
AMOUNT = "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."
AMOUNT_TOO_HIGH = "Bitte geben Sie höchstens 100.000,00 € an."
POSTCODE = "Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."
SLUG = "Nur Kleinbuchstaben (a–z), Ziffern und Bindestriche, zum Beispiel vhs-koeln."
SLUG_TAKEN = "Diese Adresse hat schon eine andere VHS."
TOWN_TAKEN = "Für diesen Ort gibt es schon ein Gremium."
TRAINER_EMAIL_TAKEN = "Für diese E-Mail-Adresse gibt es schon eine*n Trainer*in."
TEXT_TOO_LONG = "Bitte höchstens {n} Zeichen eingeben."
NO_MARKUP = "Bitte keine Steuerzeichen und keine spitzen Klammern (< oder >) eingeben."
NUMBER_RANGE = "Bitte geben Sie eine Zahl zwischen {low} und {high} an."

DAY2_BEFORE_DAY1 = "Der 2. Tag darf nicht vor dem 1. Tag liegen."
ENDS_BEFORE_START = "Das Ende muss nach dem Beginn liegen."
DEADLINE_TOO_LATE = "Der Anmeldeschluss muss vor dem 1. Tag liegen."
PERIOD_END_BEFORE_START = "Das Ende des Zeitraums darf nicht vor seinem Beginn liegen."
MIN_ABOVE_MAX = "Die Mindestzahl darf nicht über der Höchstzahl liegen."
TWO_TRAINERS_OUTSIDE = "Dieser Wert muss zwischen Mindest- und Höchstzahl liegen."
TRAVEL_WITHOUT_TRAINER = "Reisekosten lassen sich nur für eine zugeordnete Person erfassen."
WRONG_TRAINER_KIND = "Diese Person gehört nicht zu dieser Art von Trainer*innen."
OWN_ROLE = "Sie können sich nicht selbst die Rolle Landesebene nehmen."
OWN_ACCOUNT_INACTIVE = "Sie können Ihr eigenes Konto nicht sperren."
SEMINAR_CANCELLED = "Das Seminar ist abgesagt und lässt sich nicht mehr ändern."


def outside_period(day_label: str, period_start, period_end) -> str:
    return (
        f"{day_label} liegt nicht im Zeitraum des Programms "
        f"({date_short(period_start)} bis {date_short(period_end)})."
    )


def capacity_not_allowed(maximum: int) -> str:
    return f"Bitte geben Sie zwischen 1 und {maximum} Plätze an (Höchstzahl des Programms)."


def capacity_below_confirmed(confirmed: int) -> str:
    people = "ist 1 Platz" if confirmed == 1 else f"sind {confirmed} Plätze"
    return (
        f"Es {people} bestätigt: Die Zahl der Plätze kann nicht unter {confirmed} sinken. "
        "Niemand verliert so einen bestätigten Platz."
    )


def module_slot_taken(holder) -> str:
    return (
        f"Die {holder.vhs.name} hat in diesem Programm schon ein "
        f"{MODULE_KINDS[holder.module]}: Seminar Nr. {holder.id} am {date_short(holder.day1)}. "
        "Je Standort wird nur ein Seminar pro Modul gefördert."
    )


def trainer_kind_locked(seminars) -> str:
    numbers = ", ".join(f"Nr. {s.id}" for s in seminars)
    return (
        "Die Art lässt sich nicht ändern, solange die Person Seminaren zugeordnet ist "
        f"(Seminar {numbers})."
    )


# -- notices after an action -------------------------------------------------------


def saved(what: str) -> str:
    return f"{what} ist gespeichert."


def capacity_raised(moved) -> str:
    names = ", ".join(r.full_name for r in moved)
    return f"Von der Warteliste nachgerückt: {names}."


PUBLISHED = "Das Seminar ist veröffentlicht: Die Anmeldung ist geöffnet."
ALREADY_PUBLISHED = "Das Seminar war schon veröffentlicht."
UNPUBLISHED = "Das Seminar ist zurückgezogen (Entwurf) und öffentlich nicht mehr zu sehen."
ALREADY_DRAFT = "Das Seminar war schon ein Entwurf."
DRAFT_DELETED = "Der Entwurf ist gelöscht."
NOT_DELETABLE = (
    "Nur ein Entwurf ohne jede Anmeldung lässt sich löschen. Ein veröffentlichtes Seminar "
    "sagen Sie ab."
)
DRAFT_NOT_CANCELLED = (
    "Ein Entwurf ist öffentlich nicht zu sehen und wird nicht abgesagt: Löschen Sie ihn, "
    "oder bearbeiten Sie ihn."
)


def has_registrations(active: int) -> str:
    people = "1 aktive Anmeldung" if active == 1 else f"{active} aktive Anmeldungen"
    return (
        f"Das Seminar hat {people}. Zurückziehen ist nur ohne Anmeldungen möglich; "
        "sagen Sie es sonst ab, damit die Angemeldeten benachrichtigt werden."
    )


def seminar_cancelled(cancelled: int) -> str:
    if cancelled == 0:
        return "Das Seminar ist abgesagt. Es gab keine aktiven Anmeldungen."
    people = "1 Anmeldung ist" if cancelled == 1 else f"{cancelled} Anmeldungen sind"
    return (
        f"Das Seminar ist abgesagt. {people} storniert; "
        "die Personen werden per E-Mail benachrichtigt."
    )


def travel_total(cents: int) -> str:
    return f"Das Tandem ist gespeichert (Reisekosten zusammen {euro(cents)})."
