"""The admin forms. Field rules and the programme's rules (``app.rules``) are checked
here, so that a form shows every problem at once and keeps what was typed."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app import rules
from app.admin import queries
from app.core.enums import Module, Region
from app.core.text import clean
from app.models import CouncilKind, Role, TrainerKind
from app.services import messages
from app.services.personal_data import REASON_MAX
from app.services.seminars import SeminarData, day_warnings, rule_errors
from app.web import validators
from app.web.forms import (
    CheckboxesField,
    EuroField,
    SeminarDaysForm,
    date_field,
    select_field,
    whole_field,
)
from app.web.validators import EMAIL_MAX, Email, OptionalText, PersonText, Postcode

# -- VHS and councils ------------------------------------------------------------------


class RegionField(SelectField):
    """The Regierungsbezirk, or none given (""); a row without one shows the empty choice."""

    def process_data(self, value):
        self.data = str(value) if value else ""


def region_field() -> RegionField:
    return RegionField(
        "Regierungsbezirk",
        choices=[SelectChoice("", "– nicht angegeben –")]
        + [SelectChoice(region.value, region.label) for region in Region],
        invalid_choice_message=validators.CHOOSE,
    )


def region_of(field) -> Region | None:
    return Region(field.data) if field.data else None


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
    region = region_field()

    def validate_slug(self, field):
        if field.data and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", field.data):
            raise ValidationError(validators.SLUG)


class CouncilForm(FlaskForm):
    town = StringField(
        "Stadt oder Gemeinde",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie die Stadt oder Gemeinde an.", 100)],
    )
    kind = SelectField(
        "Art des Gremiums",
        choices=[SelectChoice(kind.value, kind.label) for kind in CouncilKind],
        invalid_choice_message=validators.CHOOSE,
    )
    office_email = EmailField(
        "E-Mail-Adresse der Geschäftsstelle",
        filters=[clean],
        validators=[Email("Bitte geben Sie die E-Mail-Adresse der Geschäftsstelle an.")],
    )
    contact_name = StringField("Ansprechperson", filters=[clean], validators=[OptionalText(160)])
    contact_phone = StringField("Telefon", filters=[clean], validators=[OptionalText(60)])
    region = region_field()


# -- seminars --------------------------------------------------------------------------


class SeminarForm(SeminarDaysForm):
    programme_id = select_field("Programm")
    vhs_id = select_field("Volkshochschule")
    module = SelectField(
        "Modul",
        coerce=int,
        choices=[SelectChoice(module.value, module.label) for module in Module],
        invalid_choice_message=validators.CHOOSE,
        invalid_value_message=validators.CHOOSE,
    )
    # checked against the programme's minimum and maximum (rules.capacity_allowed) in validate()
    capacity = whole_field("Plätze", "Bitte geben Sie die Zahl der Plätze an.")
    registration_deadline = date_field("Anmeldeschluss", "Bitte geben Sie den Anmeldeschluss an.")
    councils = CheckboxesField(
        "Für die Gremien",
        coerce=int,
        choices=[],
        invalid_choice_message=validators.CHOOSE,
        invalid_value_message=validators.CHOOSE,
    )

    def __init__(self, *args, programme_rules: dict[int, rules.ProgrammeRules], **kwargs):
        super().__init__(*args, **kwargs)
        self._programme_rules = programme_rules

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        errors = rule_errors(
            self._programme_rules.get(self.programme_id.data), self.data_of(), self.capacity.data
        )
        for name, message in errors.items():
            self[name].errors.append(message)
        return ok and not errors

    def warnings(self) -> dict[str, str]:
        """Days shorter than eight hours, by the field of the day's end: shown beside it,
        saved all the same (rule 10)."""
        return day_warnings(self.data_of())

    def data_of(self) -> SeminarData:
        """The seminar's facts as entered (fields that failed their format are None)."""
        values = {
            name: self[name].data for name in SeminarData.__dataclass_fields__ if name in self
        }
        values["council_ids"] = tuple(self.councils.data or ())
        return SeminarData(**values)


# -- trainers ----------------------------------------------------------------------------


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
        choices=[SelectChoice(kind.value, kind.label) for kind in TrainerKind],
        invalid_choice_message=validators.CHOOSE,
    )


class TandemForm(FlaskForm):
    """One place per kind of trainer, each with its travel costs."""

    adult_educator = select_field(TrainerKind.ADULT_EDUCATOR.label)
    adult_educator_travel = EuroField("Reisekosten (Euro)")
    council_field = select_field("Trainer*in " + TrainerKind.COUNCIL_FIELD.label)
    council_field_travel = EuroField("Reisekosten (Euro)")
    # the seminar's list of trainers: who comes first is funded first (rule 5)
    first = SelectField(
        "An erster Stelle der Liste",
        choices=[
            SelectChoice(TrainerKind.ADULT_EDUCATOR.value, "Erwachsenenbildung"),
            SelectChoice(TrainerKind.COUNCIL_FIELD.value, "Feld der Integrationsräte"),
        ],
        default=TrainerKind.ADULT_EDUCATOR.value,
        invalid_choice_message=validators.CHOOSE,
    )

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

    def first_kind(self) -> TrainerKind:
        return TrainerKind(self.first.data or TrainerKind.ADULT_EDUCATOR.value)


# -- the programme's rules ---------------------------------------------------------------


class ProgrammeForm(FlaskForm):
    title = StringField(
        "Titel", filters=[clean], validators=[PersonText("Bitte geben Sie einen Titel an.", 200)]
    )
    period_start = date_field("Zeitraum von", "Bitte geben Sie den Beginn des Zeitraums an.")
    period_end = date_field("Zeitraum bis", "Bitte geben Sie das Ende des Zeitraums an.")
    interest_deadline = DateField(
        "Frist für Interessenbekundungen",
        validators=[Optional()],
        format=["%Y-%m-%d", "%d.%m.%Y"],
        invalid_value_message=validators.DATE,
    )
    min_participants = whole_field(
        "Mindestzahl Teilnehmende", "Bitte geben Sie die Mindestzahl an.", 1, 500
    )
    max_participants = whole_field(
        "Höchstzahl Teilnehmende", "Bitte geben Sie die Höchstzahl an.", 1, 500
    )
    two_trainers_from = whole_field(
        "Zwei Trainer*innen gefördert ab",
        "Bitte geben Sie an, ab wie vielen Anmeldungen zwei Trainer*innen gefördert werden.",
        1,
        500,
    )
    # left empty: the programme keeps its share (a third for a new one)
    max_held_percent = IntegerField(
        "Höchstens unbestätigt vorgemerkt (Prozent der Plätze)",
        validators=[Optional(), validators.Between(1, 100)],
        invalid_value_message=validators.WHOLE_NUMBER,
    )
    trainer_fee = EuroField(
        "Honorar je Trainer*in und Seminartag (Euro)",
        validators=[InputRequired("Bitte geben Sie das Honorar an.")],
    )
    catering = EuroField(
        "Verpflegung je Person (Euro)",
        validators=[InputRequired("Bitte geben Sie den Betrag für die Verpflegung an.")],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = self.period_start.data, self.period_end.data
        if start and end and end < start:
            self.period_end.errors.append(messages.PERIOD_END_BEFORE_START)
            ok = False
        deadline = self.interest_deadline.data
        if deadline and end and deadline > end:
            self.interest_deadline.errors.append(messages.INTEREST_DEADLINE_AFTER_PERIOD)
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
            max_held_percent=base.max_held_percent
            if self.max_held_percent.data is None
            else self.max_held_percent.data,
        )


# -- accounts ----------------------------------------------------------------------------


class UserForm(FlaskForm):
    email = EmailField("E-Mail-Adresse", filters=[clean], validators=[Email()])
    name = StringField(
        "Name",
        filters=[clean],
        validators=[Optional(), Length(max=160, message=validators.TEXT_TOO_LONG.format(n=160))],
    )
    role = SelectField(
        "Rolle",
        choices=[
            SelectChoice(r.value, r.label)
            for r in (Role.VHS, Role.CONTACT, Role.ADMIN, Role.OBSERVER)
        ],
        validators=[DataRequired("Bitte wählen Sie eine Rolle.")],
    )
    vhs_id = SelectField("Volkshochschule", coerce=int, choices=[], validate_choice=False)
    council_id = SelectField("Integrationsrat", coerce=int, choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vhs_id.choices = [SelectChoice(0, "–")] + [
            SelectChoice(v.id, v.name) for v in queries.all_vhs(by_name=True)
        ]
        self.council_id.choices = [SelectChoice(0, "–")] + [
            SelectChoice(c.id, c.town) for c in queries.councils()
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == Role.VHS and not self.vhs_id.data:
            self.vhs_id.errors.append("Bitte wählen Sie die Volkshochschule.")
            ok = False
        if self.role.data == Role.CONTACT and not self.council_id.data:
            self.council_id.errors.append("Bitte wählen Sie den Integrationsrat.")
            ok = False
        return ok


class UserEditForm(UserForm):
    """The account form without the e-mail address (the login stays), plus whether the
    account may log in."""

    email = None
    active = BooleanField("Konto aktiv (die Person kann sich anmelden)")


# -- one person's data (GDPR Art. 15 and 17)


class AddressForm(FlaskForm):
    """A whole address (any spelling of it, in any case): a piece of one would find
    other people's data."""

    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[Email(messages.PERSONAL_DATA_ADDRESS_MISSING)],
        render_kw={"autocomplete": "off", "maxlength": EMAIL_MAX, "inputmode": "email"},
    )


class ErasureForm(AddressForm):
    reason = TextAreaField(
        "Grund der Löschung",
        filters=[clean],
        validators=[DataRequired(messages.ERASURE_REASON_MISSING), OptionalText(REASON_MAX)],
        render_kw={"maxlength": REASON_MAX, "rows": 3},
    )


class ConfirmErasureForm(ErasureForm):
    """The preview's list, confirmed: ``plan`` fingerprints it (``plan_of``)."""

    plan = HiddenField()
