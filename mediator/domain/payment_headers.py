"""The columns of the listed company's offers list and of a company's or bank's payment list.

The 案号, 身份证号码 and 调解金额 columns are named as in court lists, so their synonyms are the
referral list's (``referral_headers.SYNONYMS``, their one home); this module adds the installment
pairs of an offers list (第1期付款日期 / 第1期金额 ...) and the columns of a payment list (付款金额,
付款日期, 流水号). Pure data and matching: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mediator.domain import referral_headers as rh
from mediator.domain.batch_numbers import chinese_number
from mediator.i18n import N_

CASE_NUMBER = rh.CASE_NUMBER
ID_NUMBER = rh.ID_NUMBER
AGREED_AMOUNT = rh.AGREED_AMOUNT
PAID_AMOUNT = "paid_amount"
PAID_ON = "paid_on"
REFERENCE = "reference"
# Columns a list may carry that these imports do not need (the investor's name...): skipped quietly.
KNOWN_OTHER = "known_other"

PAYMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    PAID_AMOUNT: (
        "付款金额",
        "支付金额",
        "实付金额",
        "到账金额",
        "交易金额",
        "转账金额",
        "金额",
        "本次付款金额",
    ),
    PAID_ON: ("付款日期", "支付日期", "到账日期", "交易日期", "转账日期", "日期", "入账日期", "交易时间"),
    REFERENCE: (
        "流水号",
        "交易流水号",
        "银行流水号",
        "凭证号",
        "参考号",
        "交易参考号",
        "业务编号",
        "付款编号",
    ),
}

FIELD_LABELS: dict[str, str] = {
    CASE_NUMBER: N_("案号"),
    ID_NUMBER: N_("身份证号码"),
    AGREED_AMOUNT: N_("调解金额"),
    PAID_AMOUNT: N_("付款金额"),
    PAID_ON: N_("付款日期"),
    REFERENCE: N_("流水号"),
}

_PAYMENT_LOOKUP = {synonym: field for field, names in PAYMENT_SYNONYMS.items() for synonym in names}
# 第1期付款日期, 第一期到期日, 第2期金额, 第２期应付金额（元）: the plan as pairs of columns.
_INSTALLMENT = re.compile(
    r"第([0-9]+|[一二三四五六七八九十]+)期(付款日期|支付日期|到期日|到期日期|还款日期|日期|付款时间|"
    r"付款金额|支付金额|应付金额|金额)"
)


@dataclass(frozen=True)
class InstallmentColumn:
    """One column of an offers list's plan: installment ``number`` (1-based), date or amount."""

    number: int
    is_date: bool


def installment_column(text: object) -> InstallmentColumn | None:
    """The installment column a header names (第2期付款日期 → 2, date), or None."""
    match = _INSTALLMENT.fullmatch(rh.normalise_header(text))
    if match is None:
        return None
    number = int(match[1]) if match[1].isdigit() else chinese_number(match[1])
    if number is None or number < 1:
        return None
    return InstallmentColumn(number, is_date="日" in match[2] or "时间" in match[2])


def offer_field(text: object) -> str | InstallmentColumn | None:
    """What an offers-list header names: 案号, 调解金额, an installment column, another known
    column of court lists (``KNOWN_OTHER``), or None."""
    column = installment_column(text)
    if column is not None:
        return column
    field = rh.match_header(text)
    if field in (CASE_NUMBER, AGREED_AMOUNT):
        return field
    return KNOWN_OTHER if field is not None else None


def payment_field(text: object) -> str | None:
    """What a payment-list header names: 案号, 身份证号码, amount, date, reference, another known
    column (``KNOWN_OTHER``), or None. An amount column of a court list (调解金额) is not a payment."""
    normalised = rh.normalise_header(text)
    field = _PAYMENT_LOOKUP.get(normalised)
    if field is not None:
        return field
    known = rh.match_header(text)
    if known in (CASE_NUMBER, ID_NUMBER):
        return known
    return KNOWN_OTHER if known is not None else None


def find_header_row(
    rows: Sequence[Sequence[object]], required: Sequence[Sequence[str]], kind: str
) -> int | None:
    """The index among ``rows`` of the first row holding, for each group of ``required``, one of
    its fields; ``kind`` is "offers" or "payments" (which matcher reads the cells)."""
    matcher = offer_field if kind == "offers" else payment_field
    for index, row in enumerate(rows):
        present = {matcher(cell) for cell in row}
        if all(any(field in present for field in group) for group in required):
            return index
    return None
