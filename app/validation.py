"""Field validators with German messages, shared by every form that takes people's data."""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms.validators import StopValidation, ValidationError

NAME_MAX = 100
EMAIL_MAX = 254
FORBIDDEN = set("<>")


def clean(value: str | None) -> str:
    """Trim, unify Unicode (NFC) and collapse runs of inner spaces."""
    if value is None:
        return ""
    return re.sub(" {2,}", " ", unicodedata.normalize("NFC", value)).strip()


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in value)


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
            raise StopValidation(f"Bitte höchstens {self.max_length} Zeichen eingeben.")
        if has_control_characters(value):
            raise StopValidation("Bitte keine Steuerzeichen (zum Beispiel Tabulatoren) eingeben.")
        if FORBIDDEN & set(value):
            raise StopValidation("Bitte keine spitzen Klammern (< oder >) eingeben.")


def check_email(value: str) -> str | None:
    """The German error for an address, or None when it is fine."""
    value = (value or "").strip()
    if not value:
        return "Bitte geben Sie Ihre E-Mail-Adresse an."
    if len(value) > EMAIL_MAX:
        return f"Eine E-Mail-Adresse hat höchstens {EMAIL_MAX} Zeichen."
    if has_control_characters(value) or FORBIDDEN & set(value):
        return "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."
    try:
        validate_email(
            value,
            check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"],
        )
    except EmailNotValidError:
        return "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."
    return None


class EmailAddress:
    def __call__(self, form, field):
        error = check_email(field.data)
        if error:
            raise StopValidation(error)


class MustBeEmpty:
    """The honeypot: a field people never see and bots fill in."""

    def __call__(self, form, field):
        if field.data:
            raise ValidationError("Bitte lassen Sie dieses Feld leer.")
