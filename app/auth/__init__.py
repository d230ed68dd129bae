"""Organiser accounts: login, logout, invitations, and who may see which seminar."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/manage")

from app.auth import gate, routes, session  # noqa: E402,F401
