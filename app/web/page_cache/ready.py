"""Ready answers: the whole answer to an anonymous GET of a cached public page or of the
live poll, given again before Flask builds a request.

A page from the page cache still costs what Flask does around every request: a request
context, matching the URL, the hooks before and after the view, a response object. Asked
without a cookie (a first visit, a search engine, every poll), such a page depends on
nothing but what was asked (path, query string and the few headers the views read) and on
the state of the data (the Berlin date and the data version). So the answer Flask gave is
kept whole, status, headers and body, under exactly what was asked and tagged with the
state it was given for; the same request is answered from it after one read of the data
version (``version.data_version``), while that state holds.

What is kept:
- only answers Flask marked as the same for everyone (``mark_ready``): pages served
  through ``cached_page`` and the live poll, 200 or 304, to a GET;
- only for requests without a cookie; the poll's answer never reads the session
  (``app.web.sessions.SESSIONLESS``), so there a cookie does not matter;
- none while a rate limit applies to every route (the site sets none; an operator may);
- never an answer that set a cookie, but for the one a page with a form sets for its CSRF
  token: such a page is given with a token and session cookie made for each request, as
  Flask-WTF and Flask's session would make them (``tokens.py``).

Made per request: the request id (``X-Request-ID``) and the counts (the page cache's hits,
``/metrics``), as Flask would make them. When the version cannot be read (the database
away), the request goes through Flask, which answers it as it answers any such request.

The key is the request as it came, not its canonical form: two spellings of one query are
two entries (each pointing to the page cache's body), both within ``PAGE_CACHE_ENTRIES``.
"""

import threading
import time
from dataclasses import dataclass
from functools import partial

from flask import Flask

from app.core import metrics
from app.extensions import db
from app.web.logs import HEADER as REQUEST_ID_HEADER
from app.web.logs import id_of
from app.web.page_cache.tokens import TokenMaker
from app.web.page_cache.version import (
    NO_DATA,
    data_version,
    has_kept_connections,
    read_kept,
    state_of,
)
from app.web.sessions import SESSIONLESS

MARK = "seminare.ready"  # in the environ: (state, page cache entry or None, endpoint)

# What the views read of a request besides its path and query (htmx, gzip, the poll's
# validator), and what a proxy may change of the URL they build. A cached view that comes
# to read another header must name it here, or two requests that differ in it would get
# one answer.
KEY_HEADERS = (
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_HX_REQUEST",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_IF_NONE_MATCH",
)
PER_REQUEST = {"content-length", "set-cookie", REQUEST_ID_HEADER.lower()}


@dataclass(frozen=True)
class Answer:
    state: tuple
    status: str
    headers: list  # without what is made per request (PER_REQUEST)
    body: bytes
    entry: object | None  # the page cache's entry, when a token is made per request
    gzip: bool
    endpoint: str
    page: bool  # a page of the page cache (counted as its hit), not the poll


def key_of(environ: dict) -> tuple | None:
    """What a ready answer is kept under; None where none may be given."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    path = environ.get("PATH_INFO", "")
    if "HTTP_COOKIE" in environ and not path.startswith(SESSIONLESS):
        return None
    return (
        environ.get("SCRIPT_NAME", ""),
        path,
        environ.get("QUERY_STRING", ""),
        environ.get("wsgi.url_scheme"),
        *(environ.get(name) for name in KEY_HEADERS),
    )


class ReadyAnswers:
    """The WSGI middleware, outermost around the app (``install``)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._answers: dict[tuple, Answer] = {}
        self._lock = threading.Lock()
        self._engine = None
        self._tokens = TokenMaker(app)

    def __len__(self) -> int:
        return len(self._answers)

    def __call__(self, environ, start_response):
        key = key_of(environ) if self._size() > 0 else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        kept = self._answers.get(key)
        if kept is not None:
            answered = self._give(kept, environ, start_response)
            if answered is not None:
                return answered
        return self._through_flask(key, environ, start_response)

    def _size(self) -> int:
        """How many answers are kept; none while a rate limit applies to every route
        (``RATELIMIT_DEFAULT`` or ``_APPLICATION``): any answer may then be a refusal."""
        config = self.app.config
        if config.get("RATELIMIT_ENABLED") and (
            config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION")
        ):
            return 0
        return config.get("PAGE_CACHE_ENTRIES", 300)

    # -- answering from what is kept ----------------------------------------------------

    def _give(self, kept: Answer, environ, start_response):
        started = time.perf_counter()
        # a page that shows nothing of the database (its version: none) holds for the day
        state = self._state() if kept.state[1] else state_of(NO_DATA)
        if state != kept.state:
            return None
        headers = list(kept.headers)
        body = kept.body
        if kept.entry is not None:
            token, cookie = self._fresh_token()
            body = kept.entry.gzip_body(token) if kept.gzip else kept.entry.body(token)
            if cookie is not None:
                headers.append(("Set-Cookie", cookie))
        if kept.status[:3] != "304":
            headers.append(("Content-Length", str(len(body))))
        headers.append((REQUEST_ID_HEADER, id_of(environ)))
        start_response(kept.status, headers)
        self._count(kept, started)
        return [body]

    def _state(self) -> tuple | None:
        """The state now, as the page cache tags it; None when it cannot be read here."""
        engine = self._engine
        if engine is None:
            with self.app.app_context():
                engine = self._engine = db.engine
        if not has_kept_connections(engine):
            return None
        try:
            version = data_version(
                partial(read_kept, engine),
                engine.dialect.name,
                self.app.config["PAGE_SETTLE_SECONDS"],
            )
        except engine.dialect.loaded_dbapi.Error:
            return None  # Flask answers, as it answers any request while the database is away
        return state_of(version)

    def _fresh_token(self) -> tuple[bytes, str | None]:
        """A CSRF token and the session cookie that proves it, as Flask-WTF and Flask's
        session make them for a visitor without a session (``tokens.py``)."""
        if not self.app.config.get("WTF_CSRF_ENABLED", True):
            return b"", None
        return self._tokens.make()

    def _count(self, kept: Answer, started: float) -> None:
        if kept.page:
            cache = self.app.extensions.get("page_cache")
            if cache is not None:
                cache.hits += 1
            metrics.count_page(hit=True)
        if metrics.requests_counted(self.app.config):
            status = int(kept.status[:3])
            metrics.count_request(kept.endpoint, "GET", status, time.perf_counter() - started)

    # -- keeping what Flask answered ------------------------------------------------------

    def _through_flask(self, key: tuple, environ, start_response):
        seen = {}

        def recording(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, recording)
        marked = environ.get(MARK)
        if marked is None or seen.get("status", "")[:3] not in ("200", "304"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        answer = self._answer_of(marked, seen["status"], seen["headers"], content)
        if answer is not None:
            self._keep(key, answer)
        return [content]

    def _answer_of(self, marked, status: str, headers: list, content: bytes) -> Answer | None:
        state, entry, endpoint = marked
        token_made = entry is not None and len(entry.segments) > 1
        cookies = [value for name, value in headers if name.lower() == "set-cookie"]
        session_cookie = self.app.session_interface.get_cookie_name(self.app) + "="
        if cookies and not (
            token_made and len(cookies) == 1 and cookies[0].startswith(session_cookie)
        ):
            return None  # a cookie of this request's own
        kept = [(name, value) for name, value in headers if name.lower() not in PER_REQUEST]
        gzipped = any(
            name.lower() == "content-encoding" and value == "gzip" for name, value in kept
        )
        return Answer(
            state=state,
            status=status,
            headers=kept,
            body=content,
            entry=entry if token_made else None,
            gzip=gzipped,
            endpoint=endpoint or "unknown",
            page=entry is not None,
        )

    def _keep(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            self._answers.pop(key, None)
            self._answers[key] = answer
            while len(self._answers) > max(self._size(), 0):
                del self._answers[next(iter(self._answers))]


def install(app: Flask) -> None:
    """Put the ready answers outermost around the app (after any proxy fix)."""
    app.wsgi_app = ReadyAnswers(app, app.wsgi_app)
    app.extensions["ready_answers"] = app.wsgi_app
