"""A seminar's life: created as a draft, edited, published, withdrawn, cancelled,
deleted while still an empty draft. Every step is one transaction; steps that
touch places (capacity, cancelling) lock the seminar as the booking does and
leave the people to ``app.services.registrations``. Every step is in the audit log
with who acted; an edit with the old and new value of each field changed. A change
of dates, times or place tells every confirmed and waiting person by mail, with the
updated calendar entry (``Seminar.calendar_sequence`` raised in the same transaction).
"""

from dataclasses import asdict, dataclass, field, replace
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import rules
from app.core.timeutil import berlin_wall_clock
from app.database import locked, write_transaction
from app.extensions import db
from app.models import (
    ACTIVE_STATES,
    AuditEntry,
    Council,
    Programme,
    Registration,
    Seminar,
    SeminarState,
    Vhs,
)
from app.models.audit import FIELD_LABELS
from app.services import audit, mail, messages, registrations
from app.services.audit import Action, Subject
from app.services.errors import ServiceError
from app.services.registrations import SeminarNotFound, lock_seminar


class ModuleSlotTaken(ServiceError):
    """The VHS already holds a seminar of this module in the programme (docs/domain.md, rule 7)."""

    field = "module"

    def __init__(self, holder: Seminar):
        super().__init__(messages.module_slot_taken(holder))
        self.holder = holder


class NotDeletable(ServiceError):
    """Only a draft that never had a registration is deleted; anything else keeps its
    history (and is cancelled instead, once published)."""

    message = messages.NOT_DELETABLE


class SeminarIsCancelled(ServiceError):
    """A cancelled seminar is final: its places and state no longer change."""

    message = messages.SEMINAR_CANCELLED


class SeminarIsDraft(ServiceError):
    """A draft was never announced: it is deleted or published, never cancelled, so that
    it never shows as cancelled."""

    message = messages.DRAFT_NOT_CANCELLED


class CapacityNotAllowed(ServiceError):
    field = "capacity"

    def __init__(self, minimum: int, maximum: int):
        super().__init__(messages.capacity_not_allowed(minimum, maximum))
        self.minimum = minimum
        self.maximum = maximum


class CapacityBelowConfirmed(ServiceError):
    """Lowering the places would drop confirmed people: refused, never done silently."""

    field = "capacity"

    def __init__(self, confirmed: int):
        super().__init__(messages.capacity_below_confirmed(confirmed))
        self.confirmed = confirmed


class HasRegistrations(ServiceError):
    """A seminar with active registrations is cancelled, not withdrawn quietly."""

    def __init__(self, active: int):
        super().__init__(messages.has_registrations(active))
        self.active = active


class ChangesClosed(ServiceError):
    """VHS staff change their seminar only until its registration deadline."""

    def __init__(self, deadline: date):
        super().__init__(messages.vhs_changes_closed(deadline))
        self.deadline = deadline


class RulesBroken(ServiceError):
    """The seminar's dates or places break the programme's rules: ``errors`` maps each
    field to its message (checked again under the lock, whatever the form said)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SeminarData:
    """The editable facts of a seminar, as the admin form delivers them."""

    programme_id: int
    vhs_id: int
    module: int
    venue_name: str
    venue_street: str
    venue_postcode: str
    venue_town: str
    day1: date
    day1_starts: time
    day1_ends: time
    day2: date
    day2_starts: time
    day2_ends: time
    registration_deadline: date
    council_ids: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class VenueAndDates:
    """What VHS staff change of their own seminar (DOMAIN.md: dates, times and room, and
    the note for participants beside them). Programme, VHS, module, councils, deadline
    and places stay the state organisers' business."""

    venue_name: str
    venue_street: str
    venue_postcode: str
    venue_town: str
    day1: date
    day1_starts: time
    day1_ends: time
    day2: date
    day2_starts: time
    day2_ends: time
    note: str = ""


def data_of(seminar: Seminar) -> SeminarData:
    """A seminar's editable facts as they stand."""
    values = {
        name: getattr(seminar, name)
        for name in SeminarData.__dataclass_fields__
        if name != "council_ids"
    }
    return SeminarData(**values, council_ids=tuple(c.id for c in seminar.councils))


def module_slot_holder(
    vhs_id: int, programme_id: int, module: int, seminar_id: int | None = None
) -> Seminar | None:
    """The seminar that holds the VHS's place for ``module`` in the programme, if any.

    Cancelled seminars hold no place; a later programme starts afresh.
    """
    held = db.session.execute(
        sa.select(Seminar.id, Seminar.module).where(
            Seminar.vhs_id == vhs_id,
            Seminar.programme_id == programme_id,
            Seminar.state != SeminarState.CANCELLED,
        )
    ).all()
    holder_id = rules.module_slot_holder([tuple(row) for row in held], module, seminar_id)
    return db.session.get(Seminar, holder_id) if holder_id is not None else None


def rule_errors(
    programme_rules: rules.ProgrammeRules | None, data: SeminarData, capacity: int | None
) -> dict[str, str]:
    """The programme's rules on a seminar's dates and places: field -> message.

    Takes what is known: a field left empty (None) is not checked here. Used by
    the form, to show every problem at once, and under the lock before writing.
    """
    found: dict[str, str] = {}
    if programme_rules is not None:
        for name, label in (("day1", "Der 1. Tag"), ("day2", "Der 2. Tag")):
            day = getattr(data, name)
            if day and not rules.in_period(programme_rules, day):
                found[name] = messages.outside_period(
                    label, programme_rules.period_start, programme_rules.period_end
                )
        if capacity is not None and not rules.capacity_allowed(programme_rules, capacity):
            found["capacity"] = messages.capacity_not_allowed(
                programme_rules.min_participants, programme_rules.max_participants
            )
    if data.day1 and data.day2 and not rules.days_in_order(data.day1, data.day2):
        found.setdefault("day2", messages.DAY2_BEFORE_DAY1)
    for starts, ends in (("day1_starts", "day1_ends"), ("day2_starts", "day2_ends")):
        begin, finish = getattr(data, starts), getattr(data, ends)
        if begin and finish and not rules.times_in_order(begin, finish):
            found[ends] = messages.ENDS_BEFORE_START
    deadline = data.registration_deadline
    if deadline and data.day1 and not rules.deadline_before_start(deadline, data.day1):
        found["registration_deadline"] = messages.DEADLINE_TOO_LATE
    return found


def vhs_rule_errors(
    programme_rules: rules.ProgrammeRules, seminar: Seminar, change: VenueAndDates
) -> dict[str, str]:
    """The rules on a VHS's change (field -> message): the same as for every edit, the
    places left out (VHS staff do not change them). The deadline is not theirs to move,
    so a first day too early for it is said beside the first day."""
    found = rule_errors(programme_rules, replace(data_of(seminar), **asdict(change)), None)
    if "registration_deadline" in found:
        del found["registration_deadline"]
        found.setdefault("day1", messages.day1_before_deadline(seminar.registration_deadline))
    return found


def day_warnings(data: "SeminarData | VenueAndDates | Seminar") -> dict[str, str]:
    """Days shorter than the planned eight hours: saved all the same, with this warning
    beside the day's end (rule 10: the fee assumes eight hours). Field -> message."""
    found = {}
    for number in (1, 2):
        starts = getattr(data, f"day{number}_starts")
        ends = getattr(data, f"day{number}_ends")
        if starts and ends and rules.times_in_order(starts, ends) and rules.short_day(starts, ends):
            found[f"day{number}_ends"] = messages.short_day(number, rules.day_minutes(starts, ends))
    return found


def rule_notes(seminar: Seminar) -> list[str]:
    """What an existing seminar breaks of rule 10 (the same day twice, a short day,
    places outside the programme's minimum and maximum): shown, never changed silently."""
    notes = []
    if not rules.days_in_order(seminar.day1, seminar.day2):
        notes.append(messages.DAY2_BEFORE_DAY1)
    notes.extend(day_warnings(seminar).values())
    programme_rules = seminar.programme.rules
    if not rules.capacity_allowed(programme_rules, seminar.capacity):
        notes.append(
            messages.places_outside(
                seminar.capacity,
                programme_rules.min_participants,
                programme_rules.max_participants,
            )
        )
    return notes


def seminars_breaking_rules() -> list[tuple[Seminar, list[str]]]:
    """Seminars (not cancelled) that break rule 10, each with what it breaks."""
    found = []
    for seminar in db.session.scalars(
        sa.select(Seminar)
        .where(Seminar.state != SeminarState.CANCELLED)
        .options(joinedload(Seminar.programme), joinedload(Seminar.vhs))
        .order_by(Seminar.day1, Seminar.id)
    ):
        notes = rule_notes(seminar)
        if notes:
            found.append((seminar, notes))
    return found


def _lock_programme_and_vhs(programme_id: int, vhs_id: int) -> rules.ProgrammeRules:
    """Lock the programme (its rules hold still) and the VHS (its module places), in
    that order everywhere; SQLite's write lock does both at once."""
    programme = locked(Programme, programme_id)
    locked(Vhs, vhs_id)
    return programme.rules


def _check(data: SeminarData, capacity: int | None, seminar_id: int | None) -> None:
    programme_rules = _lock_programme_and_vhs(data.programme_id, data.vhs_id)
    errors = rule_errors(programme_rules, data, capacity)
    if errors:
        raise RulesBroken(errors)
    holder = module_slot_holder(data.vhs_id, data.programme_id, data.module, seminar_id)
    if holder is not None:
        raise ModuleSlotTaken(holder)


def _apply(seminar: Seminar, data: SeminarData) -> None:
    for name in SeminarData.__dataclass_fields__:
        if name != "council_ids":
            setattr(seminar, name, getattr(data, name))
    seminar.councils = list(
        db.session.scalars(sa.select(Council).where(Council.id.in_(data.council_ids)))
    )


# What a person's calendar holds: a change of any of these is told to the people.
CALENDAR_FIELDS = (
    "day1",
    "day1_starts",
    "day1_ends",
    "day2",
    "day2_starts",
    "day2_ends",
    "venue_name",
    "venue_street",
    "venue_postcode",
    "venue_town",
)
# The fields an edit logs (the places have their own entry, with the people moved up).
LOGGED_FIELDS = tuple(SeminarData.__dataclass_fields__)


def _snapshot(seminar: Seminar) -> dict[str, object]:
    """The seminar's facts as the log shows them (references by name)."""
    values: dict[str, object] = {name: getattr(seminar, name) for name in CALENDAR_FIELDS}
    values.update(
        programme_id=seminar.programme.title if seminar.programme else seminar.programme_id,
        vhs_id=seminar.vhs.name if seminar.vhs else seminar.vhs_id,
        module=seminar.module.label,
        registration_deadline=seminar.registration_deadline,
        council_ids=[c.town for c in seminar.councils],
        note=seminar.note,
    )
    return values


def _refresh_references(seminar: Seminar) -> None:
    """After ``_apply``: load the programme and VHS the ids now name."""
    db.session.flush()
    db.session.refresh(seminar, ["programme", "vhs"])


@dataclass
class SeminarUpdate:
    """What an edit did besides saving: the people moved up (places added) and the
    people told about new dates, times or place."""

    moved: list[Registration] = field(default_factory=list)
    told: list[Registration] = field(default_factory=list)
    calendar_changed: bool = False


def create_seminar(data: SeminarData, capacity: int, *, actor_id: int | None = None) -> Seminar:
    """A new seminar, as a draft: publishing is a step of its own."""
    with write_transaction():
        return add_draft(data, capacity, actor_id=actor_id)


def add_draft(data: SeminarData, capacity: int, *, actor_id: int | None = None) -> Seminar:
    """``create_seminar`` inside the caller's write transaction, every rule checked under
    the same locks (a selected interest declaration becomes a draft in the transaction
    of its decision)."""
    session = db.session
    _check(data, capacity, None)
    seminar = Seminar(state=SeminarState.DRAFT, capacity=capacity)
    _apply(seminar, data)
    session.add(seminar)
    _refresh_references(seminar)
    after = _snapshot(seminar) | {"capacity": capacity}
    audit.record(
        Action.SEMINAR_CREATED,
        seminar_id=seminar.id,
        subject=Subject.SEMINAR,
        subject_id=seminar.id,
        actor_id=actor_id,
        changes=audit.changed({}, after, (*LOGGED_FIELDS[:3], "capacity", *LOGGED_FIELDS[3:])),
    )
    return seminar


def update_seminar(
    seminar_id: int, data: SeminarData, capacity: int, *, actor_id: int | None = None
) -> SeminarUpdate:
    """Change a seminar's facts and places in one transaction. Nothing changes when any
    rule refuses. A change of dates, times or place raises the seminar's calendar
    sequence and tells every confirmed and waiting person (those moved up by added
    places get their "moved up" mail with the new dates instead)."""
    with write_transaction():
        _check(data, capacity, seminar_id)
        seminar = lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled()
        return _save_edit(seminar, data, capacity, actor_id)


def update_seminar_by_vhs(
    seminar_id: int,
    change: VenueAndDates,
    *,
    vhs_id: int,
    today: date,
    actor_id: int | None = None,
) -> SeminarUpdate:
    """VHS staff change their own seminar's dates, times, place and note, until its
    registration deadline (``ChangesClosed`` after it). The same rules, log entry and
    mails to the people as an admin's edit (``update_seminar``); the places stay."""
    with write_transaction():
        found = db.session.execute(
            sa.select(Seminar.programme_id, Seminar.vhs_id).where(Seminar.id == seminar_id)
        ).one_or_none()
        if found is None or found.vhs_id != vhs_id:
            raise SeminarNotFound()
        programme_rules = _lock_programme_and_vhs(found.programme_id, vhs_id)
        seminar = lock_seminar(seminar_id)
        if (seminar.programme_id, seminar.vhs_id) != tuple(found):
            raise SeminarNotFound()  # given to another VHS meanwhile
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled()
        if not rules.vhs_may_change_seminar(seminar.registration_deadline, today):
            raise ChangesClosed(seminar.registration_deadline)
        errors = vhs_rule_errors(programme_rules, seminar, change)
        if errors:
            raise RulesBroken(errors)
        return _save_edit(seminar, replace(data_of(seminar), **asdict(change)), None, actor_id)


def _save_edit(
    seminar: Seminar, data: SeminarData, capacity: int | None, actor_id: int | None
) -> SeminarUpdate:
    """Under the locks, rules checked: save, log, tell the people; ``capacity`` None
    leaves the places as they are."""
    session = db.session
    before = _snapshot(seminar)
    _apply(seminar, data)
    _refresh_references(seminar)
    if seminar.confirmed_at_start is not None and not rules.count_at_start_fixed(
        seminar.day1, seminar.day1_starts, berlin_wall_clock()
    ):
        seminar.confirmed_at_start = None  # moved to a later start: kept again then
    changes = audit.changed(before, _snapshot(seminar), LOGGED_FIELDS)
    calendar_changes = [c for c in changes if c[0] in CALENDAR_FIELDS]
    if changes:
        audit.record(
            Action.SEMINAR_CHANGED,
            seminar_id=seminar.id,
            subject=Subject.SEMINAR,
            subject_id=seminar.id,
            actor_id=actor_id,
            changes=changes,
        )
    if calendar_changes:
        seminar.calendar_sequence = (seminar.calendar_sequence or 0) + 1
    session.flush()
    result = SeminarUpdate(
        moved=_set_capacity(seminar, capacity, actor_id) if capacity is not None else [],
        calendar_changed=bool(calendar_changes),
    )
    if calendar_changes:
        result.told = _tell_about_change(seminar, calendar_changes, result.moved)
    session.flush()
    return result


def _tell_about_change(
    seminar: Seminar, changes: list[list[str]], moved: list[Registration]
) -> list[Registration]:
    """Mail every person with a place (confirmed or held) and every waiting one what
    changed (under the seminar's lock)."""
    skip = {r.id for r in moved}
    labelled = [(FIELD_LABELS.get(name, name), old, new) for name, old, new in changes]
    told = [
        registration
        for registration in db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.seminar_id == seminar.id,
                Registration.state.in_(ACTIVE_STATES),
            )
            .order_by(Registration.booked_at, Registration.id)
        )
        if registration.id not in skip
    ]
    for registration in told:
        mail.queue_seminar_changed(registration, labelled)
    return told


def change_capacity(
    seminar_id: int, new_capacity: int, *, actor_id: int | None = None
) -> list[Registration]:
    """Set the seminar's number of places; returns the people moved up.

    Refuses a capacity outside the programme's range (``CapacityNotAllowed``)
    and one below the confirmed count (``CapacityBelowConfirmed``, carrying the
    count). Raising it moves waitlisted people up, first come first served.
    """
    with write_transaction():
        seminar = lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled()
        return _set_capacity(seminar, new_capacity, actor_id)


def _set_capacity(seminar: Seminar, new_capacity: int, actor_id: int | None) -> list:
    """Under the seminar's lock: check, set, and fill the places added."""
    programme_rules = seminar.programme.rules
    if not rules.capacity_allowed(programme_rules, new_capacity):
        raise CapacityNotAllowed(programme_rules.min_participants, programme_rules.max_participants)
    taken = registrations.occupied(seminar)  # confirmed and held places
    if not rules.capacity_keeps_confirmed(new_capacity, taken):
        raise CapacityBelowConfirmed(taken)
    if new_capacity == seminar.capacity:
        return []
    audit.record(
        Action.CAPACITY_CHANGED,
        seminar_id=seminar.id,
        subject=Subject.SEMINAR,
        subject_id=seminar.id,
        actor_id=actor_id,
        changes=[["capacity", audit.shown(seminar.capacity), audit.shown(new_capacity)]],
    )
    seminar.capacity = new_capacity
    db.session.flush()
    moved = registrations.fill_free_places(seminar, actor_id)
    db.session.flush()
    return moved


def _record_state(action: Action, seminar_id: int, actor_id: int | None) -> None:
    audit.record(
        action,
        seminar_id=seminar_id,
        subject=Subject.SEMINAR,
        subject_id=seminar_id,
        actor_id=actor_id,
    )


def publish_seminar(seminar_id: int, *, actor_id: int | None = None) -> bool:
    """Open a draft for registration; False when it was published already."""
    with write_transaction():
        seminar = lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled()
        if seminar.state == SeminarState.PUBLISHED:
            return False
        seminar.state = SeminarState.PUBLISHED
        _record_state(Action.SEMINAR_PUBLISHED, seminar_id, actor_id)
    return True


def unpublish_seminar(seminar_id: int, *, actor_id: int | None = None) -> bool:
    """Take a published seminar back to draft; False when it was a draft already.

    Only while nobody holds a registration (``HasRegistrations``): people who
    registered are told through a cancellation, never left with a hidden seminar.
    """
    with write_transaction():
        seminar = lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            raise SeminarIsCancelled()
        if seminar.state == SeminarState.DRAFT:
            return False
        active = registrations.active_count(seminar)
        if active:
            raise HasRegistrations(active)
        seminar.state = SeminarState.DRAFT
        _record_state(Action.SEMINAR_UNPUBLISHED, seminar_id, actor_id)
    return True


def cancel_seminar(seminar_id: int, *, actor_id: int | None = None) -> list[Registration]:
    """Cancel a published seminar: registration closes, every confirmed and waitlisted
    registration is cancelled and its "seminar cancelled" mail queued (for a confirmed
    place with the calendar cancellation), all in one transaction. Returns the
    registrations cancelled (none on a second call). A draft is refused
    (``SeminarIsDraft``): cancelled seminars are shown publicly."""
    with write_transaction() as session:
        seminar = lock_seminar(seminar_id)
        if seminar.state == SeminarState.CANCELLED:
            return []
        if seminar.state == SeminarState.DRAFT:
            raise SeminarIsDraft()
        seminar.state = SeminarState.CANCELLED
        _record_state(Action.SEMINAR_CANCELLED, seminar_id, actor_id)
        cancelled = registrations.cancel_all_for_cancelled_seminar(seminar, actor_id)
        session.flush()
    return cancelled


def delete_draft(seminar_id: int, *, actor_id: int | None = None) -> None:
    """Delete a draft that never had a registration. Its log entries stay: they keep
    the seminar's number as their subject, no longer a link to the row."""
    with write_transaction() as session:
        seminar = lock_seminar(seminar_id)
        registered = session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.seminar_id == seminar_id)
        )
        if seminar.state != SeminarState.DRAFT or registered:
            raise NotDeletable()
        session.execute(
            sa.update(AuditEntry)
            .where(AuditEntry.seminar_id == seminar_id)
            .values(seminar_id=None, subject=Subject.SEMINAR.value, subject_id=seminar_id)
        )
        audit.record(
            Action.SEMINAR_DELETED,
            subject=Subject.SEMINAR,
            subject_id=seminar_id,
            actor_id=actor_id,
            changes=audit.changed(_snapshot(seminar), {}, ("vhs_id", "module", "day1", "day2")),
        )
        session.delete(seminar)
