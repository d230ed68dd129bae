"""The forms of choosing the locations: selecting a declared module (its days and
places, prefilled from the declaration; which known VHS a VHS declared as new is; an
account for the VHS only when asked for) and declining it with a reason."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.core.text import clean
from app.services import messages
from app.services.interest_choice import REASON_MAX, REASON_MIN
from app.web.forms import date_field, whole_field
from app.web.validators import EMAIL_MAX, OptionalText, check_email


def chosen_id(value) -> int | None:
    """A radio button's id as sent; None for nothing or anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SelectOfferForm(FlaskForm):
    """The seminar's days and places; the programme's rules are checked by the service
    under its lock and shown beside these fields. ``same_vhs`` names the known VHS a
    VHS declared as new is (its choices are the service's, checked there); an account
    is invited only with ``invite_account`` ticked, for ``account_email``."""

    day1 = date_field("1. Tag", messages.OFFER_DATES_MISSING)
    day2 = date_field("2. Tag", messages.OFFER_DATES_MISSING)
    capacity = whole_field("Plätze", "Bitte geben Sie die Zahl der Plätze an.", 1, 500)
    same_vhs = RadioField("Welche VHS ist es?", coerce=chosen_id, validate_choice=False)
    invite_account = BooleanField("Die VHS zu einem Konto einladen")
    account_email = EmailField(
        "E-Mail-Adresse für das Konto",
        filters=[clean],
        render_kw={"maxlength": EMAIL_MAX, "autocomplete": "off"},
    )
    account_other_domain = BooleanField(
        "Ich habe die Adresse geprüft: Sie gehört zur VHS und soll das Konto erhalten."
    )

    def validate_account_email(self, field):
        if not self.invite_account.data:
            return  # only read when an account is asked for
        if not field.data:
            raise ValidationError("Bitte geben Sie die Adresse für das Konto an.")
        error = check_email(field.data)
        if error:
            raise ValidationError(error)

    @property
    def account_address(self) -> str | None:
        """The address to invite, or None: nobody is invited unless asked for."""
        return self.account_email.data if self.invite_account.data else None


class DeclineOfferForm(FlaskForm):
    reason = TextAreaField(
        "Begründung",
        filters=[clean],
        validators=[
            Length(min=REASON_MIN, max=REASON_MAX, message=messages.OFFER_DECLINE_REASON),
            OptionalText(REASON_MAX),
        ],
    )
