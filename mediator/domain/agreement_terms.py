"""What a mediation agreement (调解协议书) says, as plain data: its number, its fingerprint.

The fingerprint is the SHA-256 of the agreement data in a canonical JSON form. It is printed in the
footer of every page and embedded in the PDF, so that a signed copy coming back from the court's
signing module is matched to its case, and a copy whose data no longer matches is refused.
Pure: no database, no files, no Qt.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mediator.domain.parties import missing_company_particulars
from mediator.domain.referral_kinds import ReferralKind, referral_kind
from mediator.errors import ValidationError
from mediator.i18n import _

# The association's own name and role (人民调解法 is the model; it acts as the court's 特邀调解组织).
MEDIATION_ORGANISATION = "江苏省证券业协会"
ORGANISATION_ROLE = "特邀调解组织"
DISPUTE_KIND = "证券虚假陈述责任纠纷"
# One original for each party, one for the mediation organisation, one for the court's file.
DEFAULT_ORIGINALS = 4
# The four AcroForm signature fields, in the order the signature blocks are printed: the parties,
# the mediator and the mediation organisation's seal. 人民调解法 §29: the agreement takes effect
# once the parties have signed or sealed, the mediator has signed and the organisation has sealed.
SIGNATURE_FIELDS: tuple[str, ...] = ("investor", "company", "mediator", "organisation")

# Who bears the case fee (案件受理费), as the agreement words it (甲方 investor, 乙方 company).
CASE_FEE_BEARERS = {"company": "乙方", "investor": "甲方", "halved": "甲乙双方各半"}

_NUMBER_FORMAT = "苏证调〔{year}〕第{sequence:04d}号"
_NUMBER_PATTERN = re.compile(r"苏证调〔(\d{4})〕第(\d{4,})号")


def format_agreement_number(year: int, sequence: int) -> str:
    """The agreement number, e.g. 苏证调〔2025〕第0001号 (sequence counts per year from 1)."""
    if sequence < 1:
        raise ValueError(f"agreement sequence starts at 1, got {sequence}")
    return _NUMBER_FORMAT.format(year=year, sequence=sequence)


def parse_agreement_number(number: str) -> tuple[int, int]:
    """(year, sequence) of an agreement number; ``ValidationError`` if it has another shape."""
    match = _NUMBER_PATTERN.fullmatch(number.strip())
    if not match:
        raise ValidationError(
            _("协议编号格式不对：{value}（应如“苏证调〔2025〕第0001号”）。").format(value=number),
            field="agreement_number",
            value=number,
        )
    return int(match[1]), int(match[2])


@dataclass(frozen=True)
class InstallmentTerm:
    """One payment the company owes: a lump sum is a single installment."""

    sequence: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class AgreementData:
    """Everything printed in one agreement. Full ID and phone numbers: the parties sign this paper."""

    number: str
    drawn_up_on: date
    # The referral
    court: str
    case_number: str
    batch_number: int
    referral_date: date
    # The investor (申请人 / 原告)
    investor_name: str
    investor_id_type: str
    investor_id_number: str
    investor_sex: str | None
    investor_birth_date: date | None
    investor_address: str | None
    investor_phone: str | None
    investor_agent: str | None
    investor_account: str | None
    # The listed company (被申请人 / 被告)
    company_name: str
    company_uscc: str | None
    company_legal_representative: str | None
    company_address: str | None
    company_agent: str | None
    # The mediation
    mediator_name: str | None
    claimed_amount: Decimal
    agreed_amount: Decimal
    installments: tuple[InstallmentTerm, ...] = ()
    payment_method: str | None = None
    payment_account: str | None = None
    case_fee_bearer: str = "company"
    originals: int = DEFAULT_ORIGINALS
    organisation: str = MEDIATION_ORGANISATION
    # The facts (人民调解法 §29: 主要事实、争议事项): the listed company's stock, the regulator's
    # decision and the false statement's dates (法释〔2022〕2号 Art. 7–8).
    company_stock_name: str | None = None
    company_stock_code: str | None = None
    company_decision: str | None = None
    implemented_on: date | None = None
    disclosed_on: date | None = None
    # The late-payment interest the company's agreements state (None: the template's default).
    late_interest: str | None = None

    @property
    def is_lump_sum(self) -> bool:
        return len(self.installments) <= 1

    @property
    def referral_kind(self) -> ReferralKind:
        """Pre-filing (委派, 民诉前调) or filed (委托, 民初): the case number says which."""
        return referral_kind(self.case_number)

    def canonical_json(self) -> str:
        """The data as JSON with sorted keys, amounts as fixed-point strings, dates as ISO dates."""
        return json.dumps(
            asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
        )

    def fingerprint(self) -> str:
        """SHA-256 (hex) of ``canonical_json``: the same data gives the same fingerprint everywhere."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def missing_particulars(data: AgreementData) -> list[str]:
    """The labels of particulars an agreement cannot go without (人民调解法 §29: the parties'
    particulars; 法释〔2011〕5号 and the court's service rules: an address and a phone number for
    each party), in the agreement's order."""
    missing: list[str] = []
    if not data.investor_id_number:
        missing.append(_("投资者身份证件号码"))
    if not (data.investor_address or "").strip():
        missing.append(_("投资者住址"))
    if not (data.investor_phone or "").strip():
        missing.append(_("投资者联系电话"))
    missing += missing_company_particulars(
        data.company_uscc, data.company_legal_representative, data.company_address
    )
    if not (data.mediator_name or "").strip():
        missing.append(_("承办调解员"))
    try:
        data.referral_kind  # noqa: B018 - raises for a number of neither kind
    except ValidationError:
        missing.append(_("诉前调解（民诉前调）或立案（民初）案号"))
    return missing


class IncompleteParticulars(ValidationError):
    """Agreements refused for missing particulars: ``cases`` maps each 案号 to what it lacks."""

    def __init__(self, message: str, cases: dict[str, list[str]]) -> None:
        super().__init__(message, field="particulars", value=list(cases))
        self.cases = cases


# How many cases the one-line refusal names before it says "and N more".
_NAMED_IN_REFUSAL = 20


def refuse_incomplete(missing: dict[str, list[str]]) -> None:
    """Raise ``IncompleteParticulars`` naming every case (up to 20 on the line) and what it lacks."""
    incomplete = {case: items for case, items in missing.items() if items}
    if not incomplete:
        return
    parts = [
        _("{case}缺{items}").format(case=case, items="、".join(items))
        for case, items in list(incomplete.items())[:_NAMED_IN_REFUSAL]
    ]
    more = len(incomplete) - len(parts)
    text = "；".join(parts) + (_("；另有{n}件").format(n=more) if more > 0 else "")
    raise IncompleteParticulars(
        _("{n}件案件资料不全，不能生成调解协议书：{cases}。请补全后再生成。").format(
            n=len(incomplete), cases=text
        ),
        incomplete,
    )


def check_complete(data: AgreementData) -> None:
    """Raise ``ValidationError`` naming the case when the amount or its installments are wrong
    (the particulars are collected for every case first: ``missing_particulars``)."""
    if data.agreed_amount is None or data.agreed_amount <= 0:
        raise ValidationError(
            _("案件{case}尚未填写调解金额，不能生成调解协议书。").format(case=data.case_number),
            field="agreed_amount",
            value=data.case_number,
        )
    if data.installments:
        total = sum((term.amount for term in data.installments), Decimal("0"))
        if total != data.agreed_amount:
            raise ValidationError(
                _("案件{case}的分期金额合计{total}元与调解金额{amount}元不一致。").format(
                    case=data.case_number, total=f"{total:.2f}", amount=f"{data.agreed_amount:.2f}"
                ),
                field="installments",
                value=data.case_number,
            )
