"""Every German sentence the services and the areas' notices say, in one place.

Field formats (a date, an amount) are worded beside their validators in
``app.web.validators``; labels of states and kinds are attached to their enums;
everything else is in the templates.
"""

from app.core.formatting import date_long, date_short, euro
from app.core.german import agree, in_place, number, plural

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


def next_programme_exists(source_title: str, title: str) -> str:
    return (
        f"Das nächste Programmjahr nach „{source_title}“ ist schon angelegt: „{title}“. "
        "Es wurde nichts erneut angelegt."
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
    "angemeldet?“ den Link erneut senden, öffnen Sie ihn und bestätigen Sie dort Ihre "
    "Adresse. Danach können Sie sich wieder anmelden."
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


# -- VHS staff change their seminar; organisers' messages to a seminar's people ---------------

STATE_ORGANISERS = "Landesverband der Volkshochschulen von NRW und Landesintegrationsrat NRW"


def vhs_changes_closed(deadline) -> str:
    return (
        f"Der Anmeldeschluss ({date_short(deadline)}) ist vorbei: Termine und Ort ändert jetzt "
        f"nur noch die Landesebene ({STATE_ORGANISERS}). Bitte wenden Sie sich dorthin."
    )


def day1_before_deadline(deadline) -> str:
    return f"Der 1. Tag muss nach dem Anmeldeschluss ({date_short(deadline)}) liegen."


MESSAGE_PLACEHOLDER = "[Ihr Text]"
MESSAGE_SUBJECT_MISSING = "Bitte geben Sie einen Betreff an."
MESSAGE_BODY_MISSING = "Bitte schreiben Sie eine Nachricht."
NO_CONTROL_CHARACTERS = "Bitte keine Steuerzeichen eingeben."
MESSAGE_PLACEHOLDER_LEFT = f"Bitte ersetzen Sie „{MESSAGE_PLACEHOLDER}“ durch Ihre Nachricht."
MESSAGE_NO_RECIPIENTS = (
    "In dieser Auswahl gibt es niemanden, der die Nachricht erhalten kann. "
    "Bitte wählen Sie eine andere Auswahl."
)
MESSAGE_CHANGED_AFTER_PREVIEW = (
    "Sie haben die Nachricht nach der Vorschau geändert. Bitte prüfen Sie die neue Vorschau "
    "und senden Sie dann."
)


def message_too_long(limit: int) -> str:
    return f"Bitte höchstens {number(limit)} Zeichen eingeben."


def message_draft(seminar, signature: str) -> str:
    """The text an organiser's message starts from (the mail adds the greeting)."""
    return (
        f"zum Seminar „{seminar.module.label}“ am {date_long(seminar.day1)} und "
        f"{date_long(seminar.day2)} {in_place(seminar.venue_name)}, {seminar.venue_town} "
        f"möchten wir Ihnen Folgendes mitteilen:\n\n{MESSAGE_PLACEHOLDER}\n\n"
        f"Mit freundlichen Grüßen\n{signature}"
    )


def too_many_messages(limit: int, possible_at: str) -> str:
    return (
        f"Je Seminar sind höchstens {plural(limit, 'Nachricht', 'Nachrichten')} pro Stunde "
        f"möglich. Die nächste können Sie ab {possible_at} senden; Ihr Text bleibt hier stehen."
    )


def message_sent(count: int) -> str:
    return (
        f"Die Nachricht geht an {plural(count, 'Person')}, an jede als eigene E-Mail. "
        "Antworten kommen an Ihre E-Mail-Adresse."
    )


def message_logged(count: int, audience: str, subject: str) -> str:
    """The audit log's detail of a message: how many people, which ones, the subject."""
    return f"an {plural(count, 'Person')} ({audience}): „{subject}“"


# -- finding a seminar: the home page's place ("Seminare in Ihrer Nähe") ---------------


def place_unknown(typed: str) -> str:
    return (
        f"Den Ort „{typed}“ kennen wir leider nicht. Wir kennen die Städte, Gemeinden und "
        "Stadtteile in Nordrhein-Westfalen: Prüfen Sie bitte die Schreibweise oder nennen "
        "Sie einen größeren Ort in Ihrer Nähe. Hier sehen Sie alle passenden Seminare nach "
        "Datum."
    )


def place_guessed(name: str) -> str:
    return f"Meinten Sie {name}? Wir zeigen Seminare in der Nähe von {name}."


def district_unknown(district: str, town: str) -> str:
    return (
        f"Den Stadtteil „{district}“ kennen wir leider nicht. Wir zeigen Seminare in der "
        f"Nähe von {town}."
    )


VHS_UNKNOWN = (
    "Diese Volkshochschule kennen wir nicht. Prüfen Sie bitte den Link oder wählen Sie "
    "Ihre Volkshochschule oben aus. Hier sehen Sie die Seminare aller Volkshochschulen."
)


def vhs_without_seminars(name: str) -> str:
    return (
        f"An der {name} sind zurzeit keine Seminare ausgeschrieben. Hier sehen Sie die "
        "Seminare aller Volkshochschulen."
    )


POSTCODE_UNKNOWN = (
    "Nach Postleitzahlen können wir leider nicht suchen. Geben Sie bitte den Namen Ihres "
    "Ortes ein, zum Beispiel „Hürth“. Hier sehen Sie alle passenden Seminare nach Datum."
)


# -- interest declarations (public forms of VHS and council offices) ---------------------

INTEREST_NO_DEADLINE = (
    "Für dieses Programmjahr nehmen wir noch keine Interessenbekundungen entgegen: "
    "Die Frist ist noch nicht festgelegt."
)


def interest_deadline_passed(deadline) -> str:
    return f"Die Frist für Interessenbekundungen ist am {date_short(deadline)} abgelaufen."


INTEREST_LINK_INVALID = "Zu diesem Link gibt es keine Interessenbekundung."
INTEREST_MAILED_RECENTLY = (
    "An diese E-Mail-Adresse haben wir in der letzten Stunde schon eine E-Mail mit einem "
    "persönlichen Link geschickt. Über diesen Link bestätigen oder ändern Sie Ihre Angaben. "
    "Ist die E-Mail nicht angekommen, senden Sie das Formular bitte in einer Stunde erneut."
)
INTEREST_WITHDRAWN = (
    "Diese Interessenbekundung ist zurückgezogen und lässt sich nicht mehr ändern. "
    "Sie können eine neue senden."
)
INTEREST_NOT_CONFIRMED = "Bitte bestätigen Sie die Interessenbekundung zuerst."
INTEREST_DECIDED = (
    "Über Ihr Angebot ist schon entschieden; es lässt sich hier nicht mehr ändern. "
    "Bitte wenden Sie sich an die Landesebene."
)
INTEREST_NO_MODULE = "Bitte wählen Sie mindestens ein Modul."
INTEREST_DATES_WITHOUT_MODULE = (
    "Sie haben Termine für dieses Modul angegeben. Bitte kreuzen Sie das Modul an "
    "oder leeren Sie die Termine."
)
INTEREST_NEEDS_DATES = "Bitte nennen Sie zwei Tage oder beschreiben Sie einen Zeitraum in Worten."
INTEREST_DAY1_MISSING = "Bitte geben Sie auch den 1. Tag an."
INTEREST_DAY2_MISSING = "Bitte geben Sie auch den 2. Tag an."
INTEREST_DAY_PAST = "Dieser Tag liegt in der Vergangenheit."
INTEREST_CHOOSE_VHS = (
    "Bitte wählen Sie Ihre Volkshochschule aus der Liste oder „Nicht in der Liste“."
)
INTEREST_CHOOSE_COUNCIL = (
    "Bitte wählen Sie Ihren Integrationsrat aus der Liste oder „Nicht in der Liste“."
)
INTEREST_UNKNOWN_CHOICE = "Diesen Eintrag gibt es in der Liste nicht (mehr)."
INTEREST_NEW_VHS_NAME = "Bitte geben Sie den Namen Ihrer Volkshochschule an."
INTEREST_NEW_VHS_STREET = "Bitte geben Sie Straße und Hausnummer an."
INTEREST_NEW_VHS_POSTCODE = "Bitte geben Sie die Postleitzahl an."
INTEREST_NEW_VHS_TOWN = "Bitte geben Sie den Ort an."
INTEREST_NEW_COUNCIL_TOWN = "Bitte geben Sie die Stadt oder Gemeinde Ihres Integrationsrats an."
INTEREST_CONFIRMED = "Danke! Ihre Interessenbekundung ist bestätigt und zählt."
INTEREST_CHANGED = "Ihre Änderungen sind gespeichert."
INTEREST_WITHDRAWN_NOW = "Ihre Interessenbekundung ist zurückgezogen."


# -- choosing the locations (state organisers select or decline declared modules) --------

INTEREST_DEADLINE_AFTER_PERIOD = (
    "Die Frist für Interessenbekundungen darf nicht nach dem Ende des Zeitraums liegen."
)
OFFER_NOT_FOUND = "Dieses Angebot gibt es nicht (mehr)."
OFFER_DECLARATION_NEW = (
    "Die Volkshochschule hat ihre Interessenbekundung noch nicht bestätigt (Adresse nicht "
    "bestätigt). Auswählen oder ablehnen lässt sie sich erst danach."
)
OFFER_DECLARATION_WITHDRAWN = (
    "Die Volkshochschule hat ihre Interessenbekundung zurückgezogen; "
    "sie lässt sich nicht mehr auswählen oder ablehnen."
)
OFFER_DATES_MISSING = (
    "Die Volkshochschule hat keine festen Tage genannt. Bitte legen Sie beide Seminartage fest."
)
OFFER_DECLINE_REASON = "Bitte begründen Sie die Ablehnung in 5 bis 500 Zeichen."
OFFER_NO_COUNCIL = (
    "Kein Integrationsrat steht dahinter: Die VHS nennt keinen, und keiner aus dem Ort "
    "oder mit Wunsch nach dieser VHS hat Interesse an diesem Modul bestätigt."
)


def offer_decided(state_label: str) -> str:
    return (
        f"Über dieses Angebot ist schon entschieden: Es ist {state_label}. "
        "Die Übersicht zeigt den aktuellen Stand."
    )


def offer_module_taken(kind: str, seminar_id: int) -> str:
    return (
        f"An diesem Standort gibt es in diesem Programm schon ein {kind} "
        f"(Seminar Nr. {seminar_id}). Je Standort wird nur ein Seminar pro Modul gefördert."
    )


def offer_outside_period(period_start, period_end) -> str:
    return (
        "Ein genannter Tag liegt nicht im Zeitraum des Programms "
        f"({date_short(period_start)} bis {date_short(period_end)})."
    )


def offer_room_too_small(room_capacity: int, minimum: int) -> str:
    return (
        f"Der Raum hat nur {plural(room_capacity, 'Platz')}; ein Seminar findet erst ab "
        f"{plural(minimum, 'Anmeldung')} statt."
    )


def offer_days_far_apart(days: int, close: int) -> str:
    return (
        f"Die beiden Tage liegen {plural(days, 'Tag')} auseinander; die zwei Seminartage "
        f"liegen sonst höchstens {plural(close, 'Tag')} auseinander. Ist ein Datum vertippt?"
    )


def offer_no_dates(period: str) -> str:
    wish = f" (Wunsch: „{period}“)" if period else ""
    return f"Noch keine festen Tage{wish}: Sie legen die Tage bei der Auswahl fest."


def offer_selected(
    seminar_id: int, told: int, invited: str | None, account_existed: bool = False
) -> str:
    text = (
        f"Ausgewählt: Der Entwurf Seminar Nr. {seminar_id} ist angelegt; "
        f"{plural(told, 'E-Mail')} an VHS und Integrationsräte {agree(told, 'ist', 'sind')} "
        "unterwegs."
    )
    if invited:
        text += f" Die VHS hat eine Einladung zu einem Konto erhalten ({invited})."
    elif account_existed:
        text += (
            " Die VHS hatte inzwischen schon ein Konto; eine weitere Einladung ist nicht "
            "verschickt worden."
        )
    return text


SAME_VHS_UNCONFIRMED = (
    "Diese VHS steht vermutlich schon im Verzeichnis. Bitte wählen Sie aus, welche VHS es "
    "ist: Eine zweite VHS am selben Standort legt die Auswahl nicht an."
)


def offer_deadline_passed(deadline, earliest) -> str:
    return (
        f"Der Anmeldeschluss wäre eine Woche vor dem 1. Tag, am {date_short(deadline)}, "
        f"und ist schon vorbei. Bitte wählen Sie als 1. Tag frühestens den "
        f"{date_short(earliest)}."
    )


def account_other_domain(domain: str, known_domain: str) -> str:
    return (
        f"Diese Adresse gehört zu {domain}, die bekannte Adresse der VHS aber zu "
        f"{known_domain}. Bitte prüfen Sie, ob sie wirklich zur VHS gehört, und "
        "bestätigen Sie es unten."
    )


ACCOUNT_NO_KNOWN_CONTACT = (
    "Im Verzeichnis steht für diese VHS keine E-Mail-Adresse, mit der sich diese "
    "vergleichen ließe. Bitte prüfen Sie, ob sie wirklich zur VHS gehört, und "
    "bestätigen Sie es unten."
)


def offer_declined(told: int) -> str:
    return (
        f"Abgelehnt: {plural(told, 'E-Mail')} mit der Begründung an VHS und Integrationsräte "
        f"{agree(told, 'ist', 'sind')} unterwegs."
    )


# -- bulk add: several participants at once (services.bulk_add) -------------------------

_TABLE_PROBLEMS = {
    "empty": (
        "In der Liste steht niemand. Bitte fügen Sie Zeilen ein oder wählen Sie eine Datei "
        "mit Teilnehmenden."
    ),
    "too_large": (
        "Die Datei ist zu groß: höchstens 1 MB. Bitte teilen Sie die Liste auf und fügen Sie "
        "die Teile nacheinander hinzu."
    ),
    "too_many_rows": (
        "Die Liste hat zu viele Zeilen: höchstens {limit} Personen auf einmal. Bitte teilen "
        "Sie die Liste auf und fügen Sie die Teile nacheinander hinzu."
    ),
    "not_a_table": (
        "Das sieht nicht nach einer Tabelle aus. Erwartet wird je Person eine Zeile mit Name, "
        "Vorname, Ort und E-Mail-Adresse, getrennt durch Tabulator, Semikolon oder Komma, "
        "als CSV-Datei oder als Excel-Arbeitsmappe (.xlsx)."
    ),
    "encoding": (
        "Die Zeichenkodierung der Datei ist nicht eindeutig zu erkennen. Bitte speichern Sie "
        "die Tabelle in Excel unter „Speichern unter“ als „CSV UTF-8 (durch Trennzeichen "
        "getrennt)“ und laden Sie diese Datei hoch."
    ),
    "garbled": (
        "Die Umlaute in der Liste sind doppelt kodiert (zum Beispiel „MÃ¼ller“ statt "
        "„Müller“). Bitte speichern Sie die Tabelle als „CSV UTF-8“ neu, oder kopieren Sie "
        "die Zeilen direkt aus der Tabelle."
    ),
    "other_spreadsheet": (
        "Dieses Dateiformat können wir nicht lesen (zum Beispiel .xls, .ods oder eine Datei "
        "mit Kennwort). Bitte speichern Sie die Tabelle ohne Kennwort als Excel-Arbeitsmappe "
        "(.xlsx) oder als „CSV UTF-8“."
    ),
}


def table_problem(problem: str, limit: int) -> str:
    return _TABLE_PROBLEMS[problem].format(limit=limit)


BULK_NOTHING_CHOSEN = "Bitte fügen Sie Zeilen ein oder wählen Sie eine Datei."
BULK_BOTH_CHOSEN = (
    "Bitte fügen Sie entweder Zeilen ein oder wählen Sie eine Datei, nicht beides: Leeren Sie "
    "das Textfeld, um die Datei zu verwenden."
)
BULK_PREVIEW_EXPIRED = (
    "Die Vorschau ist abgelaufen oder unvollständig angekommen. Bitte laden Sie die Liste "
    "noch einmal; es wurde niemand hinzugefügt."
)
BULK_NO_ADDRESSES = (
    "In der Liste steht keine E-Mail-Adresse, sie sieht nicht nach einer Teilnehmendenliste "
    "aus. Erwartet wird je Person eine Zeile mit Name, Vorname, Ort und E-Mail-Adresse."
)
BULK_TOO_MANY_CELLS = (
    "Mehr als vier Angaben. Ohne Kopfzeile gilt die Reihenfolge Name, Vorname, Ort, "
    "E-Mail-Adresse; mit einer Kopfzeile werden weitere Spalten übergangen."
)
BULK_CANCELLED_MEANWHILE = "Hinzugefügt und inzwischen wieder storniert."
BULK_READ_AS_1252 = (
    "Die Datei ist nicht als UTF-8 gespeichert; sie wurde als Windows-1252 (Westeuropäisch) "
    "gelesen, wie Excel unter Windows speichert. Bitte prüfen Sie Umlaute und Sonderzeichen "
    "in der Vorschau."
)


def _quoted(names) -> str:
    quoted = [f"„{name}“" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " und " + quoted[-1]


def bulk_missing_columns(labels: list[str]) -> str:
    what = "fehlt die Spalte" if len(labels) == 1 else "fehlen die Spalten"
    return (
        f"In der Kopfzeile {what} {_quoted(labels)}. Benötigt werden Name, Vorname, Ort und "
        "E-Mail-Adresse."
    )


def bulk_columns_ignored(names: list[str]) -> str:
    what = "Die Spalte" if len(names) == 1 else "Die Spalten"
    verb = agree(len(names), "wird", "werden")
    return (
        f"{what} {_quoted(names)} {verb} nicht übernommen: Gespeichert werden nur Name, "
        "Vorname, Ort und E-Mail-Adresse."
    )


def bulk_lines_above_header(numbers: list[int]) -> str:
    which = ", ".join(str(n) for n in numbers)
    return (
        f"{agree(len(numbers), 'Zeile', 'Zeilen')} {which} über der Kopfzeile "
        f"{agree(len(numbers), 'wird', 'werden')} nicht übernommen."
    )


def bulk_sheet_read(title: str, sheets: int) -> str:
    return (
        f"Die Arbeitsmappe hat {sheets} Tabellenblätter; gelesen wurde das aktive Blatt „{title}“."
    )


def bulk_twice_in_list(first: int) -> str:
    return f"Doppelt in der Liste: dieselbe E-Mail-Adresse wie in Zeile {first}."


def bulk_hourly_cap(added: int, wanted: int, limit: int) -> str:
    left = max(limit - added, 0)
    return (
        f"Je Stunde kann ein Konto höchstens {number(limit)} Personen hinzufügen. In der "
        f"letzten Stunde waren es schon {number(added)}, jetzt sind noch {number(left)} "
        f"möglich; diese Liste hat {number(wanted)}. Bitte teilen Sie die Liste oder "
        "versuchen Sie es später erneut."
    )


def bulk_added_detail(rows: int, confirmed: int, waitlisted: int, left_out: int) -> str:
    """The audit entry of one bulk add."""
    return (
        f"{plural(rows, 'Zeile', 'Zeilen')}: {confirmed} bestätigt, {waitlisted} auf der "
        f"Warteliste, {left_out} nicht hinzugefügt"
    )


# -- certificates and the mail after the seminar (Teilnahmebescheinigung) -------------------

# why a confirmed person has no certificate, by ``rules.CertificateGap``
CERTIFICATE_GAPS = {
    "only_day1": "nur an Tag 1 anwesend",
    "only_day2": "nur an Tag 2 anwesend",
    "absent_both": "an beiden Tagen abwesend",
    "absent_day1": "an Tag 1 abwesend (Tag 2 nicht erfasst)",
    "absent_day2": "an Tag 2 abwesend (Tag 1 nicht erfasst)",
    "not_recorded_day1": "Anwesenheit Tag 1 nicht erfasst",
    "not_recorded_day2": "Anwesenheit Tag 2 nicht erfasst",
    "not_recorded_both": "Anwesenheit noch nicht erfasst",
}
CERTIFICATE_ERASED = "Daten auf Wunsch der Person gelöscht"


def certificate_not_confirmed(state_label: str) -> str:
    return f"die Anmeldung ist {state_label}"


NO_CERTIFICATES = (
    "Es gibt noch keine Teilnahmebescheinigung: Niemand ist an beiden Tagen als anwesend erfasst."
)
PUBLIC_NO_CERTIFICATE = (
    "Eine Teilnahmebescheinigung gibt es für die Teilnahme an beiden Seminartagen. Für Ihre "
    "Anmeldung ist das nicht erfasst. Bei Fragen wenden Sie sich bitte an die Volkshochschule."
)
ATTENDANCE_LOCKED = (
    "Die Abrechnung ist eingereicht: Die Anwesenheit lässt sich nicht mehr ändern. Die "
    "Landesebene kann die Abrechnung zur Korrektur zurückgeben."
)


def no_certificate(name: str, reason: str) -> str:
    return f"Für {name} gibt es keine Teilnahmebescheinigung: {reason}."


def attendance_close_not_yet(day2) -> str:
    return (
        "Die Anwesenheit lässt sich erst am 2. Seminartag abschließen, "
        f"also ab dem {date_short(day2)}."
    )


def attendance_close_too_late(days: int) -> str:
    return (
        f"Mehr als {plural(days, 'Tag')} nach dem Seminar werden keine E-Mails mehr versandt. "
        "Bitte laden Sie die Bescheinigungen hier herunter und geben Sie sie selbst weiter."
    )


def attendance_closed(queued: int, earlier: int, without: int, certified: int = 0) -> str:
    """After "Anwesenheit abschließen": who gets the mail now (``certified`` of them with
    the certificate), who had it, who has no certificate."""
    if queued:
        told = (
            f"{plural(queued, 'Person')} {agree(queued, 'erhält', 'erhalten')} jetzt die "
            f"E-Mail nach dem Seminar, {certified} davon mit Teilnahmebescheinigung."
        )
    else:
        told = "Niemand erhält jetzt eine neue E-Mail nach dem Seminar."
    message = f"Die Anwesenheit ist abgeschlossen. {told}"
    if earlier:
        message += f" {plural(earlier, 'Person')} {agree(earlier, 'hatte', 'hatten')} sie schon."
    if without:
        message += (
            f" {plural(without, 'Person')} {agree(without, 'bekommt', 'bekommen')} keine "
            "Teilnahmebescheinigung (die Gründe stehen in der Liste)."
        )
    return message


# -- settlement (Abrechnung) -------------------------------------------------------------

SETTLEMENT_ROLE_REFUSED = "Diesen Schritt der Abrechnung darf Ihre Rolle nicht ausführen."
SETTLEMENT_NOT_EDITABLE = (
    "Die Verpflegungskosten lassen sich nur ändern, solange die Abrechnung ein Entwurf ist."
)
SETTLEMENT_SEMINAR_CANCELLED = "Das Seminar ist abgesagt: Es gibt keine Abrechnung."
CATERING_MISSING = "Bitte geben Sie die Verpflegungskosten an (0,00 €, wenn keine angefallen sind)."
CATERING_NEGATIVE = "Bitte geben Sie einen Betrag ab 0,00 € an."
RETURN_REASON_MISSING = "Bitte nennen Sie den Grund, damit die VHS die Abrechnung korrigieren kann."
SETTLEMENT_SUBMITTED = "Die Abrechnung ist eingereicht. Der Landesverband prüft sie."
SETTLEMENT_CHECKED = "Die Abrechnung ist als geprüft vermerkt."
SETTLEMENT_PAID = "Die Abrechnung ist als ausgezahlt vermerkt."
SETTLEMENT_RETURNED = "Die Abrechnung ist an die VHS zurückgegeben und wieder ein Entwurf."


def settlement_wrong_state(state_label: str) -> str:
    return f"Die Abrechnung ist {state_label}: Dieser Schritt ist jetzt nicht möglich."


def settlement_too_early(day2) -> str:
    return (
        "Die Abrechnung lässt sich ab dem 2. Seminartag einreichen, "
        f"also ab dem {date_short(day2)}."
    )


def catering_saved(cents: int) -> str:
    return f"Die Verpflegungskosten ({euro(cents)}) sind gespeichert."


# -- evaluation, a person across the series, personal data (Art. 15 and 17 GDPR) -------------

EVALUATION_NOT_AVAILABLE = "Zu diesem Link gibt es keinen Fragebogen."
EVALUATION_ALREADY_GIVEN = "Sie haben den Fragebogen schon beantwortet. Vielen Dank!"
EVALUATION_EMPTY = (
    "Bitte beantworten Sie mindestens eine Frage oder schreiben Sie uns ein paar Worte."
)
EVALUATION_SCALE = "Bitte wählen Sie einen Wert von 1 bis 5 oder „keine Angabe“."


EVALUATION_CHART_SUMMARY = "Antworten je Wert, 1 = trifft gar nicht zu, 5 = trifft voll zu."


def evaluation_chart_title(question: str) -> str:
    return f"Verteilung der Antworten: {question}"


EVALUATION_NOT_ATTENDED = (
    "Den Fragebogen beantworten Personen, die am Seminar teilgenommen haben. Ihre "
    "Anwesenheit ist noch nicht erfasst."
)
EVALUATION_CODE_INVALID = (
    "Diesen Code gibt es nicht, oder er wurde schon benutzt. Bitte prüfen Sie die Zeichen."
)
EVALUATION_CODES_CLOSED = (
    "Der Fragebogen dieses Seminars ist geschlossen: Codes gibt es nicht mehr."
)
EVALUATION_CODES_NOBODY_PRESENT = (
    "Bitte erfassen Sie zuerst die Anwesenheit: Es gibt so viele Codes, wie Personen "
    "anwesend waren."
)


EVALUATION_CODES_ALL_ANSWERED = (
    "Es gibt schon so viele Antworten, wie Personen anwesend waren: Weitere Codes gibt es nicht."
)


def evaluation_codes_count(most: int) -> str:
    return (
        f"Bitte geben Sie eine Zahl von 1 bis {most} an (so viele Personen waren anwesend "
        "und haben noch nicht geantwortet)."
    )


def evaluation_codes_made(how_many: int) -> str:
    """The audit entry's detail (the codes themselves are never written down)."""
    return f"{how_many} Einmal-Codes zum Fragebogen erstellt, frühere ungültig"


def room_code_title(number: int) -> str:
    """The name of a QR code on the sheet of one-time codes (read out by screen readers)."""
    return f"QR-Code zum Fragebogen (Code {number})"


def evaluation_too_few(minimum: int) -> str:
    return (
        f"Die Antworten lassen sich erst ab {minimum} Antworten herunterladen, "
        "damit niemand erkannt werden kann."
    )


def evaluation_not_yet(day2) -> str:
    return f"Der Fragebogen öffnet am 2. Seminartag, am {date_long(day2)}."


def evaluation_closed(last_day) -> str:
    return (
        f"Der Fragebogen war bis zum {date_long(last_day)} geöffnet. "
        "Jetzt lassen sich keine Antworten mehr senden."
    )


PERSONAL_DATA_ADDRESS_MISSING = "Bitte geben Sie die E-Mail-Adresse an."
PERSONAL_DATA_ADDRESS_INVALID = (
    "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."
)
ERASURE_NOTHING_FOUND = "Zu dieser E-Mail-Adresse ist nichts gespeichert."
ERASURE_REASON_MISSING = (
    "Bitte nennen Sie den Grund der Löschung, zum Beispiel: Antrag der Person per E-Mail vom …"
)
ERASURE_PLAN_CHANGED = (
    "Seit der Vorschau hat sich geändert, was zu dieser Adresse gespeichert ist. Es wurde "
    "nichts gelöscht. Bitte prüfen Sie die Liste unten erneut und bestätigen Sie sie."
)
ERASURE_UPCOMING_PLACES = (
    "Die Person ist für Seminare angemeldet, die noch nicht begonnen haben. Bitte bestätigen "
    "Sie, dass diese Anmeldungen zuerst storniert werden; die Warteliste rückt nach."
)


def erased(registrations: int, cancelled: int, declarations: int, mails: int) -> str:
    parts = [plural(registrations, "Anmeldung")]
    if cancelled:
        parts[0] += f" (davon {number(cancelled)} vorher storniert)"
    parts.append(plural(declarations, "Interessenbekundung", "Interessenbekundungen"))
    parts.append(plural(mails, "E-Mail"))
    return (
        f"Die Daten sind gelöscht: {', '.join(parts)}. "
        "Der Grund steht im Protokoll, die Adresse selbst nicht."
    )


def erasure_logged(reason: str, registrations: int, declarations: int, mails: int) -> str:
    """The audit log's detail of an erasure: what, and why; never the address."""
    return (
        f"1 Person: {plural(registrations, 'Anmeldung')}, "
        f"{plural(declarations, 'Interessenbekundung', 'Interessenbekundungen')}, "
        f"{plural(mails, 'E-Mail')}. Grund: {reason}"
    )


# -- funding and settlement figures ----------------------------------------------------

BELOW_MINIMUM_AT_START = "Mindestzahl zu Beginn nicht erreicht"
BELOW_MINIMUM_YET = "Mindestzahl noch nicht erreicht"


def not_fundable_count(seminars: int) -> str:
    """'2 Seminare nicht förderfähig' (the totals row of the funding overview)."""
    return f"{plural(seminars, 'Seminar')} nicht förderfähig"


# -- proving the address through the personal link --------------------------------------

PLACE_CONFIRMED = (
    "Danke! Ihre E-Mail-Adresse ist bestätigt und Ihr Platz ist fest. Die Bestätigung mit "
    "den Terminen als Kalendereintrag kommt per E-Mail."
)
ADDRESS_CONFIRMED = "Danke! Ihre E-Mail-Adresse ist bestätigt."
