"""The anonymous questionnaire after a seminar: through the person's own address
(``/bewertung/<token>``, their personal link token from the mail after the seminar) or
an anonymous one-time code handed out in the room (``/bewertung/raum/<code>``, typed in
at ``/bewertung``)."""

from flask import request, url_for

from app.extensions import db
from app.public import bp
from app.public.evaluation_forms import CodeForm, EvaluationForm
from app.services import messages
from app.services.evaluation import (
    QUESTIONS,
    SCALE,
    Access,
    Answer,
    EmptyAnswer,
    EvaluationRefused,
    access_of,
    code_access,
    code_shown,
    is_legacy_token,
    last_day,
    normalised_code,
    registration_for,
    seminar_of_code,
    submit,
    submit_with_code,
)
from app.web.htmx import render, see_other
from app.web.pages import form_status
from app.web.security import no_store


def _private(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _page(
    seminar, stage: str, action: str = "", form=None, status: int = 200, notice: str = "", **extra
):
    return _private(
        render(
            "public/evaluation.html",
            "public/_evaluation.html",
            status=status,
            stage=stage,
            form=form,
            action=action,
            seminar=seminar,
            last_day=last_day(seminar) if seminar is not None else None,
            questions=QUESTIONS,
            scale=SCALE,
            notice=notice,
            **extra,
        )
    )


def _answer(form) -> Answer:
    return Answer(
        scores={q.key: form[q.key].data for q in QUESTIONS if form[q.key].data is not None},
        liked=form.liked.data or "",
        improve=form.improve.data or "",
    )


@bp.route("/bewertung", methods=["GET", "POST"])
def evaluation_start():
    """Where a one-time code from the room is typed in (the QR code on its slip leads
    straight to the questionnaire); addresses of the first version end here too."""
    form = CodeForm()
    legacy = request.args.get("link") == "alt"
    if request.method == "POST" and form.validate():
        code = normalised_code(form.code.data)
        if code is not None and seminar_of_code(code) is not None:
            return see_other(url_for("public.evaluation_by_code", code=code_shown(code)))
        form.code.errors = [messages.EVALUATION_CODE_INVALID]
    return _page(None, "start", form=form, status=form_status(), legacy=legacy)


@bp.route("/bewertung/raum/<code>", methods=["GET", "POST"])
def evaluation_by_code(code: str):
    """The questionnaire through an anonymous one-time code (nobody's own)."""
    normal = normalised_code(code)
    seminar = seminar_of_code(normal) if normal is not None else None
    if seminar is None:
        form = CodeForm(formdata=None)
        form.code.errors = [messages.EVALUATION_CODE_INVALID]
        return _page(None, "start", form=form, status=404)
    access = code_access(seminar)
    if access != Access.OPEN:
        return _page(seminar, access, status=409 if request.method == "POST" else 200)
    action = url_for("public.evaluation_by_code", code=code_shown(normal))
    form = EvaluationForm()
    if request.method == "POST" and form.validate():
        try:
            submit_with_code(normal, _answer(form))
        except EmptyAnswer as empty:
            return _page(seminar, Access.OPEN, action, form, 422, notice=empty.message)
        except EvaluationRefused as refused:
            return _page(seminar, Access.OPEN, action, form, 409, notice=refused.message)
        return see_other(url_for("public.evaluation_thanks_anonymous"))
    return _page(seminar, Access.OPEN, action, form, form_status())


@bp.get("/bewertung/danke")
def evaluation_thanks_anonymous():
    return _page(None, "thanks")


@bp.route("/bewertung/<token>", methods=["GET", "POST"])
def evaluation(token: str):
    if is_legacy_token(token):
        # the first version's address names the person: it opens nothing any more
        return see_other(url_for("public.evaluation_start", link="alt"))
    registration = registration_for(token)
    access = access_of(registration) if registration is not None else Access.NONE
    if access == Access.NONE:
        return _page(None, Access.NONE, status=404)
    seminar = registration.seminar
    if access != Access.OPEN:
        return _page(seminar, access, status=409 if request.method == "POST" else 200)
    action = url_for("public.evaluation", token=token)
    form = EvaluationForm()
    if request.method == "POST" and form.validate():
        try:
            submit(registration.id, _answer(form))
        except EmptyAnswer as empty:
            return _page(seminar, Access.OPEN, action, form, 422, notice=empty.message)
        except EvaluationRefused:
            # answered in another tab meanwhile, or the questionnaire just closed
            db.session.expire_all()
            return _page(seminar, access_of(registration), status=409)
        return see_other(url_for("public.evaluation_thanks", token=token))
    return _page(seminar, Access.OPEN, action, form, form_status())


@bp.get("/bewertung/<token>/danke")
def evaluation_thanks(token: str):
    registration = registration_for(token)
    if registration is None or access_of(registration) != Access.ANSWERED:
        return see_other(url_for("public.evaluation", token=token))
    return _page(registration.seminar, "thanks")
