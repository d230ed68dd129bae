"""Self-service through the personal link from the mail: see, cancel, get the links again."""

from flask import current_app, flash, make_response, request, url_for

from app.core.timeutil import today_berlin
from app.extensions import limiter
from app.models import Registration, RegistrationState
from app.public import bp
from app.public.forms import LinkRequestForm
from app.services import messages
from app.services.certificates import earns_certificate
from app.services.evaluation import Access, access_of
from app.services.registrations import cancel_registration, confirm_address, waitlist_position
from app.services.self_service import registration_by_token, send_links
from app.web.htmx import render, see_other
from app.web.pages import form_status
from app.web.security import no_store


def _private(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _invalid_link():
    return _private(render("public/link_invalid.html", "public/_link_invalid.html", status=404))


def _can_cancel(registration: Registration) -> bool:
    return (
        registration.state != RegistrationState.CANCELLED
        and today_berlin() <= registration.seminar.day2
    )


@bp.get("/anmeldung/<token>")
def registration(token: str):
    """The registration behind the personal link. Opening it changes nothing: mail
    scanners open links too, so the address is proven (and a held place confirmed) only
    by the button on this page (``confirm``)."""
    found = registration_by_token(token)
    if found is None:
        return _invalid_link()
    return _private(
        render(
            "public/registration.html",
            "public/_self_service.html",
            registration=found,
            token=token,
            seminar=found.seminar,
            position=waitlist_position(found),
            can_cancel=_can_cancel(found),
            may_confirm=found.email_verified_at is None and not found.vouched,
            has_certificate=found.state == RegistrationState.CONFIRMED
            and today_berlin() >= found.seminar.day2
            and earns_certificate(found),
            questionnaire_open=access_of(found) == Access.OPEN,
        )
    )


@bp.post("/anmeldung/<token>/bestaetigen")
def confirm(token: str):
    """The button on the link's page (a POST with the CSRF token): the address is
    proven, a held place becomes confirmed."""
    found = registration_by_token(token)
    if found is None:
        return _invalid_link()
    held = found.state == RegistrationState.HELD
    if found.email_verified_at is None or held:
        found = confirm_address(found.id)
        if held and found.state == RegistrationState.CONFIRMED:
            flash(messages.PLACE_CONFIRMED, "success")
        else:
            flash(messages.ADDRESS_CONFIRMED, "success")
    return see_other(url_for("public.registration", token=token))


@bp.route("/anmeldung/<token>/stornieren", methods=["GET", "POST"])
def cancel(token: str):
    found = registration_by_token(token)
    if found is None:
        return _invalid_link()
    if request.method == "POST" and _can_cancel(found):
        cancel_registration(found.id)
        return see_other(url_for("public.registration", token=token))
    if not _can_cancel(found):
        return see_other(url_for("public.registration", token=token))
    return _private(
        render(
            "public/cancel_confirm.html",
            "public/_cancel_confirm.html",
            registration=found,
            token=token,
            seminar=found.seminar,
        )
    )


def _link_limit() -> str:
    return current_app.config["LINK_RATE_LIMIT"]


@bp.route("/anmeldung/link-senden", methods=["GET", "POST"])
@limiter.limit(_link_limit, methods=["POST"])
def resend_links():
    """Mail a person the links to their registrations. The answer is the same
    whether or not the address is registered, so it reveals nothing."""
    form = LinkRequestForm()
    sent = request.method == "POST" and form.validate()
    if sent:
        send_links(form.email.data)
    return make_response(
        render("public/resend_links.html", "public/_resend_links.html", form=form, sent=sent),
        200 if sent else form_status(),
    )
