"""Placeholder; filled in by its feature."""

from app.organiser import bp  # noqa: F401
