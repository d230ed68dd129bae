"""Column types shared by the models."""

import sqlalchemy as sa


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
