"""Field validators with German messages, shared by every form that takes people's data."""

import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms.validators import StopValidation, ValidationError

from app.core.text import ENCODED_WORD_START, FORMULA_STARTS, has_control_characters
from app.rules import email_parts

NAME_MAX = 100
EMAIL_MAX = 254
FORBIDDEN = set("<>")

# What a field's format asks for (the programme's rules are worded in services.messages).
CHOOSE = "Bitte wählen Sie einen Eintrag aus der Liste."
WHOLE_NUMBER = "Bitte geben Sie eine ganze Zahl an."
DATE = "Bitte geben Sie ein Datum an (TT.MM.JJJJ)."
TIME = "Bitte geben Sie eine Uhrzeit an (zum Beispiel 9:00)."
AMOUNT = "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 84,50."
AMOUNT_TOO_HIGH = "Bitte geben Sie höchstens 100.000,00 € an."
POSTCODE = "Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."
SLUG = "Nur Kleinbuchstaben (a–z), Ziffern und Bindestriche, zum Beispiel vhs-koeln."
TEXT_TOO_LONG = "Bitte höchstens {n} Zeichen eingeben."
NO_MARKUP = "Bitte keine Steuerzeichen und keine spitzen Klammern (< oder >) eingeben."
NUMBER_RANGE = "Bitte geben Sie eine Zahl zwischen {low} und {high} an."
FORMULA = (
    "Bitte beginnen Sie nicht mit =, +, @ oder einem Minus vor einer Ziffer: "
    "Tabellenprogramme würden den Eintrag als Formel lesen."
)
TOWN_WITHOUT_LETTERS = (
    "Bitte geben Sie den Namen des Ortes an, zum Beispiel Köln (nicht die Postleitzahl)."
)
EMAIL_MISSING = "Bitte geben Sie Ihre E-Mail-Adresse an."
EMAIL_INVALID = "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."
EMAIL_ENCODED_WORD = (
    "Bitte geben Sie eine E-Mail-Adresse ohne die Zeichenfolge „=?“ an: "
    "An eine solche Adresse können wir keine E-Mail senden."
)


class PersonText:
    """A required line of text such as a name or a town, as people write it.

    Accepts every script and diacritic (Nguyễn, O'Neill, Çelik); refuses blank
    input, over-long input, control characters and angle brackets (markup).
    """

    def __init__(self, missing: str, max_length: int = NAME_MAX):
        self.missing = missing
        self.max_length = max_length

    def __call__(self, form, field):
        value = field.data or ""
        if not value.strip():
            raise StopValidation(self.missing)
        if len(value) > self.max_length:
            raise StopValidation(TEXT_TOO_LONG.format(n=self.max_length))
        if has_control_characters(value):
            raise StopValidation("Bitte keine Steuerzeichen (zum Beispiel Tabulatoren) eingeben.")
        if FORBIDDEN & set(value):
            raise StopValidation("Bitte keine spitzen Klammern (< oder >) eingeben.")


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would read the text as a formula: it starts with =, + or @
    (or their full-width forms), a tab or a line break, or with a minus before a digit,
    a bracket or another such sign ("-1", "-=A1"). A minus before a letter is text."""
    if value.startswith(FORMULA_STARTS):
        rest = value[1:].lstrip(" ")
        if value[0] not in "-\uff0d":
            return True
        return bool(rest) and (
            rest[0].isdigit() or rest[0] == "(" or rest.startswith(FORMULA_STARTS)
        )
    return False


class PersonName(PersonText):
    """A person's name or town as the registration forms take it: ``PersonText``, and
    nothing a spreadsheet would run as a formula (the lists go to the LIR as CSV and
    XLSX); a town (``town``) has letters, it is not a postcode."""

    def __init__(self, missing: str, max_length: int = NAME_MAX, *, town: bool = False):
        super().__init__(missing, max_length)
        self.town = town

    def __call__(self, form, field):
        super().__call__(form, field)
        value = field.data.strip()
        if looks_like_formula(value):
            raise StopValidation(FORMULA)
        if self.town and not any(ch.isalpha() for ch in value):
            raise StopValidation(TOWN_WITHOUT_LETTERS)


def check_email(value: str) -> str | None:
    """The German error for an address, or None when it is fine."""
    value = (value or "").strip()
    if not value:
        return EMAIL_MISSING
    if len(value) > EMAIL_MAX:
        return f"Eine E-Mail-Adresse hat höchstens {EMAIL_MAX} Zeichen."
    if has_control_characters(value) or FORBIDDEN & set(value):
        return EMAIL_INVALID
    if ENCODED_WORD_START in value:  # mail programs would read it as an encoded header word
        return EMAIL_ENCODED_WORD
    if not current_app.config["EMAIL_CHECK_DELIVERABILITY"]:
        return EMAIL_INVALID if email_parts(value) is None else None
    try:
        validate_email(value, check_deliverability=True)
    except EmailNotValidError:
        return EMAIL_INVALID
    return None


class MustBeEmpty:
    """The honeypot: a field people never see and bots fill in."""

    def __call__(self, form, field):
        if field.data:
            raise ValidationError("Bitte lassen Sie dieses Feld leer.")


class OptionalText:
    """A line of text that may stay empty: length, no control characters, no markup."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) > self.max_length:
            raise StopValidation(TEXT_TOO_LONG.format(n=self.max_length))
        if has_control_characters(value.replace("\r\n", "\n").replace("\n", "")) or (
            FORBIDDEN & set(value)
        ):
            raise StopValidation(NO_MARKUP)


class Email:
    """An e-mail address, required when ``missing`` says what to ask for."""

    def __init__(self, missing: str | None = EMAIL_MISSING):
        self.missing = missing

    def __call__(self, form, field):
        if not field.data:
            if self.missing:
                raise StopValidation(self.missing)
            return
        error = check_email(field.data)
        if error:
            raise StopValidation(error)


class Postcode:
    def __call__(self, form, field):
        if field.data and not re.fullmatch(r"\d{5}", field.data):
            raise StopValidation(POSTCODE)


class Between:
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(NUMBER_RANGE.format(low=self.low, high=self.high))
