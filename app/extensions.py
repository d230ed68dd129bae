"""Flask extensions, created here and bound to the app in ``create_app``."""

import ipaddress

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints, so that migrations can alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
csrf = CSRFProtect()


def client_key() -> str:
    """Whom a rate limit counts: the client's address, and for IPv6 its /64 network (one
    connection gets a whole /64, so single addresses would be an unlimited supply)."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


limiter = Limiter(client_key)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
# The login notice is flashed by app.auth.gate (worded in app.services.messages).
login_manager.login_message = None
