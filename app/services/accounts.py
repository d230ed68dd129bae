"""Organiser accounts: created with an invitation, changed, logged out everywhere,
given a password through an invitation or reset link. Creating, changing and
deactivating an account is in the audit log with who acted."""

import sqlalchemy as sa

from app.database import serialize, write_transaction
from app.extensions import db
from app.models import Council, Role, User, Vhs
from app.rules import normalize_email
from app.services import audit, mail, messages
from app.services.audit import Action, Subject
from app.services.errors import ServiceError

LOGGED_FIELDS = ("email", "name", "role", "vhs", "council", "active")


def _snapshot(user: User) -> dict[str, object]:
    """The account as the log shows it (its VHS and council by name)."""
    vhs = db.session.get(Vhs, user.vhs_id) if user.vhs_id else None
    council = db.session.get(Council, user.council_id) if user.council_id else None
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "vhs": vhs.name if vhs else None,
        "council": council.town if council else None,
        "active": user.active,
    }


class AccountExists(ServiceError):
    field = "email"

    message = messages.ACCOUNT_EXISTS


class OwnAccountProtected(ServiceError):
    """An admin cannot take their own admin role or lock themselves out; ``errors``
    maps each refused field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def create_user(**account) -> tuple[User, str]:
    """Create an account without a password (``invite_user``'s fields) in its own
    transaction; returns it and its invitation token.

    Refuses an address that has an account already (``AccountExists``).
    """
    with write_transaction():
        return invite_user(**account)


def invite_user(
    *,
    email: str,
    role: Role,
    name: str = "",
    vhs_id: int | None = None,
    council_id: int | None = None,
    actor_id: int | None = None,
) -> tuple[User, str]:
    """``create_user`` inside the caller's write transaction (a VHS account invited when
    one of its declared modules is selected)."""
    email = normalize_email(email)
    session = db.session
    serialize("account-email")
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountExists()
    user, token = _new_user(email, role, name, vhs_id, council_id)
    session.add(user)
    session.flush()
    audit.record(
        Action.USER_CREATED,
        subject=Subject.USER,
        subject_id=user.id,
        actor_id=actor_id,
        detail=user.email,
        changes=audit.changed({}, _snapshot(user), LOGGED_FIELDS),
    )
    mail.queue_invitation(user, token)
    return user, token


def _scope_of(role: Role, vhs_id: int | None, council_id: int | None) -> dict[str, int | None]:
    """The VHS and council an account of ``role`` keeps: its VHS for the role VHS, its
    council for a contact person, neither for admins and observers (every seminar)."""
    return {
        "vhs_id": vhs_id if role == Role.VHS else None,
        "council_id": council_id if role == Role.CONTACT else None,
    }


def _new_user(email, role, name, vhs_id, council_id) -> tuple[User, str]:
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        **_scope_of(role, vhs_id, council_id),
    )
    return user, user.issue_invitation()


def update_user(
    user_id: int,
    *,
    name: str,
    role: Role,
    vhs_id: int | None,
    council_id: int | None,
    active: bool,
    actor_id: int | None = None,
) -> User:
    """Change an account's name, role, scope and whether it may log in.

    A scope takes effect with the next request; a deactivated account's
    sessions end at once (its session version moves on). Whoever acts
    (``actor_id``) cannot take their own admin role nor lock their own account.
    """
    if user_id == actor_id:
        refused = {}
        if role != Role.ADMIN:
            refused["role"] = messages.OWN_ROLE
        if not active:
            refused["active"] = messages.OWN_ACCOUNT_INACTIVE
        if refused:
            raise OwnAccountProtected(refused)
    with write_transaction() as session:
        user = session.get(User, user_id, populate_existing=True)
        before = _snapshot(user)
        deactivated = user.active and not active
        user.name = name
        user.role = role
        scope = _scope_of(role, vhs_id, council_id)
        user.vhs_id, user.council_id = scope["vhs_id"], scope["council_id"]
        if deactivated:
            user.session_version = (user.session_version or 0) + 1
        user.active = active
        changes = audit.changed(before, _snapshot(user), LOGGED_FIELDS)
        if changes:
            audit.record(
                Action.USER_DEACTIVATED if deactivated else Action.USER_CHANGED,
                subject=Subject.USER,
                subject_id=user.id,
                actor_id=actor_id,
                detail=user.email,
                changes=changes,
            )
    return user


def end_sessions(user_id: int) -> None:
    """Log the account out everywhere: every session issued so far is void."""
    with write_transaction() as session:
        user = session.get(User, user_id, populate_existing=True)
        user.session_version = (user.session_version or 0) + 1


def accept_invitation(user_id: int, password: str) -> None:
    """Set the password chosen through an invitation or reset link; the link is spent."""
    with write_transaction() as session:
        user = session.get(User, user_id, populate_existing=True)
        user.accept_invitation(password)
