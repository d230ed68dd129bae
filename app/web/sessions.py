"""The session cookie, opened only where an answer can depend on it.

Flask's own interface builds a signing serializer for every request (a key derivation and a
trial JSON dump) before it even looks for a cookie, and Flask-Login's hook after every
response looks into the session, which makes every answer ``Vary: Cookie``. Here:

- the serializer is built once per secret key, not per request;
- a request without a session cookie gets an empty session at once;
- the answers that are the same for everyone and never write a session (the live seat
  poll, static files: ``SESSIONLESS``) get no session at all: the cookie is neither read
  nor written, and the answer does not vary on it, so a proxy or browser may keep it
  whoever asks. Writing to that session raises (Flask's null session): a view there
  cannot quietly log someone out by replacing their cookie.
"""

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface

# Path prefixes whose answers never depend on the session (see the module's docstring).
SESSIONLESS = ("/live/", "/static/")


class SiteSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {key: serializer}  # one app, one key: keep the newest only
        return serializer

    def open_session(self, app: Flask, request: Request):
        if request.path.startswith(SESSIONLESS):
            return self.make_null_session(app)
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_sessions(app: Flask) -> None:
    app.session_interface = SiteSessionInterface()
