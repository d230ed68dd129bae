"""The audit log: every change, newest first, filterable by seminar and by the person
who acted (GET parameters, so that a filtered view is a link and works without
JavaScript), a page of entries at a time."""

from flask import render_template

from app.admin import bp, queries
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


@bp.get("/protokoll")
def audit_log():
    seminar_id = int_arg("seminar")
    person_id = int_arg("person")
    page = int_arg("seite") or 1
    rows = queries.audit_entries(seminar_id, person_id, page, PAGE_SIZE)
    return render_template(
        "admin/audit_log.html",
        entries=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        page_size=PAGE_SIZE,
        seminar_id=seminar_id,
        person_id=person_id,
        people=queries.audit_actors(),
        seminars=queries.seminars_newest_first(),
        subject_pages=SUBJECT_PAGES,
    )
