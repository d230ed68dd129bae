"""Where the rate limits are counted, and what happens when that store fails.

The counters live in ``RATELIMIT_STORAGE_URI``: Redis shares them between every
worker and host; ``memory://`` keeps them in each worker (the default, fine for one
worker). When Redis does not answer, a limited request must not fail: Flask-Limiter
then counts in the worker's memory (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``) and
tries Redis again after a while. This module logs each switch once per worker and
tells the admins' home page how the limits are counted right now.
"""

from enum import StrEnum

from flask import Flask, current_app

from app.extensions import limiter


class Counting(StrEnum):
    OFF = "off"  # RATELIMIT_ENABLED is false
    SHARED = "shared"  # one store for every worker (Redis)
    PER_WORKER = "per_worker"  # memory://: each worker counts on its own
    FALLBACK = "fallback"  # the shared store did not answer: this worker counts alone


# What this worker last wrote to the log about its store.
_logged_unreachable = False


def _store_unreachable() -> bool:
    # Flask-Limiter keeps this state to itself; tests/test_rate_limits.py pins it down.
    return bool(getattr(limiter, "_storage_dead", False))


def counting() -> Counting:
    """How this worker counts the rate limits now."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return Counting.OFF
    if str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        return Counting.PER_WORKER
    return Counting.FALLBACK if _store_unreachable() else Counting.SHARED


def log_store_changes() -> None:
    """Log once when this worker starts counting on its own, and once when the shared
    store answers again."""
    global _logged_unreachable
    unreachable = _store_unreachable()
    if unreachable == _logged_unreachable:
        return
    _logged_unreachable = unreachable
    if unreachable:
        current_app.logger.warning(
            "The rate-limit storage (RATELIMIT_STORAGE_URI) does not answer: this worker "
            "counts every rate limit in its own memory until it answers again."
        )
    else:
        current_app.logger.warning(
            "The rate-limit storage answers again: the limits are shared between workers."
        )


def hit(item, *identifiers: str) -> bool:
    """``limiter.limiter.hit`` for limits a view counts itself, with the same fallback
    as the limits on routes: a store that does not answer is left for memory."""
    try:
        return limiter.limiter.hit(item, *identifiers)
    except Exception:
        if not current_app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]:
            raise
        limiter._storage_dead = True  # as Flask-Limiter marks it for the routes' limits
        log_store_changes()
        return limiter.limiter.hit(item, *identifiers)


def _check_on_routes_only(app: Flask) -> None:
    """Every limit of this site sits on its route (``limiter.limit`` on a view), and the
    route's wrapper checks it; there are no default, application or blueprint limits.
    Flask-Limiter's own check before every request would only work out, at some cost,
    that nothing applies: a page or a poll never gets near the limiter."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [
        hook for hook in hooks if hook != limiter._check_request_limit
    ]


def init_rate_limits(app: Flask) -> None:
    global _logged_unreachable
    limiter.init_app(app)
    _check_on_routes_only(app)
    # The limiter outlives an app (tests make many): a new app starts with its store
    # assumed to answer, and counts under its own key prefix and tells its own headers
    # (Flask-Limiter keeps the first app's otherwise).
    limiter._storage_dead = False
    limiter._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
    limiter._headers_enabled = bool(app.config.get("RATELIMIT_HEADERS_ENABLED"))
    _logged_unreachable = False

    @app.after_request
    def _log_store_changes(response):
        log_store_changes()
        return response
