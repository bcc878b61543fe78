"""Masks for personal data shown where the full value is not needed (lists, exports, logs)."""

from __future__ import annotations

from mediator.domain.validators import to_half_width, validate_mobile
from mediator.errors import ValidationError


def _mask_middle(text: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, star the rest.

    Values too short to keep that much keep only their first and last characters (or nothing),
    so a mask never shows most of a short value.
    """
    if len(text) <= head + tail:
        head, tail = (1, 1) if len(text) > 2 else (0, 0)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(id_number: str | None) -> str:
    """An ID number with the first 3 and last 4 characters kept: 320***********123X."""
    if not id_number:
        return ""
    return _mask_middle("".join(to_half_width(id_number).split()).upper(), 3, 4)


def mask_phone(phone: str | None) -> str:
    """A phone number with the first 3 and last 4 digits kept: 138****5678."""
    if not phone:
        return ""
    try:
        value = validate_mobile(phone)  # +86 138-1234-5678 masks like 13812345678
    except ValidationError:
        value = "".join(to_half_width(phone).split())
    return _mask_middle(value, 3, 4)
