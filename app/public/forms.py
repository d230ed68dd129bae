"""The public forms: registering for a seminar, asking for the links again."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired

from app.core.text import clean
from app.web.forms import PersonForm
from app.web.validators import EMAIL_MAX, Email, MustBeEmpty, PersonName


class RegistrationForm(PersonForm):
    """The public form speaks to the person themselves ("Ihren Namen")."""

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_name.validators = [PersonName("Bitte geben Sie Ihren Namen an.")]
        self.first_name.validators = [PersonName("Bitte geben Sie Ihren Vornamen an.")]
        self.town.validators = [PersonName("Bitte geben Sie Ihren Ort an.", town=True)]


class LinkRequestForm(FlaskForm):
    """Only an address: where to send the links."""

    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[Email()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "inputmode": "email"},
    )
