"""Certificates of attendance for the organisers: who gets one and why not, one PDF per
person or all of a seminar in one PDF, and closing the attendance (which mails them)."""

from flask import Response, flash, render_template, url_for
from flask_login import current_user

from app.auth.scope import get_registration_for, get_seminar_for
from app.core.timeutil import today_berlin
from app.organiser import bp
from app.services import messages
from app.services.after_seminar import (
    LOOKBACK_DAYS,
    CloseRefused,
    close_attendance,
    close_open,
    last_closed,
    mails_of,
)
from app.services.certificates import (
    NoCertificate,
    certificate_pdf,
    filename,
    seminar_certificates_pdf,
    seminar_filename,
    standings,
)
from app.web.downloads import download
from app.web.forms import ActionForm
from app.web.htmx import see_other
from app.web.security import no_store


def _pdf(body: bytes, name: str) -> Response:
    return no_store(download(body, "application/pdf", name))


def _page_url(seminar_id: int) -> str:
    return url_for("organiser.certificates", seminar_id=seminar_id)


@bp.get("/seminare/<int:seminar_id>/bescheinigungen")
def certificates(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    people = standings(seminar)
    today = today_berlin()
    return render_template(
        "organiser/certificates.html",
        seminar=seminar,
        people=people,
        earned=sum(1 for person in people if person.earns),
        mails=mails_of([person.registration.id for person in people]),
        closed=last_closed(seminar.id),
        close_open=close_open(seminar, today),
        before_day2=today < seminar.day2,
        lookback_days=LOOKBACK_DAYS,
        action_form=ActionForm(),
    )


def _pdf_or_back(make, name, seminar_id: int) -> Response:
    """The PDF ``make()`` writes as the file ``name()``, or back to the certificates
    page saying why there is none."""
    try:
        body = make()
    except NoCertificate as none:
        flash(none.message, "error")
        return see_other(_page_url(seminar_id))
    return _pdf(body, name())


@bp.get("/seminare/<int:seminar_id>/bescheinigungen.pdf")
def certificates_pdf(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return _pdf_or_back(
        lambda: seminar_certificates_pdf(seminar)[0], lambda: seminar_filename(seminar), seminar.id
    )


@bp.get("/anmeldungen/<int:registration_id>/bescheinigung.pdf")
def certificate_pdf_download(registration_id: int):
    registration = get_registration_for(registration_id)
    return _pdf_or_back(
        lambda: certificate_pdf(registration),
        lambda: filename(registration),
        registration.seminar_id,
    )


@bp.post("/seminare/<int:seminar_id>/anwesenheit/abschliessen")
def close_seminar_attendance(seminar_id: int):
    """ "Anwesenheit abschließen und Bescheinigungen versenden", from day 2 on (CSRF is
    checked for every POST by the app)."""
    seminar = get_seminar_for(seminar_id)
    try:
        closed = close_attendance(seminar.id, current_user.id, today_berlin())
    except CloseRefused as refused:
        flash(refused.message, "error")
    else:
        flash(
            messages.attendance_closed(
                closed.queued, closed.earlier, closed.without, closed.certified
            ),
            "success",
        )
    return see_other(_page_url(seminar.id))
