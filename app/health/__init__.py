"""Health and figures for the operator: ``/health/live``, ``/health/ready`` and ``/metrics``.

No login, no session, no CSRF token, no rate limit; nothing here names a person.
``/metrics`` answers only when ``METRICS_TOKEN`` is set (then to that bearer token) or
``METRICS_OPEN`` allows it (a network only the monitoring reaches).
"""

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request

from app.extensions import limiter

bp = Blueprint("health", __name__)
limiter.exempt(bp)


@bp.get("/health/live")
def live():
    """200 while the process serves requests."""
    return jsonify(status="ok")


@bp.get("/health/ready")
def ready():
    """200 when the database answers, its schema is the newest migration and the rate
    limiter's storage answers; else 503, with a short reason per check."""
    from app.services.operations import readiness

    checks = readiness()
    ok = all(check.ok for check in checks)
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics():
    """The Prometheus text format (all gunicorn workers together, see ``app.core.metrics``)."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            abort(404)
    elif not current_app.config["METRICS_OPEN"]:
        abort(404)
    from app.health.metrics import exposition

    body, content_type = exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
