"""The command line's own errors, below every command module (no import circles)."""

from __future__ import annotations


class UsageError(Exception):
    """A command-line value that cannot be used (exit code 2)."""


class NoDatabase(RuntimeError):
    """A read-only command was pointed at a database that does not exist (exit 3)."""
