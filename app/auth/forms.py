from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.web.validators import Email

PASSWORD_MIN = 12
# zxcvbn scores 0 (guessed at once) to 4; below 3 the password resembles common
# passwords, keyboard rows, sequences or repeats from its lists.
PASSWORD_MIN_SCORE = 3
TOO_EASY = (
    "Dieses Passwort ist zu leicht zu erraten: Es ähnelt häufig benutzten Passwörtern "
    "oder Mustern wie 123456, qwertz oder Wiederholungen. Bitte wählen Sie ein anderes, "
    "zum Beispiel aus mehreren Wörtern."
)


class NotCommon:
    """Refuses passwords that zxcvbn's lists of common passwords and patterns guess
    quickly, also those built from the person's own e-mail address or name."""

    def __init__(self, personal=lambda form: ()):
        self.personal = personal

    def __call__(self, form, field):
        from zxcvbn import zxcvbn  # its word lists take 14 MB: loaded when a password is set

        password = (field.data or "")[:200]
        if zxcvbn(password, user_inputs=list(self.personal(form)))["score"] < PASSWORD_MIN_SCORE:
            raise ValidationError(TOO_EASY)


class LoginForm(FlaskForm):
    email = EmailField(
        "E-Mail-Adresse",
        validators=[Email("Bitte geben Sie Ihre E-Mail-Adresse an.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Passwort",
        validators=[DataRequired("Bitte geben Sie Ihr Passwort an.")],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(FlaskForm):
    personal: tuple[str, ...] = ()  # the account's e-mail and name, set by the route
    password = PasswordField(
        "Neues Passwort",
        validators=[
            DataRequired("Bitte wählen Sie ein Passwort."),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message=f"Das Passwort muss mindestens {PASSWORD_MIN} Zeichen lang sein.",
            ),
            NotCommon(lambda form: form.personal),
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
        validators=[Email("Bitte geben Sie Ihre E-Mail-Adresse an.")],
        render_kw={"autocomplete": "username"},
    )
