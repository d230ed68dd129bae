"""Deny by default: one helper per object scope decides who sees what.

Out of scope is answered with 404, so nobody learns that a seminar or a
registration exists outside their scope.
"""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.extensions import db
from app.models import Registration, Role, Seminar, User, seminar_council


def seminar_scope(user: User) -> sa.ColumnElement[bool]:
    """The WHERE clause of the seminars ``user`` may see."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.VHS:
        return Seminar.vhs_id == user.vhs_id
    if user.role == Role.CONTACT:
        hosted = sa.select(seminar_council.c.seminar_id).where(
            seminar_council.c.council_id == user.council_id
        )
        return Seminar.id.in_(hosted)
    return sa.false()


def get_seminar_for(seminar_id: int, user: User | None = None) -> Seminar:
    """The seminar if it is in the user's scope; 404 otherwise."""
    user = user or current_user
    seminar = db.session.scalars(
        sa.select(Seminar).where(Seminar.id == seminar_id, seminar_scope(user))
    ).first()
    if seminar is None:
        abort(404)
    return seminar


def get_registration_for(registration_id: int, user: User | None = None) -> Registration:
    """The registration if its seminar is in the user's scope; 404 otherwise."""
    user = user or current_user
    registration = db.session.scalars(
        sa.select(Registration)
        .join(Registration.seminar)
        .where(Registration.id == registration_id, seminar_scope(user))
    ).first()
    if registration is None:
        abort(404)
    return registration


def require_admin(user: User | None = None) -> None:
    user = user or current_user
    if not user.is_authenticated or user.role != Role.ADMIN:
        abort(403)
