"""The anonymous questionnaire after a seminar, through the person's own address
(``/bewertung/<token>``, from the mail and the QR code on the day-2 sign-in sheet)."""

from flask import request, url_for
from flask_wtf import FlaskForm
from wtforms import Field, TextAreaField
from wtforms.validators import StopValidation

from app.core.text import clean, has_control_characters
from app.public import bp
from app.services import messages
from app.services.evaluation import (
    FREE_TEXT_MAX,
    FREE_TEXTS,
    QUESTIONS,
    SCALE,
    Access,
    Answer,
    EmptyAnswer,
    EvaluationRefused,
    access_of,
    last_day,
    registration_for,
    submit,
)
from app.web.htmx import render, see_other
from app.web.pages import form_status
from app.web.security import no_store


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


def _private(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _page(registration, token: str, stage: str, form=None, status: int = 200, notice: str = ""):
    seminar = registration.seminar if registration is not None else None
    return _private(
        render(
            "public/evaluation.html",
            "public/_evaluation.html",
            status=status,
            stage=stage,
            form=form,
            token=token,
            seminar=seminar,
            last_day=last_day(seminar) if seminar is not None else None,
            questions=QUESTIONS,
            scale=SCALE,
            notice=notice,
        )
    )


@bp.route("/bewertung/<token>", methods=["GET", "POST"])
def evaluation(token: str):
    registration = registration_for(token)
    access = access_of(registration) if registration is not None else Access.NONE
    if access == Access.NONE:
        return _page(None, token, Access.NONE, status=404)
    if access != Access.OPEN:
        return _page(registration, token, access, status=409 if request.method == "POST" else 200)
    form = EvaluationForm()
    if request.method == "POST" and form.validate():
        answer = Answer(
            scores={q.key: form[q.key].data for q in QUESTIONS if form[q.key].data is not None},
            liked=form.liked.data or "",
            improve=form.improve.data or "",
        )
        try:
            submit(registration.id, answer)
        except EmptyAnswer as empty:
            return _page(registration, token, Access.OPEN, form, 422, notice=empty.message)
        except EvaluationRefused:
            # answered in another tab meanwhile, or the questionnaire just closed
            return _page(registration, token, access_of(registration), status=409)
        return see_other(url_for("public.evaluation_thanks", token=token))
    return _page(registration, token, Access.OPEN, form, form_status())


@bp.get("/bewertung/<token>/danke")
def evaluation_thanks(token: str):
    registration = registration_for(token)
    if registration is None or access_of(registration) != Access.ANSWERED:
        return see_other(url_for("public.evaluation", token=token))
    return _page(registration, token, "thanks")
