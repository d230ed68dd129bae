"""Deleting personal data once it is no longer needed, as the privacy notice promises,
while keeping the evidence funding and settlement need (docs/domain.md: evidence
outlives personal data)."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import rules
from app.core.timeutil import utcnow
from app.database import write_transaction
from app.models import (
    OutboxMail,
    Registration,
    Seminar,
    SeminarEvidence,
    SeminarState,
    SeminarTrainer,
)
from app.services import after_seminar, funding, outbox, series

MAIL_KEPT_DAYS = 30
# A mail after the seminar is what keeps the person from getting a second one
# (``after_seminar.mail_key``): it stays while such mails may go out, and two days more.
AFTER_SEMINAR_MAIL_KEPT_DAYS = max(MAIL_KEPT_DAYS, rules.AFTER_SEMINAR_MAIL_DAYS + 2)


def purge(today: date, retention_months: int) -> dict[str, int]:
    """Delete the registrations (with their attendance and audit entries) of seminars
    whose last day lies more than ``retention_months`` back, and mails older than
    ``MAIL_KEPT_DAYS`` days (the mails after a seminar older than
    ``AFTER_SEMINAR_MAIL_KEPT_DAYS``).

    Before that, in the same transaction, each such seminar that is not cancelled and
    not yet frozen gets its evidence (``SeminarEvidence``): exactly the figures of its
    line in the funding overview, so the overview shows the same numbers afterwards.
    The confirmed count at start is the one kept when day 1 began (or, where a submitted
    settlement recorded its figures, the recorded one); the attended counts per day and
    the persons present on any day are the people marked present; the trainers, fees,
    travel and planned catering are computed by the rules as the overview does.

    The modules completed in these seminars are kept too, each under a keyed hash of
    the person's address (``series.freeze_completions``), so that the series figures
    (people with one module or both, per VHS and council) are also the same afterwards,
    and a person whose other module is still live counts once.
    """
    cutoff = today - timedelta(days=round(retention_months * 30.44))
    with write_transaction() as session:
        ended = sa.select(Seminar.id).where(Seminar.day2 < cutoff)
        to_freeze = list(
            session.scalars(
                sa.select(Seminar)
                .where(
                    Seminar.day2 < cutoff,
                    Seminar.state != SeminarState.CANCELLED,
                    ~sa.exists().where(SeminarEvidence.seminar_id == Seminar.id),
                )
                .options(
                    joinedload(Seminar.programme),
                    selectinload(Seminar.trainer_assignments).joinedload(SeminarTrainer.trainer),
                )
                .order_by(Seminar.id)
            )
        )
        session.add_all(funding.evidence_of(line) for line in funding.lines_for(to_freeze))
        completions = series.freeze_completions(ended)
        session.flush()
        registrations = session.execute(
            sa.delete(Registration).where(Registration.seminar_id.in_(ended))
        ).rowcount
        # the rows' kept seat counts follow their registrations (the evidence keeps the figures)
        session.execute(
            sa.update(Seminar)
            .where(Seminar.day2 < cutoff)
            .values(confirmed_count=0, waitlisted_count=0, cancelled_count=0)
        )
        now = utcnow()
        mails = session.execute(
            sa.delete(OutboxMail).where(
                OutboxMail.created_at < now - timedelta(days=MAIL_KEPT_DAYS),
                sa.or_(
                    OutboxMail.kind != after_seminar.KIND,
                    OutboxMail.created_at < now - timedelta(days=AFTER_SEMINAR_MAIL_KEPT_DAYS),
                ),
            )
        ).rowcount
    outbox.remove_old_mail_files(MAIL_KEPT_DAYS)  # the copies in the mail folder, too
    return {
        "registrations": registrations,
        "mails": mails,
        "frozen": len(to_freeze),
        "completions": completions,
    }
