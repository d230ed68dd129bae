"""Column types shared by the models."""

import sqlalchemy as sa

from app.core.enums import Module


def enum_column(enum_cls: type, length: int = 20) -> sa.Enum:
    """Store a StrEnum by value as a plain string with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


class ModuleType(sa.types.TypeDecorator):
    """A module number stored as an integer and read as a ``Module`` with its labels."""

    impl = sa.Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Module(value)
