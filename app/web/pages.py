"""Idioms every area's routes share: the search box, a form page's status, and how a
service's refusal reaches the person."""

from flask import flash, render_template, request

from app.services.errors import ServiceError

SEARCH_MAX = 100


def search_text(name: str = "q") -> str:
    """The search box's text, trimmed and bounded."""
    return (request.args.get(name) or "").strip()[:SEARCH_MAX]


def form_status() -> int:
    """200 for a form shown first, 422 for one sent back with errors."""
    return 422 if request.method == "POST" else 200


def show_refusal(form, error: ServiceError) -> None:
    """Put a service's refusal beside its field, or above the form as a notice."""
    errors = getattr(error, "errors", None) or {error.field: error.message}
    for name, message in errors.items():
        field = form[name] if name and name in form else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


def form_page(form, template: str, save, context: dict | None = None, **more):
    """A page with one form: shown on GET; on a valid POST ``save()`` runs the service
    and returns the response; a refusal (``ServiceError``) shows beside its field and
    keeps what was typed. ``context`` is read when the page is rendered, so ``save``
    may add to it what a refusal brought."""
    if request.method == "POST" and form.validate():
        try:
            return save()
        except ServiceError as error:
            show_refusal(form, error)
    return render_template(template, form=form, **(context or {}), **more), form_status()
