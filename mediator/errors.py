"""The three kinds of failure the app distinguishes (after qutebrowser's misc/sql.py).

- ``UserError``: the user can fix it (bad input, a forbidden step). Shown as one sentence in the
  user's language, never with a traceback.
- ``EnvironmentProblem``: not the user's fault nor ours (locked database, unwritable folder, disk full).
- anything else is a bug: the GUI shows a dialog with "copy details" and logs it.
"""

from __future__ import annotations


class MediatorError(Exception):
    """Base of every error the app raises on purpose."""


class UserError(MediatorError):
    """Bad input or a forbidden action; the message is meant for the user as it is."""


class ValidationError(UserError, ValueError):
    """A value fails a domain rule (ID check digit, amount, case number...)."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class TransitionError(UserError):
    """A case was asked to move to a status its workflow forbids."""


class NotFoundError(UserError):
    """A batch, case or company the user named does not exist."""


class EnvironmentProblem(MediatorError):
    """The machine is in the way: locked database, unwritable folder, disk full."""


class Cancelled(MediatorError):
    """The user cancelled a long job; callers show no error dialog for it."""
