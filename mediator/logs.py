"""Logging: named loggers per subsystem, a rotating file in the user log folder.

Log lines never carry ID or phone numbers: ``PersonalDataFilter`` masks anything that looks like
one, as a safety net behind the rule that code does not log them in the first place.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

import platformdirs

_ID_OR_PHONE = re.compile(r"(?<![0-9])(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9])")


class PersonalDataFilter(logging.Filter):
    """Replace ID and mobile numbers in a record's final message with a mask."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # A traceback's exception message can quote the offending value (an ID in a
            # ValidationError): format it here, masked, so the handler's formatter reuses it.
            record.exc_text = mask_personal_numbers(_FORMATTER.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        return True


_FORMATTER = logging.Formatter()


def mask_personal_numbers(text: str) -> str:
    """Mask everything in ``text`` that looks like a resident ID or a mainland mobile number."""
    return _ID_OR_PHONE.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), text)


def log_file_path() -> Path:
    return Path(platformdirs.user_log_dir("mediator", appauthor=False)) / "mediator.log"


_configured = False


def configure_logging(*, verbose: bool = False) -> None:
    """Send the app's logs to a rotating file (and warnings to stderr). Safe to call twice."""
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger("mediator")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    privacy = PersonalDataFilter()
    try:
        path = log_file_path()
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.parent.chmod(0o700)  # even masked, a log tells who was mediated: the user's only
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(formatter)
    handler.addFilter(privacy)
    root.addHandler(handler)
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        console.addFilter(privacy)
        root.addHandler(console)
