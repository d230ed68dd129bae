"""Security headers on every response, fragments and error pages included."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


# Set on every response unless the view set its own.
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin: our own POSTs carry a Referer (Flask-WTF checks it over HTTPS),
    # other sites never see our URLs (the self-service links carry a token).
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
# and over HTTPS (SESSION_COOKIE_SECURE) this one too
WITH_HSTS = (*HEADERS, ("Strict-Transport-Security", "max-age=31536000"))


def no_store(response):
    """For pages with personal data: never kept in a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def one_charset(content_type: str) -> str:
    """The Content-Type with its first charset only.

    Werkzeug adds "; charset=utf-8" to every text/* mimetype it is given, so a
    mimetype that already names one ("text/csv; charset=utf-8") would say it twice;
    pass bare mimetypes, and this keeps any response that slips from saying it twice.
    """
    kind, *params = (part.strip() for part in content_type.split(";"))
    kept, seen = [kind], False
    for param in params:
        if param.lower().startswith("charset="):
            if seen:
                continue
            seen = True
        kept.append(param)
    return "; ".join(kept)


def init_security_headers(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind a reverse proxy: the client's address (rate limits) and scheme come
        # from its X-Forwarded-* headers, trusted only for that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def _headers(response):
        headers = response.headers
        # the names present, read once: asking the headers for a missing name one by one
        # raises (and catches) an exception per name, on every response
        present = {name.lower(): value for name, value in headers.items()}
        content_type = present.get("content-type", "")
        if content_type.lower().count("charset") > 1:
            headers["Content-Type"] = one_charset(content_type)
        wanted = WITH_HSTS if app.config.get("SESSION_COOKIE_SECURE") else HEADERS
        for name, value in wanted:
            if name.lower() not in present:
                headers.add(name, value)
        headers.add("Vary", "HX-Request")
        return response
