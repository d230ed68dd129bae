import re
from functools import cache
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.web.validators import Email

PASSWORD_MIN = 12
PASSWORD_MAX = 200
# zxcvbn scores 0 (guessed at once) to 4; below 3 the password resembles common
# passwords, keyboard rows, sequences or repeats from its lists.
PASSWORD_MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows fast with the length). A password is
# at least as hard to guess as its beginning, so scoring the first characters never
# rates a longer one too high; the whole password is what is hashed and compared.
SCORED_CHARACTERS = 72
GERMAN_WORDS = Path(__file__).resolve().parent.parent / "data" / "german_passwords.txt"
TOO_EASY = (
    "Dieses Passwort ist zu leicht zu erraten: Es ähnelt häufig benutzten Passwörtern "
    "oder Mustern wie 123456, qwertz oder Wiederholungen. Bitte wählen Sie ein anderes, "
    "zum Beispiel aus mehreren Wörtern."
)
TOO_SHORT = f"Das Passwort muss mindestens {PASSWORD_MIN} Zeichen lang sein."
TOO_LONG = f"Das Passwort darf höchstens {PASSWORD_MAX} Zeichen lang sein."
# Between words: zxcvbn sees "passwort-passwort" as three parts, and any three parts
# count as hard to guess; without the separators it sees the repeat.
SEPARATORS = re.compile(r"[\W_]+")
_SPELLINGS = (
    str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}),
    str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s"}),
)


def german_words(path: Path = GERMAN_WORDS) -> list[str]:
    """Our list of German words common in passwords, most common first, each word with
    umlauts also in its spellings without them."""
    words: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.strip().lower()
        if word and not word.startswith("#"):
            words.setdefault(word)
            for spelling in _SPELLINGS:
                words.setdefault(word.translate(spelling))
    return list(words)


@cache
def _strength():
    """zxcvbn, its lists extended by the German words (once per process)."""
    from zxcvbn import zxcvbn  # its word lists take 14 MB: loaded when a password is set
    from zxcvbn.matching import add_frequency_lists

    add_frequency_lists({"german": german_words()})
    return zxcvbn


class NotCommon:
    """Refuses passwords that zxcvbn guesses quickly from its lists of common passwords
    and patterns and our list of common German words, also those built from the
    person's own e-mail address or name, with or without separators between words."""

    def __init__(self, personal=lambda form: ()):
        self.personal = personal

    def __call__(self, form, field):
        password = (field.data or "")[:SCORED_CHARACTERS]
        personal = list(self.personal(form))
        for variant in {password, SEPARATORS.sub("", password)}:
            if _strength()(variant, user_inputs=personal)["score"] < PASSWORD_MIN_SCORE:
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
            Length(min=PASSWORD_MIN, message=TOO_SHORT),
            Length(max=PASSWORD_MAX, message=TOO_LONG),
            NotCommon(lambda form: form.personal),
        ],
        render_kw={
            "autocomplete": "new-password",
            "minlength": PASSWORD_MIN,
            "maxlength": PASSWORD_MAX,
        },
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
