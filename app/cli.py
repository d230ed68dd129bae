"""Flask commands: ``flask --app wsgi seed-demo`` and friends."""

import click
from flask import Flask

from app.extensions import db
from app.models import Programme


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option(
        "--if-empty", is_flag=True, help="Only seed when the database holds no programme."
    )
    def seed_demo(if_empty: bool) -> None:
        """Load believable demo data: VHS, councils, seminars and registrations."""
        from app.demo import seed

        if if_empty and db.session.scalar(db.select(Programme.id).limit(1)) is not None:
            click.echo("The database already holds data; demo data not loaded.")
            return
        summary = seed()
        click.echo(
            f"Demo data loaded: {summary['vhs']} VHS, {summary['seminars']} seminars, "
            f"{summary['registrations']} registrations."
        )
