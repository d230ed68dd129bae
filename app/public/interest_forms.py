"""The public interest forms: a VHS offering modules, a council office asking for them.

The same input rules as the registration form (``PersonName``, ``Email``, the honeypot);
the programme's rules on the offered days are the service's (``offer_errors``), checked
here too so that the form shows every problem at once and keeps what was typed.
"""

import re

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, StopValidation

from app.core.enums import Module, Region
from app.core.text import clean
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Council, CouncilDeclaration, Programme, Vhs, VhsDeclaration
from app.services import messages
from app.services.interest import (
    OFFER_PREFIX,
    Contact,
    CouncilInterest,
    OfferData,
    VhsInterest,
    council_errors,
    vhs_errors,
)
from app.web import validators
from app.web.forms import CheckboxesField
from app.web.validators import (
    EMAIL_MAX,
    Between,
    Email,
    MustBeEmpty,
    OptionalText,
    PersonName,
    Postcode,
)

NEW = "neu"  # the choice "not in the list": a VHS or council named in the fields below
ROOM_CAPACITY_MAX = 200
PARTICIPANTS_MAX = 200
NOTE_MAX = 2000
PERIOD_MAX = 300
PHONE = re.compile(r"\+?[0-9 ()/.\-]+")
PHONE_MAX = 60
PHONE_INVALID = "Bitte geben Sie eine Telefonnummer an, zum Beispiel 0211 123456-0."
OTHER_REGION = "Ohne Regierungsbezirk"


class Phone:
    """A telephone number as people write it: digits, spaces, + ( ) / . and -."""

    def __init__(self, missing: str | None):
        self.missing = missing

    def __call__(self, form, field):
        value = field.data or ""
        if not value:
            if self.missing:
                raise StopValidation(self.missing)
            return
        digits = sum(ch.isdigit() for ch in value)
        if len(value) > PHONE_MAX or not PHONE.fullmatch(value) or not 5 <= digits <= 20:
            raise StopValidation(PHONE_INVALID)


def _optional_date(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format=["%Y-%m-%d", "%d.%m.%Y"],
        invalid_value_message=validators.DATE,
    )


def _optional_whole(label: str, high: int) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional(), Between(1, high)],
        invalid_value_message=validators.WHOLE_NUMBER,
        render_kw={"inputmode": "numeric", "min": 1, "max": high},
    )


def _choice(label: str) -> SelectField:
    return SelectField(label, choices=[], default="", invalid_choice_message=validators.CHOOSE)


def _text(label: str, max_length: int, **render_kw) -> StringField:
    return StringField(
        label,
        filters=[clean],
        validators=[OptionalText(max_length)],
        render_kw={"maxlength": max_length, **render_kw},
    )


def _id_or_none(value: str | None) -> int | None:
    # isdigit() admits "²" and other digits int() refuses: ASCII digits only
    return int(value) if value and value.isascii() and value.isdigit() else None


def vhs_label(vhs: Vhs) -> str:
    """The VHS as the list names it: with its town where the name does not say it."""
    return vhs.name if vhs.town.casefold() in vhs.name.casefold() else f"{vhs.name} ({vhs.town})"


def council_label(council: Council) -> str:
    return f"{council.kind.label} {council.town}"


class InterestForm(FlaskForm):
    """What both forms share: the contact person, a note, the privacy notice, the honeypot.

    Changing a declaration through its link (``changing``) leaves out the address (it
    is the one the link proved) and the privacy notice (read when it was sent).
    """

    contact_name = StringField(
        "Name der Ansprechperson",
        filters=[clean],
        validators=[PersonName("Bitte geben Sie den Namen der Ansprechperson an.", 160)],
        render_kw={"autocomplete": "name", "maxlength": 160},
    )
    contact_email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[Email()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "inputmode": "email"},
    )
    contact_phone = StringField(
        "Telefon",
        filters=[clean],
        validators=[Phone(None)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": PHONE_MAX},
    )
    note = TextAreaField(
        "Anmerkungen (freiwillig)",
        filters=[clean],
        validators=[OptionalText(NOTE_MAX)],
        render_kw={"maxlength": NOTE_MAX},
    )
    privacy = BooleanField(
        "Ich habe die Datenschutzhinweise gelesen.",
        validators=[
            DataRequired("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben.")
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(
        "Bitte dieses Feld leer lassen",
        validators=[MustBeEmpty()],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )

    def __init__(self, *args, programme: Programme, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.changing = changing
        if changing:
            del self.contact_email
            del self.privacy

    def contact(self) -> Contact:
        email = "" if self.changing else self.contact_email.data
        return Contact(name=self.contact_name.data, email=email, phone=self.contact_phone.data)

    def validate(self, extra_validators=None) -> bool:
        """The fields first; the service's rules where the fields they need are valid."""
        ok = super().validate(extra_validators)
        for name, message in self.rule_errors().items():
            field = self[name]
            if not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def rule_errors(self) -> dict[str, str]:
        return {}

    # the fields in the order the page shows them
    ORDER: tuple[str, ...] = ()

    def first_invalid(self) -> str | None:
        """The field that takes the focus when the form comes back with errors."""
        shown = [*self.ORDER, *(field.name for field in self)]
        return next((name for name in shown if name in self and self[name].errors), None)


class VhsInterestForm(InterestForm):
    ORDER = (
        "vhs",
        "new_vhs_name",
        "new_vhs_street",
        "new_vhs_postcode",
        "new_vhs_town",
        "contact_name",
        "contact_email",
        "contact_phone",
        "basic_offered",
        "basic_day1",
        "basic_day2",
        "basic_period",
        "advanced_offered",
        "advanced_day1",
        "advanced_day2",
        "advanced_period",
        "room",
        "room_capacity",
        "step_free",
        "accessibility_note",
        "councils",
    )
    vhs = _choice("Ihre Volkshochschule")
    new_vhs_name = _text("Name der Volkshochschule", 160, autocomplete="organization")
    new_vhs_street = _text("Straße und Hausnummer", 160, autocomplete="address-line1")
    new_vhs_postcode = StringField(
        "Postleitzahl",
        filters=[clean],
        validators=[Postcode()],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 5},
    )
    new_vhs_town = _text("Ort", 100, autocomplete="address-level2")

    basic_offered = BooleanField("Wir bieten das Basismodul an.")
    basic_day1 = _optional_date("1. Tag")
    basic_day2 = _optional_date("2. Tag")
    basic_period = _text("Oder: Zeitraum in Worten", PERIOD_MAX)
    advanced_offered = BooleanField("Wir bieten das Aufbaumodul an.")
    advanced_day1 = _optional_date("1. Tag")
    advanced_day2 = _optional_date("2. Tag")
    advanced_period = _text("Oder: Zeitraum in Worten", PERIOD_MAX)

    room = _text("Raum (freiwillig)", 300)
    room_capacity = _optional_whole("Plätze im Raum (freiwillig)", ROOM_CAPACITY_MAX)
    step_free = BooleanField("Der Raum ist stufenlos erreichbar (ohne Stufen, mit Aufzug).")
    accessibility_note = _text("Hinweise zur Barrierefreiheit (freiwillig)", 500)
    councils = CheckboxesField(
        "Für welche Integrationsräte würden Sie Seminare anbieten?",
        coerce=int,
        choices=[],
        invalid_choice_message=validators.CHOOSE,
        invalid_value_message=validators.CHOOSE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_phone.validators = [Phone("Bitte geben Sie eine Telefonnummer an.")]
        known = db.session.scalars(sa.select(Vhs).order_by(Vhs.name, Vhs.town)).all()
        self.vhs.choices = [
            ("", "Bitte wählen"),
            *[(str(vhs.id), vhs_label(vhs)) for vhs in known],
            (NEW, "Nicht in der Liste: neue Volkshochschule"),
        ]
        councils = db.session.scalars(sa.select(Council).order_by(Council.town)).all()
        self.councils.choices = [(c.id, council_label(c)) for c in councils]
        self._regions = {c.id: c.region for c in councils}

    def validate_vhs(self, field):
        if not field.data:
            raise StopValidation(messages.INTEREST_CHOOSE_VHS)

    def offers(self) -> tuple[OfferData, ...]:
        chosen = []
        for module, prefix in OFFER_PREFIX.items():
            if self[f"{prefix}_offered"].data:
                chosen.append(
                    OfferData(
                        module=module,
                        day1=self[f"{prefix}_day1"].data,
                        day2=self[f"{prefix}_day2"].data,
                        preferred_period=self[f"{prefix}_period"].data,
                    )
                )
        return tuple(chosen)

    def interest(self) -> VhsInterest:
        return VhsInterest(
            contact=self.contact(),
            offers=self.offers(),
            vhs_id=_id_or_none(self.vhs.data),
            new_vhs_name=self.new_vhs_name.data,
            new_vhs_street=self.new_vhs_street.data,
            new_vhs_postcode=self.new_vhs_postcode.data,
            new_vhs_town=self.new_vhs_town.data,
            room=self.room.data,
            room_capacity=self.room_capacity.data,
            step_free=self.step_free.data,
            accessibility_note=self.accessibility_note.data,
            council_ids=tuple(self.councils.data or ()),
            note=self.note.data,
        )

    def rule_errors(self) -> dict[str, str]:
        found = {}
        for prefix in OFFER_PREFIX.values():
            dated = any(self[f"{prefix}_{part}"].data for part in ("day1", "day2", "period"))
            if dated and not self[f"{prefix}_offered"].data:
                found[f"{prefix}_offered"] = messages.INTEREST_DATES_WITHOUT_MODULE
        if not self.vhs.data or self.vhs.errors:
            return found
        return {**vhs_errors(self.programme, self.interest(), today_berlin()), **found}

    def council_groups(self) -> list[tuple[str, list]]:
        """The council checkboxes by Regierungsbezirk (those without one last)."""
        order = {region: n for n, region in enumerate(Region)}
        groups: dict[Region | None, list] = {}
        for option in self.councils:
            groups.setdefault(self._regions.get(option.data), []).append(option)
        ranked = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
        return [(region.label if region else OTHER_REGION, options) for region, options in ranked]

    @classmethod
    def initial(cls, declaration: VhsDeclaration) -> dict:
        """The form's values of a stored declaration (the change form)."""
        values = {
            "vhs": str(declaration.vhs_id) if declaration.vhs_id else NEW,
            "new_vhs_name": declaration.new_vhs_name,
            "new_vhs_street": declaration.new_vhs_street,
            "new_vhs_postcode": declaration.new_vhs_postcode,
            "new_vhs_town": declaration.new_vhs_town,
            "contact_name": declaration.contact_name,
            "contact_phone": declaration.contact_phone,
            "room": declaration.room,
            "room_capacity": declaration.room_capacity,
            "step_free": declaration.step_free,
            "accessibility_note": declaration.accessibility_note,
            "councils": [council.id for council in declaration.councils],
            "note": declaration.note,
        }
        for offer in declaration.offers:
            prefix = OFFER_PREFIX[Module(offer.module)]
            values[f"{prefix}_offered"] = True
            values[f"{prefix}_day1"] = offer.day1
            values[f"{prefix}_day2"] = offer.day2
            values[f"{prefix}_period"] = offer.preferred_period
        return values


class CouncilInterestForm(InterestForm):
    ORDER = (
        "council",
        "new_council_town",
        "contact_name",
        "contact_email",
        "contact_phone",
        "wants_basic",
        "wants_advanced",
        "estimated_participants",
        "preferred_vhs",
    )
    council = _choice("Ihr Integrationsrat")
    new_council_town = _text("Stadt oder Gemeinde", 100, autocomplete="address-level2")
    wants_basic = BooleanField(Module.BASIC.label)
    wants_advanced = BooleanField(Module.ADVANCED.label)
    estimated_participants = _optional_whole(
        "Wie viele Mitglieder würden voraussichtlich teilnehmen? (freiwillig)", PARTICIPANTS_MAX
    )
    preferred_vhs = _choice("Bevorzugte Volkshochschule (freiwillig)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_phone.label.text = "Telefon (freiwillig)"
        councils = db.session.scalars(sa.select(Council).order_by(Council.town)).all()
        self.council.choices = [
            ("", "Bitte wählen"),
            *[(str(c.id), council_label(c)) for c in councils],
            (NEW, "Nicht in der Liste: anderer Integrationsrat"),
        ]
        known = db.session.scalars(sa.select(Vhs).order_by(Vhs.name, Vhs.town)).all()
        self.preferred_vhs.choices = [
            ("", "Keine Angabe"),
            *[(str(vhs.id), vhs_label(vhs)) for vhs in known],
        ]

    def validate_council(self, field):
        if not field.data:
            raise StopValidation(messages.INTEREST_CHOOSE_COUNCIL)

    def interest(self) -> CouncilInterest:
        return CouncilInterest(
            contact=self.contact(),
            council_id=_id_or_none(self.council.data),
            new_council_town=self.new_council_town.data,
            wants_basic=self.wants_basic.data,
            wants_advanced=self.wants_advanced.data,
            estimated_participants=self.estimated_participants.data,
            preferred_vhs_id=_id_or_none(self.preferred_vhs.data),
            note=self.note.data,
        )

    def rule_errors(self) -> dict[str, str]:
        if not self.council.data or self.council.errors:
            return {}
        return council_errors(self.interest())

    @classmethod
    def initial(cls, declaration: CouncilDeclaration) -> dict:
        return {
            "council": str(declaration.council_id) if declaration.council_id else NEW,
            "new_council_town": declaration.new_council_town,
            "contact_name": declaration.contact_name,
            "contact_phone": declaration.contact_phone,
            "wants_basic": declaration.wants_basic,
            "wants_advanced": declaration.wants_advanced,
            "estimated_participants": declaration.estimated_participants,
            "preferred_vhs": str(declaration.preferred_vhs_id or ""),
            "note": declaration.note,
        }
