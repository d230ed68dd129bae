"""The one exception every service raises when it refuses a change.

A refusal is something the person can act on: ``message`` says it in German
(worded in ``app.services.messages``), ``field`` names the input it is about
(None when it concerns the whole action), so a route shows it beside the field
or as a notice without wording anything itself.
"""


class ServiceError(Exception):
    """Subclasses name their ``message`` (and ``field``) as class attributes when the
    sentence needs no figures; those that do pass it in."""

    message: str = ""
    field: str | None = None

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
