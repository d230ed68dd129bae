"""Form pieces every area uses: the person's four fields, the empty form of POST-only
buttons, and fields that read German input (amounts, dates, times, choices)."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.text import clean
from app.services.funding import amount
from app.services.registrations import Applicant
from app.web import validators
from app.web.validators import (
    EMAIL_MAX,
    NAME_MAX,
    Between,
    Email,
    OptionalText,
    PersonName,
    PersonText,
    Postcode,
)


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of POST-only buttons."""


class PersonForm(FlaskForm):
    last_name = StringField(
        "Name",
        filters=[clean],
        validators=[PersonName("Bitte geben Sie den Namen an.")],
        render_kw={"autocomplete": "family-name", "maxlength": NAME_MAX},
    )
    first_name = StringField(
        "Vorname",
        filters=[clean],
        validators=[PersonName("Bitte geben Sie den Vornamen an.")],
        render_kw={"autocomplete": "given-name", "maxlength": NAME_MAX},
    )
    town = StringField(
        "Ort",
        filters=[clean],
        validators=[PersonName("Bitte geben Sie den Ort an.", town=True)],
        render_kw={"autocomplete": "address-level2", "maxlength": NAME_MAX},
    )
    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[Email()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "inputmode": "email"},
    )

    def applicant(self) -> Applicant:
        return Applicant(
            last_name=self.last_name.data,
            first_name=self.first_name.data,
            town=self.town.data,
            email=self.email.data,
        )


_GERMAN_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")
_DOT_AMOUNT = re.compile(r"(\d+)\.(\d{1,2})")
MAX_AMOUNT_CENTS = 100_000_00


def parse_euro(text: str) -> int | None:
    """Cents of an amount as people type it: '84,50', '1.234,56', '84.50', '84 €'."""
    text = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\xa0", "")
    for pattern in (_GERMAN_AMOUNT, _DOT_AMOUNT):
        match = pattern.fullmatch(text)
        if match:
            euros = int(match.group(1).replace(".", ""))
            cents = int((match.group(2) or "0").ljust(2, "0"))
            return euros * 100 + cents
    return None


class EuroField(StringField):
    """An amount in euros; ``data`` is in cents (None when left empty)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        if not raw:
            self.data = None
            return
        cents = parse_euro(raw)
        if cents is None:
            self.data = None
            raise ValueError(validators.AMOUNT)
        self.data = cents

    def pre_validate(self, form):
        if self.data is not None and self.data > MAX_AMOUNT_CENTS:
            raise StopValidation(validators.AMOUNT_TOO_HIGH)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else amount(self.data)


def select_field(label: str, **kwargs) -> SelectField:
    return SelectField(
        label,
        coerce=int,
        choices=[],
        invalid_choice_message=validators.CHOOSE,
        invalid_value_message=validators.CHOOSE,
        **kwargs,
    )


def date_field(label: str, missing: str) -> DateField:
    return DateField(
        label,
        validators=[InputRequired(missing)],
        format=["%Y-%m-%d", "%d.%m.%Y"],
        invalid_value_message=validators.DATE,
    )


def time_field(label: str, missing: str) -> TimeField:
    return TimeField(
        label,
        validators=[InputRequired(missing)],
        format="%H:%M",
        invalid_value_message=validators.TIME,
    )


def whole_field(label: str, missing: str, low: int | None = None, high: int | None = None):
    checks = [InputRequired(missing)]
    if low is not None and high is not None:
        checks.append(Between(low, high))
    return IntegerField(label, validators=checks, invalid_value_message=validators.WHOLE_NUMBER)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeminarDaysForm(FlaskForm):
    """A seminar's two days with their times, its place and its note: the admins' seminar
    form and the VHS's change form both have them."""

    day1 = date_field("1. Tag", "Bitte geben Sie den 1. Tag an.")
    day1_starts = time_field("Beginn am 1. Tag", "Bitte geben Sie den Beginn an.")
    day1_ends = time_field("Ende am 1. Tag", "Bitte geben Sie das Ende an.")
    day2 = date_field("2. Tag", "Bitte geben Sie den 2. Tag an.")
    day2_starts = time_field("Beginn am 2. Tag", "Bitte geben Sie den Beginn an.")
    day2_ends = time_field("Ende am 2. Tag", "Bitte geben Sie das Ende an.")
    venue_name = StringField(
        "Veranstaltungsort (Haus, Raum)",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie den Veranstaltungsort an.", 160)],
    )
    venue_street = StringField(
        "Straße und Hausnummer",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie die Straße an.", 160)],
    )
    venue_postcode = StringField(
        "Postleitzahl",
        filters=[clean],
        validators=[PersonText(validators.POSTCODE, 10), Postcode()],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    venue_town = StringField(
        "Ort", filters=[clean], validators=[PersonText("Bitte geben Sie den Ort an.", 100)]
    )
    note = TextAreaField(
        "Hinweis für Teilnehmende", filters=[clean], validators=[OptionalText(2000)]
    )
