"""Interest declarations on the public site (DOMAIN.md rule 9): the landing page, the
forms for a VHS and for a council office, and the page the personal link from the mail
opens, where the person confirms, changes or withdraws the declaration."""

from flask import current_app, flash, redirect, request, session, url_for

from app import rules
from app.core.timeutil import today_berlin
from app.extensions import db, limiter
from app.models import CouncilDeclaration, Programme, VhsDeclaration
from app.public import bp
from app.public.interest_forms import CouncilInterestForm, VhsInterestForm
from app.services import interest, messages
from app.services.interest import InterestClosed, InterestError, LinkInvalid
from app.web.forms import ActionForm
from app.web.htmx import render, see_other
from app.web.pages import form_status, show_refusal
from app.web.security import no_store

LAST_DECLARATION = "last_interest"
KINDS = {"vhs": VhsDeclaration, "council": CouncilDeclaration}


def _limit() -> str:
    """As often as the registration form may be sent (per client)."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _is_open(programme: Programme | None) -> bool:
    return programme is not None and rules.interest_open(
        programme.interest_deadline, today_berlin()
    )


def _private(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _programme() -> Programme | None:
    return Programme.taking_interest(today_berlin())


@bp.get("/interesse")
def interest_start():
    programme = _programme()
    return render(
        "public/interest.html",
        "public/_interest.html",
        programme=programme,
        is_open=_is_open(programme),
    )


@bp.route("/interesse/vhs", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def interest_vhs():
    return _declare("vhs", VhsInterestForm, interest.declare_vhs)


@bp.route("/interesse/integrationsrat", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def interest_council():
    return _declare("council", CouncilInterestForm, interest.declare_council)


def _declare(kind: str, form_class, declare):
    page, fragment = f"public/interest_{kind}.html", f"public/_interest_{kind}_form.html"
    programme = _programme()
    if not _is_open(programme):
        return _closed(page, fragment, programme)
    form = form_class(programme=programme)
    # The lists are read; end that transaction before the address is checked (it may
    # ask DNS), since on SQLite every transaction of a POST holds the write lock.
    db.session.rollback()
    if request.method == "POST" and form.validate():
        try:
            declared = declare(programme.id, form.interest())
        except InterestClosed:
            return _closed(page, fragment, _programme())
        except InterestError as refused:
            show_refusal(form, refused)
        else:
            session[LAST_DECLARATION] = [kind, declared.declaration.id, declared.again]
            return see_other(url_for("public.interest_sent"))
    return render(
        page,
        fragment,
        status=form_status(),
        form=form,
        programme=programme,
        action=request.path,
    )


def _closed(page: str, fragment: str, programme: Programme | None):
    status = 409 if request.method == "POST" else 200
    return render(page, fragment, status=status, form=None, programme=programme)


@bp.get("/interesse/gesendet")
def interest_sent():
    """After a form was sent without JavaScript (POST, redirect, GET): what happens
    next. It shows the declaration sent from this browser session; the personal link
    itself only travels by mail, so that opening it proves the address."""
    kind, declaration_id, again = (session.get(LAST_DECLARATION) or [None, None, False])[:3]
    model = KINDS.get(kind)
    found = db.session.get(model, declaration_id) if model and declaration_id else None
    if found is None:
        return redirect(url_for("public.interest_start"))
    return _private(
        render(
            "public/interest_sent.html",
            "public/_interest_sent.html",
            declaration=found,
            is_vhs=kind == "vhs",
            again=bool(again),
        )
    )


# -- the personal link ------------------------------------------------------------------------


def _invalid_link():
    return _private(
        render(
            "public/interest_link_invalid.html", "public/_interest_link_invalid.html", status=404
        )
    )


def _to_declaration(token: str):
    return see_other(url_for("public.interest_declaration", token=token))


@bp.get("/interesse/<token>")
def interest_declaration(token: str):
    found = interest.declaration_by_token(token)
    if found is None:
        return _invalid_link()
    return _private(
        render(
            "public/interest_declaration.html",
            "public/_interest_declaration.html",
            declaration=found,
            is_vhs=isinstance(found, VhsDeclaration),
            token=token,
            is_open=_is_open(found.programme),
            may_change=interest.may_change(found),
            may_withdraw=interest.may_withdraw(found),
            action_form=ActionForm(),
        )
    )


@bp.post("/interesse/<token>/bestaetigen")
def interest_confirm(token: str):
    """The button on the page the link opens (never the opening itself: mail scanners
    open links)."""
    try:
        interest.confirm(token)
    except LinkInvalid:
        return _invalid_link()
    except InterestError as refused:
        flash(refused.message, "error")
    else:
        flash(messages.INTEREST_CONFIRMED, "success")
    return _to_declaration(token)


@bp.route("/interesse/<token>/aendern", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def interest_change(token: str):
    found = interest.declaration_by_token(token)
    if found is None:
        return _invalid_link()
    if not interest.may_change(found):
        return _to_declaration(token)
    is_vhs = isinstance(found, VhsDeclaration)
    form_class = VhsInterestForm if is_vhs else CouncilInterestForm
    initial = form_class.initial(found) if request.method != "POST" else None
    form = form_class(programme=found.programme, changing=True, data=initial)
    db.session.rollback()  # as in _declare
    if request.method == "POST" and form.validate():
        change = interest.change_vhs if is_vhs else interest.change_council
        try:
            change(token, form.interest())
        except LinkInvalid:
            return _invalid_link()
        except InterestError as refused:
            show_refusal(form, refused)
        else:
            flash(messages.INTEREST_CHANGED, "success")
            return _to_declaration(token)
    found = interest.declaration_by_token(token)
    return _private(
        render(
            "public/interest_change.html",
            f"public/_interest_{'vhs' if is_vhs else 'council'}_form.html",
            status=form_status(),
            form=form,
            declaration=found,
            programme=found.programme,
            is_vhs=is_vhs,
            token=token,
            action=request.path,
        )
    )


@bp.route("/interesse/<token>/zurueckziehen", methods=["GET", "POST"])
def interest_withdraw(token: str):
    found = interest.declaration_by_token(token)
    if found is None:
        return _invalid_link()
    if not interest.may_withdraw(found):
        return _to_declaration(token)
    if request.method == "POST":  # CSRFProtect checked the token
        try:
            interest.withdraw(token)
        except LinkInvalid:
            return _invalid_link()
        except InterestError as refused:
            flash(refused.message, "error")
        else:
            flash(messages.INTEREST_WITHDRAWN_NOW, "success")
        return _to_declaration(token)
    return _private(
        render(
            "public/interest_withdraw.html",
            "public/_interest_withdraw.html",
            declaration=found,
            is_vhs=isinstance(found, VhsDeclaration),
            token=token,
            form=ActionForm(),
        )
    )
