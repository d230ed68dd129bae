"""The services behind the admin pages, on a real database: places, cancelling a
seminar, publishing, the module place per VHS, tandems and their warnings."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEntry, RegistrationState, Seminar, SeminarState, SeminarTrainer
from app.rules import TandemState
from app.services import registrations as service
from app.services import seminars as seminar_service
from app.services import trainers as trainer_service
from tests import factories
from tests.admin_helpers import mails, registrations

CONFIRMED = RegistrationState.CONFIRMED
WAITLISTED = RegistrationState.WAITLISTED
CANCELLED = RegistrationState.CANCELLED


def _actions(seminar_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.seminar_id == seminar_id)
            .order_by(AuditEntry.id)
        )
    )


# -- capacity ----------------------------------------------------------------------


def test_lowering_below_the_confirmed_count_is_refused_with_the_count(app):
    seminar = factories.seminar(capacity=12)
    factories.fill(seminar, 10)

    with pytest.raises(seminar_service.CapacityBelowConfirmed) as refused:
        seminar_service.change_capacity(seminar.id, 9)

    assert refused.value.confirmed == 10
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).capacity == 12
    assert [r.state for r in registrations(seminar.id)] == [CONFIRMED] * 10


def test_lowering_to_the_confirmed_count_is_fine(app):
    seminar = factories.seminar(capacity=12)
    factories.fill(seminar, 9)
    assert seminar_service.change_capacity(seminar.id, 9) == []
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).capacity == 9


@pytest.mark.parametrize("places", [21, 7])
def test_capacity_outside_the_programme_minimum_and_maximum_is_refused(app, places):
    seminar = factories.seminar(capacity=10)
    with pytest.raises(seminar_service.CapacityNotAllowed) as refused:
        seminar_service.change_capacity(seminar.id, places)
    assert (refused.value.minimum, refused.value.maximum) == (8, 20)


def test_raising_moves_the_waiting_list_up_in_order(app):
    seminar = factories.seminar(capacity=8)
    factories.fill(seminar, 12)  # 8 confirmed, 4 waitlisted in booking order
    waiting = [r for r in registrations(seminar.id) if r.state == WAITLISTED]

    moved = seminar_service.change_capacity(seminar.id, 10, actor_id=None)

    assert [r.id for r in moved] == [waiting[0].id, waiting[1].id]
    states = {r.id: r.state for r in registrations(seminar.id)}
    assert [states[r.id] for r in waiting] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert sorted(m.registration_id for m in mails("moved_up")) == sorted(r.id for r in moved)
    assert _actions(seminar.id).count("moved_up") == 2
    assert "capacity_changed" in _actions(seminar.id)


def test_a_cancelled_seminar_keeps_its_places(app):
    seminar = factories.seminar(state=SeminarState.CANCELLED)
    with pytest.raises(seminar_service.SeminarIsCancelled):
        seminar_service.change_capacity(seminar.id, 10)


# -- cancelling a seminar ------------------------------------------------------------


def test_cancelling_cancels_every_active_registration_and_queues_their_mails(app):
    seminar = factories.seminar(capacity=2)
    factories.fill(seminar, 4)  # 2 confirmed, 2 waitlisted
    earlier = registrations(seminar.id)[0]
    service.cancel_registration(earlier.id)  # cancelled before: no second mail
    before = len(mails("seminar_cancelled"))

    cancelled = seminar_service.cancel_seminar(seminar.id, actor_id=None)

    assert len(cancelled) == 3
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).state == SeminarState.CANCELLED
    rows = registrations(seminar.id)
    assert all(r.state == CANCELLED and r.cancelled_at is not None for r in rows)
    queued = mails("seminar_cancelled")
    assert before == 0
    assert sorted(m.registration_id for m in queued) == sorted(r.id for r in cancelled)
    assert {m.recipient for m in queued} == {r.email for r in cancelled}
    assert all("abgesagt" in m.subject for m in queued)
    assert _actions(seminar.id).count("cancelled_with_seminar") == 3

    assert seminar_service.cancel_seminar(seminar.id) == []  # once only
    assert len(mails("seminar_cancelled")) == 3


def test_a_cancelled_seminar_takes_no_registrations(app):
    seminar = factories.seminar()
    seminar_service.cancel_seminar(seminar.id)
    with pytest.raises(service.RegistrationClosed):
        service.book_seat(seminar.id, factories.applicant(1))


# -- publishing --------------------------------------------------------------------


def test_publish_and_unpublish_a_draft(app):
    seminar = factories.seminar(state=SeminarState.DRAFT)
    assert seminar_service.publish_seminar(seminar.id) is True
    assert seminar_service.publish_seminar(seminar.id) is False
    assert seminar_service.unpublish_seminar(seminar.id) is True
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).state == SeminarState.DRAFT


def test_unpublishing_with_registrations_is_refused(app):
    seminar = factories.seminar()
    factories.fill(seminar, 2)
    with pytest.raises(seminar_service.HasRegistrations) as refused:
        seminar_service.unpublish_seminar(seminar.id)
    assert refused.value.active == 2


def test_a_cancelled_seminar_is_not_published_again(app):
    seminar = factories.seminar(state=SeminarState.CANCELLED)
    with pytest.raises(seminar_service.SeminarIsCancelled):
        seminar_service.publish_seminar(seminar.id)


# -- one seminar per module and location ----------------------------------------------


def test_module_place_is_held_per_vhs_module_and_programme(app):
    holder = factories.seminar(module=1)
    vhs, programme = holder.vhs, holder.programme
    assert seminar_service.module_slot_holder(vhs.id, programme.id, 1).id == holder.id
    assert seminar_service.module_slot_holder(vhs.id, programme.id, 1, holder.id) is None
    assert seminar_service.module_slot_holder(vhs.id, programme.id, 2) is None
    assert seminar_service.module_slot_holder(factories.vhs().id, programme.id, 1) is None
    later = factories.programme(
        title="Später", period_start=programme.period_end + timedelta(days=1),
        period_end=programme.period_end + timedelta(days=400),
    )  # fmt: skip
    assert seminar_service.module_slot_holder(vhs.id, later.id, 1) is None
    holder.state = SeminarState.CANCELLED
    db.session.commit()
    assert seminar_service.module_slot_holder(vhs.id, programme.id, 1) is None


# -- tandems and warnings -------------------------------------------------------------


def _checks(*seminars):
    db.session.expire_all()
    return trainer_service.checks_for(
        list(db.session.scalars(sa.select(Seminar).where(Seminar.id.in_([s.id for s in seminars]))))
    )


def test_tandem_states_and_travel_costs(app):
    seminar = factories.seminar()
    adult, field = factories.trainer("adult_educator"), factories.trainer("council_field")
    assert _checks(seminar)[seminar.id].tandem == TandemState.MISSING

    trainer_service.set_tandem(
        seminar.id, {"adult_educator": (adult.id, 84_50), "council_field": (None, 0)}
    )
    assert _checks(seminar)[seminar.id].tandem == TandemState.INCOMPLETE

    trainer_service.set_tandem(
        seminar.id, {"adult_educator": (adult.id, 90_00), "council_field": (field.id, 12_00)}
    )
    check = _checks(seminar)[seminar.id]
    assert check.tandem == TandemState.COMPLETE and check.ok
    travel = dict(
        db.session.execute(
            sa.select(SeminarTrainer.trainer_id, SeminarTrainer.travel_cost_cents).where(
                SeminarTrainer.seminar_id == seminar.id
            )
        ).all()
    )
    assert travel == {adult.id: 90_00, field.id: 12_00}


def test_a_trainer_of_the_wrong_kind_is_refused(app):
    seminar = factories.seminar()
    field = factories.trainer("council_field")
    with pytest.raises(trainer_service.WrongTrainerKind):
        trainer_service.set_tandem(seminar.id, {"adult_educator": (field.id, 0)})


def test_overlap_when_a_trainer_is_on_two_seminars_at_the_same_time(app):
    trainer = factories.trainer()
    first = factories.seminar()
    same_time = factories.seminar(day1=first.day1)
    next_week = factories.seminar(day1=first.day1 + timedelta(days=7))
    afternoon = factories.seminar(
        day1=next_week.day1, day1_starts=time(17, 0), day1_ends=time(20, 0),
        day2_starts=time(17, 0), day2_ends=time(20, 0),
    )  # fmt: skip
    for seminar in (first, same_time, next_week, afternoon):
        trainer_service.set_tandem(seminar.id, {"adult_educator": (trainer.id, 0)})

    checks = _checks(first, same_time, next_week, afternoon)

    assert [o.other.id for o in checks[first.id].overlaps] == [same_time.id]
    assert [o.other.id for o in checks[same_time.id].overlaps] == [first.id]
    assert checks[next_week.id].overlaps == []  # ends 17:00 as the other begins
    assert checks[first.id].overlaps[0].trainer.id == trainer.id


def test_a_cancelled_seminar_causes_no_overlap(app):
    trainer = factories.trainer()
    first = factories.seminar()
    other = factories.seminar(day1=first.day1)
    for seminar in (first, other):
        trainer_service.set_tandem(seminar.id, {"adult_educator": (trainer.id, 0)})
    seminar_service.cancel_seminar(other.id)
    assert _checks(first)[first.id].overlaps == []


def test_a_trainers_kind_stays_while_assigned(app):
    trainer = factories.trainer("adult_educator")
    seminar = factories.seminar()
    trainer_service.set_tandem(seminar.id, {"adult_educator": (trainer.id, 0)})
    with pytest.raises(trainer_service.TrainerKindLocked) as locked:
        trainer_service.save_trainer(
            trainer.id, name=trainer.name, email=trainer.email, kind="council_field"
        )
    assert [s.id for s in locked.value.seminars] == [seminar.id]


# -- drafts: deleted, never cancelled ----------------------------------------------------


def test_a_draft_is_not_cancelled(app):
    seminar = factories.seminar(state=SeminarState.DRAFT)
    with pytest.raises(seminar_service.SeminarIsDraft):
        seminar_service.cancel_seminar(seminar.id)
    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id).state == SeminarState.DRAFT


def test_deleting_a_draft_frees_its_module_place(app):
    seminar = factories.seminar(state=SeminarState.DRAFT, councils=[factories.council()])
    trainer_service.set_tandem(seminar.id, {"adult_educator": (factories.trainer().id, 5_00)})
    vhs_id, programme_id = seminar.vhs_id, seminar.programme_id

    seminar_service.delete_draft(seminar.id)

    db.session.expire_all()
    assert db.session.get(Seminar, seminar.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SeminarTrainer)) == 0
    assert seminar_service.module_slot_holder(vhs_id, programme_id, 1) is None


def test_only_drafts_without_any_registration_are_deleted(app):
    published = factories.seminar()
    with pytest.raises(seminar_service.NotDeletable):
        seminar_service.delete_draft(published.id)
    once_public = factories.seminar()
    factories.fill(once_public, 1)
    service.cancel_registration(registrations(once_public.id)[0].id)
    seminar_service.unpublish_seminar(once_public.id)
    with pytest.raises(seminar_service.NotDeletable):
        seminar_service.delete_draft(once_public.id)
    db.session.expire_all()
    assert db.session.get(Seminar, once_public.id) is not None
