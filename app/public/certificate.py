"""The certificate through the personal link from the mail."""

from flask import flash, url_for

from app.public import bp
from app.services import messages
from app.services.certificates import NoCertificate, certificate_pdf, filename
from app.services.self_service import registration_by_token
from app.web.downloads import download
from app.web.htmx import render, see_other
from app.web.security import no_store


@bp.get("/anmeldung/<token>/bescheinigung.pdf")
def certificate(token: str):
    found = registration_by_token(token)
    if found is None:
        return _private(render("public/link_invalid.html", "public/_link_invalid.html", status=404))
    try:
        body = certificate_pdf(found)
    except NoCertificate:
        flash(messages.PUBLIC_NO_CERTIFICATE, "info")
        return see_other(url_for("public.registration", token=token))
    response = download(body, "application/pdf", filename(found))
    return _private(response)


def _private(response):
    response.headers["X-Robots-Tag"] = "noindex"
    return no_store(response)
