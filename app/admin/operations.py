"""The "Betrieb" page: how the site runs (outbox, periodic jobs, workers, the rate
limiter's storage, the schema), for the state organisers who answer for it."""

from flask import render_template

from app.admin import bp
from app.services import operations
from app.web.rate_limits import counting


@bp.get("/betrieb")
def operations_page():
    workers = operations.workers()
    current, newest = operations.schema_version(), operations.newest_migration()
    return render_template(
        "admin/operations.html",
        outbox=operations.outbox(),
        jobs=operations.job_states(),
        workers=workers,
        limiter_scheme=operations.limiter_scheme(),
        limiter_answers=operations.limiter_answers(),
        rate_limits=counting().value,
        schema_current=current,
        schema_newest=newest,
    )
