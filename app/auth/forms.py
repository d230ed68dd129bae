from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_MIN = 12


class LoginForm(FlaskForm):
    email = EmailField(
        "E-Mail-Adresse",
        validators=[DataRequired("Bitte geben Sie Ihre E-Mail-Adresse an.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Passwort",
        validators=[DataRequired("Bitte geben Sie Ihr Passwort an.")],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "Neues Passwort",
        validators=[
            DataRequired("Bitte wählen Sie ein Passwort."),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message=f"Das Passwort muss mindestens {PASSWORD_MIN} Zeichen lang sein.",
            ),
        ],
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        "Passwort wiederholen",
        validators=[
            DataRequired("Bitte wiederholen Sie das Passwort."),
            EqualTo("password", "Die beiden Passwörter stimmen nicht überein."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-Mail-Adresse",
        validators=[DataRequired("Bitte geben Sie Ihre E-Mail-Adresse an.")],
        render_kw={"autocomplete": "username"},
    )
