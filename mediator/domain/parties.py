"""The particulars of the listed company and of the mediators, and which of them an agreement needs.

One home for the rule "what must the company's record hold before an agreement can be drawn up"
(人民调解法 §28–§29: the parties' particulars): the company registry lists what is missing with the
same labels the agreement check refuses with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from mediator.domain.validators import (
    refuse_unsafe_characters,
    to_half_width,
    validate_person_name,
    validate_stock_code,
    validate_uscc,
)
from mediator.errors import ValidationError
from mediator.i18n import N_, _

# The company's particulars an agreement cannot go without, with the labels users read.
REQUIRED_FOR_AGREEMENT: tuple[tuple[str, str], ...] = (
    ("uscc", N_("上市公司统一社会信用代码")),
    ("legal_representative", N_("上市公司法定代表人")),
    ("address", N_("上市公司住所")),
)

# Longest text each particular may hold (the columns' sizes); longer input is refused, never cut.
_LIMITS = {
    "name": 100,
    "address": 200,
    "stock_name": 20,
    "decision": 500,
    "counsel": 100,
    "receiving_account": 200,
    "late_interest": 200,
}
_PHONE = re.compile(r"\+?[0-9][0-9\- ]{5,18}[0-9](?:(?:转|-|ext\.?)[0-9]{1,6})?")


def missing_company_particulars(
    uscc: str | None, legal_representative: str | None, address: str | None
) -> list[str]:
    """The labels of the particulars still missing for an agreement, in the agreement's order."""
    present = {"uscc": uscc, "legal_representative": legal_representative, "address": address}
    return [_(label) for key, label in REQUIRED_FOR_AGREEMENT if not (present[key] or "").strip()]


def _text(value: str, field: str, label: str) -> str:
    # Line breaks and runs of spaces collapse: every particular prints on one line.
    refuse_unsafe_characters(value, field, label)  # the bidi isolates and marks too
    text = " ".join(to_half_width(value).split())
    limit = _LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise ValidationError(
            _("{label}过长：最多{limit}个字，现有{length}个。").format(
                label=label, limit=limit, length=len(text)
            ),
            field=field,
            value=value,
        )
    return text


def validate_phone(text: str) -> str:
    """A landline or mobile number as written (digits, spaces, dashes, an extension)."""
    value = to_half_width(text).strip()
    if not _PHONE.fullmatch(value):
        raise ValidationError(
            _("不是有效的电话号码：{value}（如025-83331234或13912345678）。").format(value=value),
            field="phone",
            value=text,
        )
    return value


@dataclass(frozen=True)
class CompanyChanges:
    """Checked values for a listed company's record; ``None`` leaves a particular as it is.

    An empty string clears an optional particular (the name can't be cleared).
    """

    uscc: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    stock_code: str | None = None
    exchange: str | None = None
    stock_name: str | None = None
    phone: str | None = None
    counsel: str | None = None
    # The agreement's 收款账户 and 逾期利息 wording for this company (empty: the template's defaults).
    receiving_account: str | None = None
    late_interest: str | None = None
    decision: str | None = None
    implemented_on: date | Literal[""] | None = None
    disclosed_on: date | Literal[""] | None = None

    def values(self) -> dict[str, object]:
        """The particulars to write: only those given, cleared ones as ``None``."""
        given = {key: value for key, value in self.__dict__.items() if value is not None}
        return {key: (None if value == "" else value) for key, value in given.items()}


def check_company_changes(
    *,
    uscc: str | None = None,
    legal_representative: str | None = None,
    address: str | None = None,
    stock_code: str | None = None,
    stock_name: str | None = None,
    phone: str | None = None,
    counsel: str | None = None,
    receiving_account: str | None = None,
    late_interest: str | None = None,
    decision: str | None = None,
    implemented_on: date | Literal[""] | None = None,
    disclosed_on: date | Literal[""] | None = None,
    current_implemented_on: date | None = None,
    current_disclosed_on: date | None = None,
) -> CompanyChanges:
    """Check each given particular (``""`` clears it, dates too); the first bad one raises
    ``ValidationError`` naming it."""
    code, exchange = (None, None)
    if stock_code:
        code, exchange = validate_stock_code(stock_code)
    elif stock_code == "":
        code, exchange = "", ""
    implemented = None if implemented_on == "" else implemented_on or current_implemented_on
    disclosed = None if disclosed_on == "" else disclosed_on or current_disclosed_on
    # 法释〔2022〕2号 Art. 7–8: the false statement is disclosed after it was made, never before.
    if implemented and disclosed and disclosed <= implemented:
        raise ValidationError(
            _("揭露日（{disclosed}）必须晚于实施日（{implemented}）。").format(
                disclosed=disclosed.isoformat(), implemented=implemented.isoformat()
            ),
            field="disclosed_on",
            value=disclosed,
        )
    return CompanyChanges(
        uscc=(validate_uscc(uscc) if uscc else uscc),
        legal_representative=(
            validate_person_name(legal_representative) if legal_representative else legal_representative
        ),
        address=_text(address, "address", _("住所")) if address is not None else None,
        stock_code=code,
        exchange=exchange,
        stock_name=_text(stock_name, "stock_name", _("股票简称")) if stock_name is not None else None,
        phone=(validate_phone(phone) if phone else phone),
        counsel=_text(counsel, "counsel", _("委托代理人")) if counsel is not None else None,
        receiving_account=(
            _text(receiving_account, "receiving_account", _("收款账户"))
            if receiving_account is not None
            else None
        ),
        late_interest=(
            _text(late_interest, "late_interest", _("逾期利息")) if late_interest is not None else None
        ),
        decision=_text(decision, "decision", _("行政处罚决定")) if decision is not None else None,
        implemented_on=implemented_on,
        disclosed_on=disclosed_on,
    )


def check_company_name(text: str) -> str:
    """A listed company's name as the court's list writes it: required, at most 100 characters."""
    name = _text(text, "name", _("上市公司名称"))
    if not name:
        raise ValidationError(_("请填写上市公司名称。"), field="name", value=text)
    return name
