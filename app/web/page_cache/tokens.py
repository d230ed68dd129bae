"""A first visitor's CSRF token and the session cookie that proves it, made before Flask
(for the ready answers of pages with a form, ``ready.py``).

Flask-WTF keeps a random value in the session and puts it into the form signed
(``generate_csrf``); Flask signs the session into its cookie (``save_session``). Both are
itsdangerous timed signatures, which its ``loads`` checks. Made here with the very
signers, keys and algorithms those two use (taken from them once per secret key), but
without what ``dumps`` does around them on every call for no use here: deriving the key,
trying to compress a few random bytes, building serializers. What comes out is read by
Flask-WTF's ``validate_csrf`` and Flask's ``open_session`` as their own
(``tests/test_ready_answers.py`` books with it).
"""

import hashlib
import json
import os
from dataclasses import dataclass

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, int_to_bytes
from werkzeug.http import dump_cookie

WTF_SALT = "wtf-csrf-token"  # Flask-WTF's salt for the form's token


@dataclass(frozen=True)
class _Signing:
    """One timed signer, its key derived once."""

    signer: object
    key: bytes

    @classmethod
    def of(cls, serializer: URLSafeTimedSerializer) -> "_Signing":
        signer = serializer.make_signer()
        return cls(signer, signer.derive_key())

    def sign(self, payload: bytes, stamp: bytes) -> bytes:
        value = base64_encode(payload) + b"." + stamp
        return value + b"." + base64_encode(self.signer.algorithm.get_signature(self.key, value))


class TokenMaker:
    """Makes (token, Set-Cookie value) pairs for one app; rebuilt when its key changes."""

    def __init__(self, app: Flask):
        self.app = app
        self._made_for = None

    def _prepare(self):
        app = self.app
        config = app.config
        secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        made_for = (secret, app.secret_key, tuple(config.get("SECRET_KEY_FALLBACKS") or ()))
        if made_for == self._made_for:
            return
        interface = app.session_interface
        self._form = _Signing.of(URLSafeTimedSerializer(secret, salt=WTF_SALT))
        self._cookie = _Signing.of(interface.get_signing_serializer(app))
        self._field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        # the cookie's attributes, as Flask sets them on a new (not permanent) session
        session = interface.session_class()
        attributes = dump_cookie(
            interface.get_cookie_name(app),
            "-",
            expires=interface.get_expiration_time(app, session),
            path=interface.get_cookie_path(app),
            domain=interface.get_cookie_domain(app),
            secure=interface.get_cookie_secure(app),
            httponly=interface.get_cookie_httponly(app),
            samesite=interface.get_cookie_samesite(app),
            partitioned=interface.get_cookie_partitioned(app),
        )
        self._cookie_start = interface.get_cookie_name(app) + "="
        self._cookie_end = attributes[attributes.index(";") :]
        self._made_for = made_for

    def make(self) -> tuple[bytes, str]:
        """A new token for the form, and the session cookie that holds its value."""
        self._prepare()
        raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as Flask-WTF makes it)
        stamp = base64_encode(int_to_bytes(int(self._form.signer.get_timestamp())))
        token = self._form.sign(json.dumps(raw).encode(), stamp)
        session = json.dumps({self._field: raw}, separators=(",", ":")).encode()
        cookie = self._cookie.sign(session, stamp).decode()
        return token, self._cookie_start + cookie + self._cookie_end
