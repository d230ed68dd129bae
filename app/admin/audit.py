"""The audit log: every change, newest first, filterable by seminar and by the person
who acted (GET parameters, so that a filtered view is a link and works without
JavaScript), a page of entries at a time."""

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload

from app.admin import bp
from app.extensions import db
from app.models import AuditEntry, Seminar, User
from app.models.audit import Subject
from app.web.inputs import int_arg

PAGE_SIZE = 100

# The admin page of each kind of subject, by the name of its id parameter.
SUBJECT_PAGES = {
    Subject.SEMINAR: ("admin.seminar_detail", "seminar_id"),
    Subject.PROGRAMME: ("admin.programme_edit", "programme_id"),
    Subject.VHS: ("admin.vhs_edit", "vhs_id"),
    Subject.COUNCIL: ("admin.council_edit", "council_id"),
    Subject.TRAINER: ("admin.trainer_edit", "trainer_id"),
    Subject.USER: ("admin.user_edit", "user_id"),
}


def _filtered(seminar_id: int | None, person_id: int | None):
    query = sa.select(AuditEntry)
    if seminar_id is not None:
        query = query.where(
            sa.or_(
                AuditEntry.seminar_id == seminar_id,
                sa.and_(
                    AuditEntry.subject == Subject.SEMINAR.value,
                    AuditEntry.subject_id == seminar_id,
                ),
            )
        )
    if person_id is not None:
        query = query.where(AuditEntry.actor_id == person_id)
    return query


@bp.get("/protokoll")
def audit_log():
    seminar_id = int_arg("seminar")
    person_id = int_arg("person")
    page = int_arg("seite") or 1
    rows = db.session.scalars(
        _filtered(seminar_id, person_id)
        .options(
            joinedload(AuditEntry.actor),
            joinedload(AuditEntry.registration),
            joinedload(AuditEntry.seminar).joinedload(Seminar.vhs),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    people = db.session.scalars(
        sa.select(User)
        .where(User.id.in_(sa.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None))))
        .order_by(User.email)
    ).all()
    seminars = db.session.scalars(
        sa.select(Seminar).options(joinedload(Seminar.vhs)).order_by(Seminar.id.desc())
    ).all()
    return render_template(
        "admin/audit_log.html",
        entries=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        page_size=PAGE_SIZE,
        seminar_id=seminar_id,
        person_id=person_id,
        people=people,
        seminars=seminars,
        subject_pages=SUBJECT_PAGES,
    )
