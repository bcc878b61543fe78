"""The listed-company registry: create or complete a company's particulars, list what is missing.

A court list names the company only; before its first agreement the mediators enter the USCC,
legal representative and address (and, for the calculator and the agreement's facts, the stock,
the regulator's decision and the 实施日 / 揭露日).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlmodel import Session, col, select

from mediator.domain.losses.calculation import check_ratio
from mediator.domain.parties import check_company_changes, check_company_name, missing_company_particulars
from mediator.errors import UserError
from mediator.i18n import _
from mediator.services.audit.history import change_detail
from mediator.services.audit.trail import audit
from mediator.store.database import Database
from mediator.store.tables import CaseRow, ListedCompanyRow


@dataclass(frozen=True)
class CompanyInfo:
    """One listed company as the registry shows it."""

    id: int
    name: str
    uscc: str | None
    legal_representative: str | None
    address: str | None
    stock_code: str | None
    exchange: str | None
    stock_name: str | None
    phone: str | None
    counsel: str | None
    decision: str | None
    implemented_on: date | None
    disclosed_on: date | None
    cases: int
    missing: list[str]
    # The share of the calculated loss its mediators offer (losscalc --apply-to-cases), e.g. "0.4".
    settlement_ratio: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = {key: value for key, value in self.__dict__.items() if key != "id"}
        for key in ("implemented_on", "disclosed_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class CompanySaved:
    """What ``set_company`` did."""

    company: CompanyInfo
    created: bool
    changed: list[str]

    def summary(self) -> str:
        if self.created:
            text = _("已登记上市公司“{name}”。").format(name=self.company.name)
        elif self.changed:
            text = _("已更新上市公司“{name}”的资料（{count}项）。").format(
                name=self.company.name, count=len(self.changed)
            )
        else:
            text = _("上市公司“{name}”的资料没有变化。").format(name=self.company.name)
        if self.company.missing:
            text += _("生成调解协议书前还需补全：{items}。").format(items="、".join(self.company.missing))
        return text


def _info(row: ListedCompanyRow, cases: int) -> CompanyInfo:
    assert row.id is not None
    return CompanyInfo(
        id=row.id,
        name=row.name,
        uscc=row.uscc,
        legal_representative=row.legal_representative,
        address=row.address,
        stock_code=row.stock_code,
        exchange=row.exchange,
        stock_name=row.stock_name,
        phone=row.phone,
        counsel=row.counsel,
        decision=row.decision,
        implemented_on=row.implemented_on,
        disclosed_on=row.disclosed_on,
        cases=cases,
        missing=missing_company_particulars(row.uscc, row.legal_representative, row.address),
        settlement_ratio=row.settlement_ratio,
    )


def _case_counts(session: Session) -> dict[int, int]:
    from sqlalchemy import func

    query = select(CaseRow.company_id, func.count()).group_by(col(CaseRow.company_id))
    return {company_id: count for company_id, count in session.exec(query)}


def _ratio_text(ratio: Decimal | str) -> str | None:
    if ratio == "":
        return None
    try:
        value = Decimal(ratio)
    except InvalidOperation:
        raise UserError(_("调解比例应大于 0 且不超过 1，如 0.4。")) from None
    return str(check_ratio(value).normalize())


def list_companies(db: Database) -> list[CompanyInfo]:
    """Every registered company, by name, with what its agreements still need."""
    with db.session() as session:
        counts = _case_counts(session)
        rows = session.exec(select(ListedCompanyRow).order_by(col(ListedCompanyRow.name))).all()
        return [_info(row, counts.get(row.id or 0, 0)) for row in rows]


def set_company(
    db: Database,
    name: str,
    *,
    actor: str,
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
    settlement_ratio: Decimal | str | None = None,
) -> CompanySaved:
    """Create the company or change the particulars given (``None``: leave, ``""``: clear).

    ``settlement_ratio`` is the share of the calculated loss offered (0 < ratio ≤ 1, e.g. 0.4).

    Every value is checked before anything is written; a bad one raises ``ValidationError``.
    """
    company_name = check_company_name(name)
    with db.transaction() as session:
        row = session.exec(select(ListedCompanyRow).where(ListedCompanyRow.name == company_name)).first()
        changes = check_company_changes(
            uscc=uscc,
            legal_representative=legal_representative,
            address=address,
            stock_code=stock_code,
            stock_name=stock_name,
            phone=phone,
            counsel=counsel,
            receiving_account=receiving_account,
            late_interest=late_interest,
            decision=decision,
            implemented_on=implemented_on,
            disclosed_on=disclosed_on,
            current_implemented_on=row.implemented_on if row else None,
            current_disclosed_on=row.disclosed_on if row else None,
        )
        created = row is None
        if row is None:
            row = ListedCompanyRow(name=company_name)
            session.add(row)
        values = dict(changes.values())
        if settlement_ratio is not None:
            values["settlement_ratio"] = _ratio_text(settlement_ratio)
        changed = [key for key, value in values.items() if getattr(row, key) != value]
        # Old → new for the history (a company's particulars are public, no personal numbers).
        history = [(key, getattr(row, key), values[key]) for key in changed]
        for key in changed:
            setattr(row, key, values[key])
        session.flush()
        if created or changed:
            detail = change_detail(history, subject=company_name, created=created)
            audit(session, actor=actor, action="company", detail=detail)
        counts = _case_counts(session)
        return CompanySaved(_info(row, counts.get(row.id or 0, 0)), created, changed)
