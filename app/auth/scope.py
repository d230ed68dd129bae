"""Deny by default: one helper per object scope decides who sees what.

Out of scope is answered with 404, so nobody learns that a seminar or a
registration exists outside their scope.

Observers (the funder, the Landeszentrale, LIR staff) see every seminar's figures and
nothing personal. ``seminar_scope`` and the gates built on it, ``get_seminar_for`` and
``get_registration_for``, keep them out: those open the pages with participants. A
page that shows only figures asks for them explicitly with ``figures_only=True``.
"""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.extensions import db
from app.models import Registration, Role, Seminar, User, seminar_council


def seminar_scope(user: User) -> sa.ColumnElement[bool]:
    """The WHERE clause of the seminars ``user`` may see with their participants."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.VHS:
        return Seminar.vhs_id == user.vhs_id
    if user.role == Role.CONTACT:
        hosted = sa.select(seminar_council.c.seminar_id).where(
            seminar_council.c.council_id == user.council_id
        )
        return Seminar.id.in_(hosted)
    return sa.false()  # observers and any role added later: nothing personal


def figures_scope(user: User) -> sa.ColumnElement[bool]:
    """The WHERE clause of the seminars whose figures (counts, will-it-run, room needs,
    funding) ``user`` may see: their own seminars, and every seminar for observers."""
    if user.role == Role.OBSERVER:
        return sa.true()
    return seminar_scope(user)


def get_seminar_for(
    seminar_id: int, user: User | None = None, *, figures_only: bool = False
) -> Seminar:
    """The seminar if it is in the user's scope; 404 otherwise.

    Only a page that shows no personal data may pass ``figures_only=True``, which
    lets observers in as well.
    """
    user = user or current_user
    scope = figures_scope(user) if figures_only else seminar_scope(user)
    seminar = db.session.scalars(sa.select(Seminar).where(Seminar.id == seminar_id, scope)).first()
    if seminar is None:
        abort(404)
    return seminar


def get_registration_for(registration_id: int, user: User | None = None) -> Registration:
    """The registration if its seminar is in the user's scope; 404 otherwise. A
    registration is a person: observers never get one."""
    user = user or current_user
    registration = db.session.scalars(
        sa.select(Registration)
        .join(Registration.seminar)
        .where(Registration.id == registration_id, seminar_scope(user))
    ).first()
    if registration is None:
        abort(404)
    return registration


def is_observer(user: User | None = None) -> bool:
    user = user or current_user
    return user.is_authenticated and user.role == Role.OBSERVER


def require_admin(user: User | None = None) -> None:
    user = user or current_user
    if not user.is_authenticated or user.role != Role.ADMIN:
        abort(403)
