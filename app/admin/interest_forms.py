"""The forms of choosing the locations: selecting a declared module (its days and
places, prefilled from the declaration) and declining it with a reason."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from app.core.text import clean
from app.services import messages
from app.services.interest_choice import REASON_MAX, REASON_MIN
from app.web.forms import date_field, whole_field
from app.web.validators import OptionalText


class SelectOfferForm(FlaskForm):
    """The seminar's days and places; the programme's rules are checked by the service
    under its lock and shown beside these fields."""

    day1 = date_field("1. Tag", messages.OFFER_DATES_MISSING)
    day2 = date_field("2. Tag", messages.OFFER_DATES_MISSING)
    capacity = whole_field("Plätze", "Bitte geben Sie die Zahl der Plätze an.", 1, 500)


class DeclineOfferForm(FlaskForm):
    reason = TextAreaField(
        "Begründung",
        filters=[clean],
        validators=[
            Length(min=REASON_MIN, max=REASON_MAX, message=messages.OFFER_DECLINE_REASON),
            OptionalText(REASON_MAX),
        ],
    )
