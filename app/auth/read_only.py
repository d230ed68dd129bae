"""Observers read and never write.

Every request of an observer that is not a read (GET, HEAD, OPTIONS) is refused with
403 before any view runs, in the organiser and admin areas alike, whatever the view
would do. In the admin area observers read only the views marked with
``observers_may_read``; every other admin page stays closed to them.
"""

from flask import current_app, request

from app.auth.scope import is_observer
from app.web.htmx import is_htmx, render

READS = frozenset({"GET", "HEAD", "OPTIONS"})
_MARK = "observers_may_read"


def observers_may_read(view):
    """Mark an admin view that shows only figures: observers may read it. Put it below
    the route decorator. It never opens a write: those stay refused for observers."""
    setattr(view, _MARK, True)
    return view


def observers_may_read_view(endpoint: str) -> bool:
    """Whether the view of ``endpoint`` is marked for observers (navigation asks this,
    so that observers see links to the pages they may open and no others)."""
    return bool(getattr(current_app.view_functions.get(endpoint), _MARK, False))


def observer_may_read_here() -> bool:
    """Whether the current request is an observer's read of a marked view."""
    return (
        is_observer()
        and request.method in READS
        and observers_may_read_view(request.endpoint or "")
    )


def refuse_observer_writes():
    """A ``before_request`` step: 403 for any write of an observer, nothing otherwise.
    An htmx request gets the message where the action happened (before the element
    that fired), and the rest of the page stays as it was."""
    if request.method in READS or not is_observer():
        return None
    response = render("auth/read_only.html", "auth/_read_only.html", status=403)
    if is_htmx():
        response.headers["HX-Retarget"] = "this"
        response.headers["HX-Reswap"] = "beforebegin"
    return response
