import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload

from app.admin import bp
from app.extensions import db
from app.models import AuditEntry

PAGE_SIZE = 200


@bp.get("/protokoll")
def audit_log():
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .options(
            joinedload(AuditEntry.actor),
            joinedload(AuditEntry.registration),
            joinedload(AuditEntry.seminar),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("admin/audit_log.html", entries=entries)
