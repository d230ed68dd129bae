"""The few htmx conventions of this site, in one place."""

from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    """A request made by htmx for a fragment (a history restore wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str, status: int = 200, **context):
    """The full page, or for htmx only the fragment the page includes."""
    return make_response(render_template(fragment if is_htmx() else page, **context), status)


def see_other(url: str):
    """After a successful POST: 303 for browsers, a full page load for htmx."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)
