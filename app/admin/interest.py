"""Placeholder; filled in by its feature."""

from app.admin import bp  # noqa: F401
