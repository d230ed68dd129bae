"""The organisers' area under /manage: dashboards, participants, attendance, exports,
room needs. Every route needs a login; every object goes through ``app.auth.scope``."""

from flask import Blueprint

from app.auth.gate import require_login
from app.web.security import no_store

bp = Blueprint("organiser", __name__, url_prefix="/manage")
bp.before_request(require_login)
bp.after_request(no_store)


from app.organiser import (  # noqa: E402,F401
    attendance,
    broadcasts,
    bulk_add,
    certificates,
    dashboard,
    evaluation,
    exports,
    participants,
    room_needs,
    seminar_edit,
    settlement,
)
