"""The identity documents an investor may be recorded with, each with its own check and the label
the documents print (民事诉讼法 §122 and the court's filing rules: a natural person is identified
by the document they hold, an institution by its unified social credit code).

- ``resident_id``: 公民身份号码 (GB 11643, check digit);
- ``residence_permit``: 港澳台居民居住证 — 18 characters with the resident-ID check digit and the
  810000 / 820000 / 830000 region code;
- ``foreign_permanent``: 外国人永久居留身份证 — 18 characters beginning with 9 (2023 form, with
  the resident-ID check digit) or 15 characters (3 letters, 12 digits, the older form);
- ``hk_macau_permit``: 港澳居民来往内地通行证 — H or M and 8 digits (10 with the renewal count);
- ``taiwan_permit``: 台湾居民来往大陆通行证 — 8 digits (10 with the renewal count);
- ``passport``: a passport — 5 to 17 letters and digits, at least one digit (the issuing state's form);
- ``uscc``: an institution's 统一社会信用代码 (GB 32100, check character).

Pure: no database, no files, no Qt.
"""

from __future__ import annotations

import re

from mediator.domain.validators import to_half_width, validate_resident_id, validate_uscc
from mediator.errors import ValidationError
from mediator.i18n import N_, _

# The label each document prints before the number, in the agreement and the court papers.
ID_LABELS: dict[str, str] = {
    "resident_id": N_("公民身份号码"),
    "residence_permit": N_("港澳台居民居住证号码"),
    "foreign_permanent": N_("外国人永久居留身份证号码"),
    "hk_macau_permit": N_("港澳居民来往内地通行证号码"),
    "taiwan_permit": N_("台湾居民来往大陆通行证号码"),
    "passport": N_("护照号码"),
    "uscc": N_("统一社会信用代码"),
}

# Natural persons' documents (sex and birth date come only from a resident ID's digits).
PERSONAL_TYPES = frozenset(ID_LABELS) - {"uscc"}

_HK_MACAU = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN = re.compile(r"[0-9]{8}(?:[0-9]{2})?")
_PASSPORT = re.compile(r"(?=[A-Z0-9]*[0-9])[A-Z0-9]{5,17}")
_FOREIGN_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")


def id_label(id_type: str) -> str:
    """What the documents print before the number (translated); unknown types: 身份证件号码."""
    return _(ID_LABELS.get(id_type, N_("身份证件号码")))


def _compact(text: str) -> str:
    return "".join(to_half_width(text).split()).upper()


def _refuse(id_type: str, value: str, example: str) -> ValidationError:
    return ValidationError(
        _("不是有效的{label}：{value}（应如{example}）。").format(
            label=id_label(id_type), value=value, example=example
        ),
        field=id_type,
        value=value,
    )


def validate_identity(id_type: str, text: str) -> str:
    """The checked, compact number of an identity document of ``id_type``; ``ValidationError``
    naming the document when it has the wrong shape or check character."""
    value = _compact(text)
    if id_type == "resident_id":
        return validate_resident_id(value)
    if id_type == "uscc":
        return validate_uscc(value)
    if id_type == "residence_permit":
        checked = validate_resident_id(value)
        if checked[:6] not in ("810000", "820000", "830000"):
            raise _refuse(id_type, value, "810000199408230021")
        return checked
    if id_type == "foreign_permanent":
        if _FOREIGN_OLD.fullmatch(value):
            return value
        if len(value) == 18 and value.startswith("9"):
            return validate_resident_id(value)
        raise _refuse(id_type, value, "USA123456789012")
    checks = {"hk_macau_permit": (_HK_MACAU, "H12345678"), "taiwan_permit": (_TAIWAN, "12345678")}
    if id_type in checks:
        pattern, example = checks[id_type]
        if not pattern.fullmatch(value):
            raise _refuse(id_type, value, example)
        return value
    if id_type == "passport":
        if not _PASSPORT.fullmatch(value):
            raise _refuse(id_type, value, "E12345678")
        return value
    raise ValidationError(
        _("未知的身份证件类型：{kind}。").format(kind=id_type), field="id_type", value=id_type
    )


def guess_identity(text: str) -> tuple[str, str] | None:
    """(id type, number) of a number whose shape tells its document — the permits — or None.

    Only unambiguous shapes: an 18-digit number is a resident ID (or a residence permit by its
    region code). Neither a passport number nor a Taiwan permit's 8 digits is guessed: they look
    like too many things, a truncated ID number among them.
    """
    value = _compact(text)
    if _HK_MACAU.fullmatch(value):
        return "hk_macau_permit", value
    if len(value) == 18 and value[:6] in ("810000", "820000", "830000"):
        return "residence_permit", validate_identity("residence_permit", value)
    if _FOREIGN_OLD.fullmatch(value) or (len(value) == 18 and value.startswith("9")):
        return "foreign_permanent", validate_identity("foreign_permanent", value)
    return None
