"""Organiser accounts: login, logout, invitations, and who may see which seminar."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/manage")

from app.auth import gate, routes, session  # noqa: E402,F401
from app.auth.read_only import observers_may_read_view  # noqa: E402

bp.add_app_template_global(observers_may_read_view)
