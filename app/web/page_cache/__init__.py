"""Rendered public pages, kept per worker and keyed by the version of the data they show.

The one face of the public pages' cache: ``public_data_version()`` reads the version,
``cached_page`` serves a view's page from memory or renders and keeps it, ``do_not_store``
keeps one page out; ``track_page_versions`` (called by ``create_app``) keeps the stamps
the version is made of. How the version is read (its SQL for SQLite and PostgreSQL, the
kept connection) lives beside this in ``version.py``.

A page (endpoint, path, query, htmx or not) is rendered once per state (Berlin date,
data version) and served from memory while that state holds. The query is what the view reads
of the query string, in the canonical form its ``params`` function gives (parameters it
does not know are ignored, the order of those it knows does not matter); a view without
one reads no query string, so ``/impressum?x=1`` is ``/impressum``. Arbitrary query
strings therefore cannot fill the cache with copies of one page, and a view may refuse
to store a page shown for a parameter it does not know (``do_not_store``).

The version comes from the database on every request (one cheap query, see
``version.py``), so a change made through any worker or host is seen by every
worker on its next request; the memory only saves the rendering. A page is kept once:
its rendering for a newer version (or a new day) replaces the one before, so what a
worker holds grows with the number of pages asked for, never with the changes made.

Nothing personal is kept: the CSRF token in a form is replaced by a placeholder when the
page is stored and filled in per request; a request whose session carries flashed
messages or a logged-in organiser is rendered afresh and never stored.

A page is stored the moment it is rendered, also right after a change: the version is
exact from the moment a change commits, even one that commits after a newer one (see
``public_data_version``), so pages stay cached while people book.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from app.core.metrics import count_page
from app.web.compression import accepts_gzip, deflate_part, gzip_join, stored_part
from app.web.htmx import is_htmx
from app.web.page_cache import ready
from app.web.page_cache.version import (
    NO_DATA,
    DataVersion,
    public_data_version,
    state_of,
    track_page_versions,
)

__all__ = [
    "DataVersion",
    "cached_page",
    "do_not_store",
    "init_page_cache",
    "mark_ready",
    "page_cache",
    "public_data_version",
    "state_of",
    "track_page_versions",
]

CSRF_FIELD = "csrf_token"
PERSONAL_SESSION_KEYS = ("_flashes", "_user_id")
NOT_STORED = "page_not_stored"


@dataclass
class Entry:
    """A stored page: its text split at the CSRF token, gzip parts made on first need."""

    status: int
    content_type: str
    segments: list[bytes]
    _deflated: list[bytes] | None = field(default=None, repr=False)

    def body(self, token: bytes) -> bytes:
        return token.join(self.segments)

    def gzip_body(self, token: bytes) -> bytes:
        if self._deflated is None:
            self._deflated = [deflate_part(segment) for segment in self.segments]
        parts = [(self.segments[0], self._deflated[0])]
        token_part = (token, stored_part(token))
        for segment, deflated in zip(self.segments[1:], self._deflated[1:], strict=True):
            parts += [token_part, (segment, deflated)]
        return gzip_join(parts)


class PageCache:
    """A bounded LRU of pages shared by the threads of one worker. A page (what is asked
    for) keeps one rendering, tagged with the state it was rendered for (the data version
    and the date): a newer state replaces it, an older one never hits it."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, Entry]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, page: tuple, state: tuple) -> Entry | None:
        with self._lock:
            kept = self._entries.get(page)
            if kept is None or kept[0] != state:
                self.misses += 1
                return None
            self._entries.move_to_end(page)
            self.hits += 1
            return kept[1]

    def put(self, page: tuple, state: tuple, entry: Entry) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[page] = (state, entry)
            self._entries.move_to_end(page)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def page_cache() -> PageCache:
    """This app's cache (one per app, so tests' apps never share pages)."""
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "page_cache", PageCache(current_app.config.get("PAGE_CACHE_ENTRIES", 300))
        )
    return cache


def _personal() -> bool:
    """Whether this request's page may hold something for this person only."""
    if any(key in session for key in PERSONAL_SESSION_KEYS):
        return True
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _token() -> bytes:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return b""
    return generate_csrf().encode()


def _respond(entry: Entry):
    token = _token() if len(entry.segments) > 1 else b""
    response = current_app.response_class(status=entry.status, content_type=entry.content_type)
    if accepts_gzip():
        response.set_data(entry.gzip_body(token))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(entry.body(token))
    return response


def _entry_of(response) -> Entry | None:
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
        return None
    body = response.get_data()
    token = g.get(CSRF_FIELD)
    segments = body.split(token.encode()) if token else [body]
    return Entry(response.status_code, response.headers["Content-Type"], segments)


def mark_ready(state: tuple, entry: Entry | None = None) -> None:
    """This request's answer, as Flask sends it, is the answer to every request without a
    cookie asked the same way while the data stays in ``state`` (``state_of``): it may be
    given again before Flask (``ready.py``). ``entry``: the page cache's entry, whose CSRF
    token is made anew for each request."""
    request.environ[ready.MARK] = (state, entry, request.endpoint)


def init_page_cache(app) -> None:
    """Keep every change the pages show in a stamp, and give ready answers before Flask
    (call last in ``create_app``: the ready answers wrap the whole app)."""
    track_page_versions()
    ready.install(app)


def do_not_store() -> None:
    """Keep this request's page out of the cache (it was asked for with a value that
    leads nowhere, e.g. a place nobody knows: shown, but never kept)."""
    g.setdefault(NOT_STORED, True)


def cached_page(
    version: Callable[[], DataVersion] | None = None,
    params: Callable[[], tuple] | None = None,
):
    """Serve the view's page from the cache while ``version()`` (one cheap query) says
    its data is unchanged; pages that show no data from the database pass no version.
    ``params()`` gives what the view reads of the query string, canonically (a tuple of
    plain values); views that read none pass none."""

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            if current_app.config.get("PAGE_CACHE_ENTRIES", 300) <= 0 or _personal():
                return view(**kwargs)
            g.pop(NOT_STORED, None)  # a flag of this request only
            current = version() if version else NO_DATA
            page = (request.endpoint, request.path, params() if params else (), is_htmx())
            state = state_of(current)
            cache = page_cache()
            entry = cache.get(page, state)
            count_page(hit=entry is not None)
            if entry is not None:
                mark_ready(state, entry)
                return _respond(entry)
            response = current_app.make_response(view(**kwargs))
            if not _personal() and not g.get(NOT_STORED):
                entry = _entry_of(response)
                if entry is not None:
                    cache.put(page, state, entry)
                    mark_ready(state, entry)
            return response

        return wrapper

    return decorate
