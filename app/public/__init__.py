"""The public site: listings, seminar pages, registration, legal pages."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import (  # noqa: E402,F401
    certificate,
    evaluation,
    interest,
    routes,
    self_service,
)
