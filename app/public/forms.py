from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired

from app.services.registrations import Applicant
from app.validation import EMAIL_MAX, NAME_MAX, EmailAddress, MustBeEmpty, PersonText, clean


class RegistrationForm(FlaskForm):
    last_name = StringField(
        "Name",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie Ihren Namen an.")],
        render_kw={"autocomplete": "family-name", "maxlength": NAME_MAX},
    )
    first_name = StringField(
        "Vorname",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie Ihren Vornamen an.")],
        render_kw={"autocomplete": "given-name", "maxlength": NAME_MAX},
    )
    town = StringField(
        "Ort",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie Ihren Ort an.")],
        render_kw={"autocomplete": "address-level2", "maxlength": NAME_MAX},
    )
    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[EmailAddress()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "inputmode": "email"},
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

    def applicant(self) -> Applicant:
        return Applicant(
            last_name=self.last_name.data,
            first_name=self.first_name.data,
            town=self.town.data,
            email=self.email.data,
        )
