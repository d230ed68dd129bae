"""The questionnaire's forms: the statements rated 1 to 5 and the free texts (made from
the questions defined once in the service), and the one-time code typed in from the room."""

from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import StopValidation

from app.core.text import clean, has_control_characters
from app.services import messages
from app.services.evaluation import FREE_TEXT_MAX, FREE_TEXTS, QUESTIONS, SCALE


class ScaleField(Field):
    """One statement rated 1 to 5; "keine Angabe" (an empty value) leaves it unanswered."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw in {str(value) for value, _label in SCALE}:
            self.data = int(raw)
        elif raw:
            raise ValueError(messages.EVALUATION_SCALE)


def _one_line_break(value: str | None) -> str:
    """Browsers send a line break as CR LF but count it as one character (maxlength)."""
    return clean((value or "").replace("\r\n", "\n").replace("\r", "\n"))


class FreeText:
    """An optional text of a few sentences: any script, line breaks, no control characters."""

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) > FREE_TEXT_MAX:
            raise StopValidation(messages.message_too_long(FREE_TEXT_MAX))
        if has_control_characters(value.replace("\n", "").replace("\t", "")):
            raise StopValidation(messages.NO_CONTROL_CHARACTERS)


def _text_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_one_line_break],
        validators=[FreeText()],
        render_kw={"maxlength": FREE_TEXT_MAX, "rows": 5},
    )


# The questionnaire's form, made from the questions defined once in the service.
EvaluationForm = type(
    "EvaluationForm",
    (FlaskForm,),
    {
        **{question.key: ScaleField(question.text) for question in QUESTIONS},
        **{key: _text_field(label) for key, label in FREE_TEXTS},
    },
)


class CodeForm(FlaskForm):
    """The one-time code from the room, typed by hand."""

    code = StringField(
        "Code",
        filters=[lambda value: (value or "").strip()],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
