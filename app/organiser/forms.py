import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db
from app.models import Council, Vhs
from app.person_form import PersonForm
from app.validation import EmailAddress, clean


class ParticipantForm(PersonForm):
    """A person who registered by phone or on paper."""


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of POST-only buttons."""


class UserForm(FlaskForm):
    email = EmailField("E-Mail-Adresse", filters=[clean], validators=[EmailAddress()])
    name = StringField(
        "Name",
        filters=[clean],
        validators=[Optional(), Length(max=160, message="Höchstens 160 Zeichen.")],
    )
    role = SelectField(
        "Rolle",
        choices=[
            SelectChoice("vhs", "Volkshochschule"),
            SelectChoice("contact", "Ansprechperson eines Integrationsrats"),
            SelectChoice("admin", "Landesebene (alle Seminare)"),
        ],
        validators=[DataRequired("Bitte wählen Sie eine Rolle.")],
    )
    vhs_id = SelectField("Volkshochschule", coerce=int, choices=[], validate_choice=False)
    council_id = SelectField("Integrationsrat", coerce=int, choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == "vhs" and not self.vhs_id.data:
            self.vhs_id.errors.append("Bitte wählen Sie die Volkshochschule.")
            ok = False
        if self.role.data == "contact" and not self.council_id.data:
            self.council_id.errors.append("Bitte wählen Sie den Integrationsrat.")
            ok = False
        return ok


def with_scope_choices(form):
    """Fill a user form's VHS and council lists (0: none) from the database."""
    form.vhs_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(v.id, v.name) for v in db.session.scalars(sa.select(Vhs).order_by(Vhs.name))
    ]
    form.council_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(c.id, c.town)
        for c in db.session.scalars(sa.select(Council).order_by(Council.town))
    ]
    return form
