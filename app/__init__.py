"""The registration site for the integration-council qualification seminars.

Where things live:
  rules.py      the programme's rules, as pure functions (the one home of every figure)
  services/     every write: registrations.py is the only code that books a seat
  models/       the tables, one module per aggregate, with their state enums
  public/       the site for council members (no account)
  organiser/    /manage: dashboards, participants, attendance, exports, room needs
  admin/        /manage/admin: programme data for the state organisers
  auth/         login, sessions, who may see which seminar
  web/          what the three areas share: htmx, forms, headers, errors, templating, logs
  health/       /health/live, /health/ready and /metrics for the operator
  core/         plain helpers: Berlin time, German formatting, text folding
  commands/     flask commands (seed-demo, send-mail, ...) and the demo data
"""

import click
from flask import Flask

from app.config import INSTANCE, ROOT, load_config
from app.extensions import csrf, db, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.from_mapping(load_config(test_config))
    INSTANCE.mkdir(exist_ok=True)

    db.init_app(app)
    if _runs_commands(app):
        from flask_migrate import Migrate  # with alembic ~10 MB, which web workers never use

        Migrate(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    from app.web.rate_limits import init_rate_limits

    init_rate_limits(app)
    login_manager.init_app(app)

    from app.database import configure_engine
    from app.web.compression import init_compression

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    init_compression(app)  # the first after_request hook: it runs last, on the final body

    from app import models  # noqa: F401  (register the tables with the metadata)
    from app.admin import aliases as admin_aliases
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.commands import register_commands
    from app.organiser import bp as organiser_bp
    from app.public import bp as public_bp
    from app.services.outbox import init_delivery
    from app.web.errors import bp as errors_bp
    from app.web.inputs import init_inputs
    from app.web.logs import init_logging
    from app.web.security import init_security_headers
    from app.web.sessions import init_sessions
    from app.web.templating import init_templating

    init_logging(app)
    init_sessions(app)
    init_inputs(app)
    from app.health import bp as health_bp
    from app.health.metrics import init_request_metrics

    init_request_metrics(app)
    for blueprint in (
        errors_bp,
        public_bp,
        auth_bp,
        organiser_bp,
        admin_bp,
        admin_aliases,
        health_bp,
    ):
        app.register_blueprint(blueprint)
    init_security_headers(app)
    # the mail kinds that add to sending (a request's composer, a certificate made as the
    # mail goes out) register with the outbox when their module is imported
    from app.services import after_seminar, password_reset, self_service  # noqa: F401

    init_delivery(app)
    init_templating(app)
    register_commands(app)
    _warn_about_local_limits(app)
    from app.web.page_cache import init_page_cache

    init_page_cache(app)  # last: its ready answers wrap the whole app
    return app


def _runs_commands(app: Flask) -> bool:
    """Whether this app may run ``flask db ...``: made by the flask command (inside its
    click context) or by the tests; an app served by gunicorn is neither."""
    return app.testing or click.get_current_context(silent=True) is not None


def _warn_about_local_limits(app: Flask) -> None:
    """Counters in a worker's memory multiply every limit by the number of workers and
    hosts: say so loudly wherever that matters."""
    storage = app.config["RATELIMIT_STORAGE_URI"]
    if storage.startswith("memory://") and not (app.debug or app.testing):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: every worker and host counts on its own, so "
            "each rate limit is multiplied by their number. Set it to redis://... "
            "(see README, Settings) whenever more than one worker runs."
        )
