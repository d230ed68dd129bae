"""Creating organiser accounts (from the CLI and the admin page)."""

from app.extensions import db
from app.models import Role, User


def create_user(
    *,
    email: str,
    role: Role,
    name: str = "",
    vhs_id: int | None = None,
    council_id: int | None = None,
) -> tuple[User, str]:
    """Create an account without a password; returns it and its invitation token."""
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        vhs_id=vhs_id if role == Role.VHS else None,
        council_id=council_id if role == Role.CONTACT else None,
    )
    token = user.issue_invitation()
    db.session.add(user)
    db.session.commit()
    return user, token
