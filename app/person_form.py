"""The four fields the programme asks of a participant (DOMAIN.md rule 8), shared by
the public registration and the organisers' "add participant" form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField

from app.services.registrations import Applicant
from app.validation import EMAIL_MAX, NAME_MAX, EmailAddress, PersonText, clean


class PersonForm(FlaskForm):
    last_name = StringField(
        "Name",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie den Namen an.")],
        render_kw={"autocomplete": "family-name", "maxlength": NAME_MAX},
    )
    first_name = StringField(
        "Vorname",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie den Vornamen an.")],
        render_kw={"autocomplete": "given-name", "maxlength": NAME_MAX},
    )
    town = StringField(
        "Ort",
        filters=[clean],
        validators=[PersonText("Bitte geben Sie den Ort an.")],
        render_kw={"autocomplete": "address-level2", "maxlength": NAME_MAX},
    )
    email = EmailField(
        "E-Mail-Adresse",
        filters=[clean],
        validators=[EmailAddress()],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "inputmode": "email"},
    )

    def applicant(self) -> Applicant:
        return Applicant(
            last_name=self.last_name.data,
            first_name=self.first_name.data,
            town=self.town.data,
            email=self.email.data,
        )
