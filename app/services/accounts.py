"""Creating organiser accounts (from the CLI and the admin page)."""

from app.database import write_transaction
from app.models import Role, User
from app.services import mail


def create_user(
    *,
    email: str,
    role: Role,
    name: str = "",
    vhs_id: int | None = None,
    council_id: int | None = None,
) -> tuple[User, str]:
    """Create an account without a password; returns it and its invitation token."""
    with write_transaction() as session:
        user, token = _new_user(email, role, name, vhs_id, council_id)
        session.add(user)
        session.flush()
        mail.queue_invitation(user, token)
    return user, token


def _new_user(email, role, name, vhs_id, council_id) -> tuple[User, str]:
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        vhs_id=vhs_id if role == Role.VHS else None,
        council_id=council_id if role == Role.CONTACT else None,
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
) -> User:
    """Change an account's name, role, scope and whether it may log in.

    A scope takes effect with the next request; a deactivated account's
    sessions end at once (its session version moves on).
    """
    with write_transaction() as session:
        user = session.get(User, user_id, populate_existing=True)
        user.name = name
        user.role = role
        user.vhs_id = vhs_id if role == Role.VHS else None
        user.council_id = council_id if role == Role.CONTACT else None
        if user.active and not active:
            user.session_version = (user.session_version or 0) + 1
        user.active = active
    return user
