"""The admin forms. Field rules and the programme's rules (``app.rules``) are checked
here, so that a form shows every problem at once and keeps what was typed."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app import rules
from app.admin import messages
from app.models import CouncilKind, TrainerKind
from app.organiser.forms import UserForm
from app.services.funding import amount
from app.texts import module_label
from app.validation import FORBIDDEN, PersonText, check_email, clean, has_control_characters

# -- field rules -------------------------------------------------------------------


class OptionalText:
    """A line of text that may stay empty: length, no control characters, no markup."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) > self.max_length:
            raise StopValidation(messages.TEXT_TOO_LONG.format(n=self.max_length))
        if has_control_characters(value.replace("\r\n", "\n").replace("\n", "")) or (
            FORBIDDEN & set(value)
        ):
            raise StopValidation(messages.NO_MARKUP)


class Email:
    """An e-mail address, required when ``missing`` says what to ask for."""

    def __init__(self, missing: str | None = None):
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
            raise StopValidation(messages.POSTCODE)


class Between:
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(messages.NUMBER_RANGE.format(low=self.low, high=self.high))


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
            raise ValueError(messages.AMOUNT)
        self.data = cents

    def pre_validate(self, form):
        if self.data is not None and self.data > MAX_AMOUNT_CENTS:
            raise StopValidation(messages.AMOUNT_TOO_HIGH)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else amount(self.data)


def _required(message: str) -> InputRequired:
    return InputRequired(message)


def _select(label: str, **kwargs) -> SelectField:
    return SelectField(
        label,
        coerce=int,
        choices=[],
        invalid_choice_message=messages.CHOOSE,
        invalid_value_message=messages.CHOOSE,
        **kwargs,
    )


def _date(label: str, missing: str) -> DateField:
    return DateField(
        label,
        validators=[_required(missing)],
        format=["%Y-%m-%d", "%d.%m.%Y"],
        invalid_value_message=messages.DATE,
    )


def _time(label: str, missing: str) -> TimeField:
    return TimeField(
        label, validators=[_required(missing)], format="%H:%M", invalid_value_message=messages.TIME
    )


def _whole(label: str, missing: str, low: int | None = None, high: int | None = None):
    validators = [_required(missing)]
    if low is not None and high is not None:
        validators.append(Between(low, high))
    return IntegerField(label, validators=validators, invalid_value_message=messages.WHOLE_NUMBER)


# -- VHS and councils ------------------------------------------------------------------


class VhsForm(FlaskForm):
    name = StringField(
        "Name", filters=[clean], validators=[PersonText("Bitte geben Sie den Namen an.", 160)]
    )
    town = StringField(
        "Ort", filters=[clean], validators=[PersonText("Bitte geben Sie den Ort an.", 100)]
    )
    street = StringField("Straße und Hausnummer", filters=[clean], validators=[OptionalText(160)])
    postcode = StringField("Postleitzahl", filters=[clean], validators=[Postcode()])
    contact_name = StringField("Ansprechperson", filters=[clean], validators=[OptionalText(160)])
    contact_email = EmailField("E-Mail-Adresse", filters=[clean], validators=[Email()])
    contact_phone = StringField("Telefon", filters=[clean], validators=[OptionalText(60)])
    slug = StringField("Adresse der VHS-Seite", filters=[clean], validators=[OptionalText(80)])

    def validate_slug(self, field):
        if field.data and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", field.data):
            raise ValidationError(messages.SLUG)


class CouncilForm(FlaskForm):
    town = StringField(
        "Stadt oder Gemeinde",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie die Stadt oder Gemeinde an.", 100)],
    )
    kind = SelectField(
        "Art des Gremiums",
        choices=[SelectChoice(kind.value, messages.COUNCIL_KINDS[kind]) for kind in CouncilKind],
        invalid_choice_message=messages.CHOOSE,
    )
    office_email = EmailField(
        "E-Mail-Adresse der Geschäftsstelle",
        filters=[clean],
        validators=[Email("Bitte geben Sie die E-Mail-Adresse der Geschäftsstelle an.")],
    )
    contact_name = StringField("Ansprechperson", filters=[clean], validators=[OptionalText(160)])
    contact_phone = StringField("Telefon", filters=[clean], validators=[OptionalText(60)])


# -- seminars --------------------------------------------------------------------------


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeminarForm(FlaskForm):
    programme_id = _select("Programm")
    vhs_id = _select("Volkshochschule")
    module = SelectField(
        "Modul",
        coerce=int,
        choices=[SelectChoice(1, module_label(1)), SelectChoice(2, module_label(2))],
        invalid_choice_message=messages.CHOOSE,
        invalid_value_message=messages.CHOOSE,
    )
    # checked against the programme's maximum (rules.capacity_allowed) in validate()
    capacity = _whole("Plätze", "Bitte geben Sie die Zahl der Plätze an.")
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
        validators=[PersonText(messages.POSTCODE, 10), Postcode()],
    )
    venue_town = StringField(
        "Ort", filters=[clean], validators=[PersonText("Bitte geben Sie den Ort an.", 100)]
    )
    day1 = _date("1. Tag", "Bitte geben Sie den 1. Tag an.")
    day1_starts = _time("Beginn am 1. Tag", "Bitte geben Sie den Beginn an.")
    day1_ends = _time("Ende am 1. Tag", "Bitte geben Sie das Ende an.")
    day2 = _date("2. Tag", "Bitte geben Sie den 2. Tag an.")
    day2_starts = _time("Beginn am 2. Tag", "Bitte geben Sie den Beginn an.")
    day2_ends = _time("Ende am 2. Tag", "Bitte geben Sie das Ende an.")
    registration_deadline = _date("Anmeldeschluss", "Bitte geben Sie den Anmeldeschluss an.")
    councils = CheckboxesField(
        "Für die Gremien",
        coerce=int,
        choices=[],
        invalid_choice_message=messages.CHOOSE,
        invalid_value_message=messages.CHOOSE,
    )
    note = TextAreaField(
        "Hinweis für Teilnehmende", filters=[clean], validators=[OptionalText(2000)]
    )

    def __init__(self, *args, programme_rules: dict[int, rules.ProgrammeRules], **kwargs):
        super().__init__(*args, **kwargs)
        self._programme_rules = programme_rules

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        checks = self._rule_errors()
        for field, message in checks:
            field.errors.append(message)
        return ok and not checks

    def _rule_errors(self) -> list:
        """The programme's rules (``app.rules``) on what the fields hold."""
        found = []
        programme = self._programme_rules.get(self.programme_id.data)
        day1, day2 = self.day1.data, self.day2.data
        if programme is not None:
            for field, label in ((self.day1, "Der 1. Tag"), (self.day2, "Der 2. Tag")):
                if field.data and not rules.in_period(programme, field.data):
                    message = messages.outside_period(
                        label, programme.period_start, programme.period_end
                    )
                    found.append((field, message))
            capacity = self.capacity.data
            if capacity is not None and not rules.capacity_allowed(programme, capacity):
                message = messages.capacity_not_allowed(programme.max_participants)
                found.append((self.capacity, message))
        if day1 and day2 and not rules.days_in_order(day1, day2):
            found.append((self.day2, messages.DAY2_BEFORE_DAY1))
        for starts, ends in (
            (self.day1_starts, self.day1_ends),
            (self.day2_starts, self.day2_ends),
        ):
            if starts.data and ends.data and not rules.times_in_order(starts.data, ends.data):
                found.append((ends, messages.ENDS_BEFORE_START))
        deadline = self.registration_deadline.data
        if deadline and day1 and not rules.deadline_before_start(deadline, day1):
            found.append((self.registration_deadline, messages.DEADLINE_TOO_LATE))
        return found


# -- trainers ----------------------------------------------------------------------------

TRAINER_KIND_LABELS = {
    TrainerKind.ADULT_EDUCATOR: "Erwachsenenbildner*in",
    TrainerKind.COUNCIL_FIELD: "aus dem Feld der Integrationsräte",
}


class TrainerForm(FlaskForm):
    name = StringField(
        "Name", filters=[clean], validators=[PersonText("Bitte geben Sie den Namen an.", 160)]
    )
    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[Email("Bitte geben Sie die E-Mail-Adresse an.")],
    )
    kind = SelectField(
        "Art",
        choices=[SelectChoice(kind.value, label) for kind, label in TRAINER_KIND_LABELS.items()],
        invalid_choice_message=messages.CHOOSE,
    )


class TandemForm(FlaskForm):
    """One place per kind of trainer, each with its travel costs."""

    adult_educator = _select(TRAINER_KIND_LABELS[TrainerKind.ADULT_EDUCATOR])
    adult_educator_travel = EuroField("Reisekosten (Euro)")
    council_field = _select("Trainer*in " + TRAINER_KIND_LABELS[TrainerKind.COUNCIL_FIELD])
    council_field_travel = EuroField("Reisekosten (Euro)")

    PLACES = (
        (TrainerKind.ADULT_EDUCATOR, "adult_educator"),
        (TrainerKind.COUNCIL_FIELD, "council_field"),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _kind, name in self.PLACES:
            travel = self[f"{name}_travel"]
            if not self[name].data and travel.data:
                travel.errors.append(messages.TRAVEL_WITHOUT_TRAINER)
                ok = False
        return ok

    def places(self) -> dict[TrainerKind, tuple[int | None, int]]:
        return {
            kind: (self[name].data or None, self[f"{name}_travel"].data or 0)
            for kind, name in self.PLACES
        }


# -- the programme's rules ---------------------------------------------------------------


class ProgrammeForm(FlaskForm):
    title = StringField(
        "Titel", filters=[clean], validators=[PersonText("Bitte geben Sie einen Titel an.", 200)]
    )
    period_start = _date("Zeitraum von", "Bitte geben Sie den Beginn des Zeitraums an.")
    period_end = _date("Zeitraum bis", "Bitte geben Sie das Ende des Zeitraums an.")
    min_participants = _whole(
        "Mindestzahl Teilnehmende", "Bitte geben Sie die Mindestzahl an.", 1, 500
    )
    max_participants = _whole(
        "Höchstzahl Teilnehmende", "Bitte geben Sie die Höchstzahl an.", 1, 500
    )
    two_trainers_from = _whole(
        "Zwei Trainer*innen gefördert ab",
        "Bitte geben Sie an, ab wie vielen Anmeldungen zwei Trainer*innen gefördert werden.",
        1,
        500,
    )
    trainer_fee = EuroField(
        "Honorar je Trainer*in und Seminartag (Euro)",
        validators=[_required("Bitte geben Sie das Honorar an.")],
    )
    catering = EuroField(
        "Verpflegung je Person (Euro)",
        validators=[_required("Bitte geben Sie den Betrag für die Verpflegung an.")],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = self.period_start.data, self.period_end.data
        if start and end and end < start:
            self.period_end.errors.append(messages.PERIOD_END_BEFORE_START)
            ok = False
        low, high = self.min_participants.data, self.max_participants.data
        two = self.two_trainers_from.data
        if low is not None and high is not None:
            if low > high:
                self.min_participants.errors.append(messages.MIN_ABOVE_MAX)
                ok = False
            elif two is not None and not low <= two <= high:
                self.two_trainers_from.errors.append(messages.TWO_TRAINERS_OUTSIDE)
                ok = False
        return ok

    def rules(self, base: rules.ProgrammeRules) -> rules.ProgrammeRules:
        """The rules as entered; what the form does not ask keeps ``base``'s value."""
        return rules.ProgrammeRules(
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            min_participants=self.min_participants.data,
            max_participants=self.max_participants.data,
            two_trainers_from=self.two_trainers_from.data,
            max_trainers=base.max_trainers,
            seminar_days=base.seminar_days,
            trainer_fee_cents_per_day=self.trainer_fee.data,
            catering_cents_per_person=self.catering.data,
        )


# -- accounts ----------------------------------------------------------------------------


class UserEditForm(UserForm):
    """The account form without the e-mail address (the login stays), plus whether the
    account may log in."""

    email = None
    active = BooleanField("Konto aktiv (die Person kann sich anmelden)")
