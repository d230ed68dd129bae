"""Self-service through the personal link from the mail: see, cancel, get the links again."""

import sqlalchemy as sa
from flask import current_app, make_response, request, url_for

from app.database import write_transaction
from app.extensions import db, limiter
from app.htmx import render, see_other
from app.models import Registration, RegistrationState
from app.public import bp
from app.public.forms import LinkRequestForm
from app.rules import normalize_email
from app.services import mail
from app.services.registrations import cancel_registration, waitlist_position
from app.timeutil import today_berlin, utcnow

TOKEN_MAX = 64


def _by_token(token: str) -> Registration | None:
    if len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(sa.select(Registration).where(Registration.token == token)).first()


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _invalid_link():
    return _private(render("public/link_invalid.html", "public/_link_invalid.html", status=404))


def _can_cancel(registration: Registration) -> bool:
    return (
        registration.state != RegistrationState.CANCELLED
        and today_berlin() <= registration.seminar.day2
    )


@bp.get("/anmeldung/<token>")
def registration(token: str):
    found = _by_token(token)
    if found is None:
        return _invalid_link()
    if found.email_verified_at is None:
        # The link only travels by mail: its first opening proves the address.
        with write_transaction():
            db.session.execute(
                sa.update(Registration)
                .where(Registration.id == found.id, Registration.email_verified_at.is_(None))
                .values(email_verified_at=utcnow())
            )
    return _private(
        render(
            "public/registration.html",
            "public/_self_service.html",
            registration=found,
            seminar=found.seminar,
            position=waitlist_position(found),
            can_cancel=_can_cancel(found),
        )
    )


@bp.route("/anmeldung/<token>/stornieren", methods=["GET", "POST"])
def cancel(token: str):
    found = _by_token(token)
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
    sent = False
    status = 200
    if request.method == "POST":
        if form.validate():
            address = normalize_email(form.email.data)
            registrations = db.session.scalars(
                sa.select(Registration)
                .where(
                    Registration.email_normalized == address,
                    Registration.state != RegistrationState.CANCELLED,
                )
                .order_by(Registration.id)
            ).all()
            if registrations:
                mail.queue_links(registrations[0].email, list(registrations))
                db.session.commit()
            sent = True
        else:
            status = 422
    return make_response(
        render("public/resend_links.html", "public/_resend_links.html", form=form, sent=sent),
        status,
    )
