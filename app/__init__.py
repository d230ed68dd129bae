"""The registration site for the integration-council qualification seminars."""

from flask import Flask

from app.config import INSTANCE, ROOT, load_config
from app.extensions import csrf, db, limiter, login_manager, migrate


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
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app.database import configure_engine

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from app import models  # noqa: F401  (register the tables with the metadata)
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.errors import bp as errors_bp
    from app.organiser import bp as organiser_bp
    from app.public import bp as public_bp
    from app.security import init_security_headers
    from app.templating import init_templating

    app.register_blueprint(errors_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organiser_bp)
    app.register_blueprint(admin_bp)
    init_security_headers(app)
    from app.services.outbox import init_delivery

    init_delivery(app)
    init_templating(app)

    from app.cli import register_commands

    register_commands(app)
    return app
