"""Placeholder; filled in by its feature."""

from app.public import bp  # noqa: F401
