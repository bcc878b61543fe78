"""Loss results kept with their cases and offered as the proposed agreed amount.

A calculation for a case is stored (``loss_result``: the method, dates, 基准日 and 基准价, each
amount, the parameters and when it was computed; the latest replaces the one before). Applying it
sets the case's agreed amount to the total, scaled by the settlement ratio (the one given, else the
listed company's, e.g. 0.4), never above the amount claimed. An agreed amount the mediator typed is
never replaced silently: it is kept and reported unless the caller asks to replace it (the CLI's
``--replace-agreed``, the GUI after asking). An amount a previous calculation set is replaced. A
signed (or closed) case keeps its amount.

Entry points take a ``Database`` and run in one transaction: all cases or none.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from mediator.domain.losses.calculation import LossBreakdown, LossParameters, check_ratio, money
from mediator.domain.money import format_money
from mediator.domain.privacy import mask_id_number
from mediator.domain.workflow import CaseStatus
from mediator.errors import NotFoundError, UserError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import edit_case_fields, get_case
from mediator.services.losses.batch import run_losses
from mediator.services.losses.files import InvestorTrades
from mediator.services.progress import Progress, null_progress
from mediator.store.database import Database
from mediator.store.tables import BatchRow, CaseRow, InvestorRow, ListedCompanyRow, LossResultRow

_PRICE_STEP = Decimal("0.0001")
# A proposal may still change the amount of a case at these steps (not once signed, nor closed).
PROPOSABLE = frozenset({CaseStatus.REFERRED, CaseStatus.CONTACTED, CaseStatus.MEDIATING, CaseStatus.AGREED})


def ratio_of(text: str | None) -> Decimal | None:
    """A stored ratio ("0.4") as Decimal; None when absent or unreadable."""
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class StoredLoss:
    """A case's stored calculation, as the case detail shows it."""

    method: str
    kind: str
    implemented_on: date
    disclosed_on: date
    base_date: date
    base_price: str
    investment_loss: Decimal
    risk_deduction_pct: str
    commission: Decimal
    stamp_duty: Decimal
    interest: Decimal
    total: Decimal
    ratio: Decimal | None
    proposed: Decimal | None
    parameters: Mapping[str, Any]
    computed_at: datetime
    computed_by: str

    def summary(self) -> str:
        from mediator.domain.losses.averages import Method

        text = _("损失测算（{method}，{day} 由 {who} 计算）：损失合计 {total} 元").format(
            method=Method(self.method).label,
            day=self.computed_at.date().isoformat(),
            who=self.computed_by,
            total=format_money(self.total),
        )
        if self.proposed is not None:
            text += _("，建议调解金额 {amount} 元").format(amount=format_money(self.proposed))
        return text + _("。")


def _stored(row: LossResultRow) -> StoredLoss:
    return StoredLoss(
        row.method,
        row.kind,
        row.implemented_on,
        row.disclosed_on,
        row.base_date,
        row.base_price,
        row.investment_loss,
        row.risk_deduction_pct,
        row.commission,
        row.stamp_duty,
        row.interest,
        row.total,
        ratio_of(row.ratio),
        row.proposed,
        json.loads(row.parameters),
        row.computed_at,
        row.computed_by,
    )


@dataclass(frozen=True)
class CaseLossContext:
    """What the calculator needs to know about a case (ID number masked)."""

    case_id: int
    case_number: str
    investor: str
    id_number: str  # masked
    company: str
    implemented_on: date | None
    disclosed_on: date | None
    settlement_ratio: Decimal | None
    claimed_amount: Decimal
    agreed_amount: Decimal | None
    status: CaseStatus
    stored: StoredLoss | None


def _stored_for(session: Session, case_id: int) -> LossResultRow | None:
    return session.exec(select(LossResultRow).where(LossResultRow.case_id == case_id)).first()


def case_loss_context(database: Database, case_id: int) -> CaseLossContext:
    """The case's investor and company, the company's dates and ratio, the stored result."""
    with database.session() as session:
        case = get_case(session, case_id)
        investor = session.get(InvestorRow, case.investor_id)
        company = session.get(ListedCompanyRow, case.company_id)
        assert investor is not None and company is not None  # foreign keys
        stored = _stored_for(session, case_id)
        return CaseLossContext(
            case_id,
            case.case_number,
            investor.name,
            mask_id_number(investor.id_number),
            company.name,
            company.implemented_on,
            company.disclosed_on,
            ratio_of(company.settlement_ratio),
            case.claimed_amount,
            case.agreed_amount,
            CaseStatus(case.status),
            _stored(stored) if stored else None,
        )


def stored_loss(database: Database, case_id: int) -> StoredLoss | None:
    with database.session() as session:
        row = _stored_for(session, case_id)
        return _stored(row) if row else None


def _same_investor(name: str, id_number: str) -> Any:
    def matches(investor: InvestorTrades) -> bool:
        if id_number and investor.id_number:
            return investor.id_number.upper() == id_number.upper()
        return investor.name == name

    return matches


def calculate_case_loss(
    database: Database,
    case_id: int,
    market_path: Path,
    trades_path: Path,
    parameters: LossParameters,
    progress: Progress | None = None,
) -> LossBreakdown:
    """The loss of the case's investor, from the rows of the trades file with its ID number (or,
    for rows without one, its name). Nothing is stored: ``save_loss_results`` does that."""
    with database.session() as session:
        case = get_case(session, case_id)
        investor = session.get(InvestorRow, case.investor_id)
        assert investor is not None
        name, id_number = investor.name, investor.id_number
    run = run_losses(market_path, trades_path, parameters, progress, only=_same_investor(name, id_number))
    return run.results[0]


def company_ratio(database: Database, company: str) -> Decimal | None:
    """The settlement ratio recorded for ``company``; ``NotFoundError`` if it is not registered."""
    with database.session() as session:
        row = session.exec(select(ListedCompanyRow).where(ListedCompanyRow.name == company.strip())).first()
        if row is None:
            raise NotFoundError(_("没有登记上市公司“{name}”。").format(name=company))
        return ratio_of(row.settlement_ratio)


# --- storing and applying -------------------------------------------------------------------------


class Outcome(enum.Enum):
    SAVED = "saved"  # stored; the agreed amount not touched (no apply asked)
    APPLIED = "applied"  # the agreed amount is now the proposal
    UNCHANGED = "unchanged"  # the agreed amount already was the proposal
    KEPT = "kept"  # an agreed amount the mediator typed was kept
    LOCKED = "locked"  # signed or closed: the amount cannot change

    @property
    def label(self) -> str:
        labels = {
            Outcome.SAVED: _("已保存"),
            Outcome.APPLIED: _("已设为调解金额"),
            Outcome.UNCHANGED: _("调解金额已是此数"),
            Outcome.KEPT: _("保留已填写的调解金额"),
            Outcome.LOCKED: _("已签署或已办结，未修改"),
        }
        return labels[self]


@dataclass(frozen=True)
class CaseLoss:
    """One case's stored result and what became of its agreed amount."""

    case_id: int
    case_number: str
    investor: str  # name (masked ID number)
    total: Decimal
    proposed: Decimal
    agreed_before: Decimal | None
    outcome: Outcome
    capped: bool  # the proposal was above the amount claimed and was lowered to it

    def as_json(self) -> dict[str, Any]:
        return {
            "case_number": self.case_number,
            "investor": self.investor,
            "total": str(self.total),
            "proposed": str(self.proposed),
            "agreed_before": None if self.agreed_before is None else str(self.agreed_before),
            "outcome": self.outcome.value,
            "capped_at_claim": self.capped,
        }


@dataclass(frozen=True)
class LossesSaved:
    """What ``save_loss_results`` stored and applied (or would, on a dry run)."""

    cases: tuple[CaseLoss, ...]
    unmatched: tuple[str, ...] = field(default=())
    dry_run: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for case in self.cases if case.outcome is outcome)

    @property
    def kept(self) -> tuple[CaseLoss, ...]:
        return tuple(case for case in self.cases if case.outcome is Outcome.KEPT)

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": [case.as_json() for case in self.cases],
            "unmatched": list(self.unmatched),
            "dry_run": self.dry_run,
        }

    def summary(self, *, cli: bool = True) -> str:
        """One paragraph; ``cli`` adds how to replace the typed amounts from the command line."""
        text = _("已保存 {count} 件案件的损失测算结果").format(count=len(self.cases))
        if self.dry_run:
            text = _("将保存 {count} 件案件的损失测算结果").format(count=len(self.cases))
        parts = []
        for outcome in (Outcome.APPLIED, Outcome.UNCHANGED, Outcome.KEPT, Outcome.LOCKED):
            if self.count(outcome):
                parts.append(
                    _("{outcome} {count} 件").format(outcome=outcome.label, count=self.count(outcome))
                )
        if parts:
            text += _("：") + _("，").join(parts)
        text += _("。")
        if self.kept:
            text += _("已填写的调解金额未被覆盖。")
            if cli:
                text += _("如需覆盖，请加 --replace-agreed。")
        capped = sum(1 for case in self.cases if case.capped)
        if capped:
            text += _("{count} 件的建议金额高于诉请金额，已按诉请金额。").format(count=capped)
        if self.unmatched:
            text += _("{count} 位投资者没有找到案件：{names}。").format(
                count=len(self.unmatched), names="、".join(self.unmatched[:10])
            )
        return text


def _scope(
    session: Session, company: str | None, batch: int | None, case_id: int | None
) -> list[tuple[CaseRow, InvestorRow, ListedCompanyRow]]:
    query = (
        select(CaseRow, InvestorRow, ListedCompanyRow)
        .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
        .join(ListedCompanyRow, col(ListedCompanyRow.id) == col(CaseRow.company_id))
        .join(BatchRow, col(BatchRow.id) == col(CaseRow.batch_id))
    )
    if case_id is not None:
        query = query.where(col(CaseRow.id) == case_id)
    if company is not None:
        query = query.where(col(ListedCompanyRow.name) == company.strip())
    if batch is not None:
        query = query.where(col(BatchRow.number) == batch)
    return [
        (case, investor, listed) for case, investor, listed in session.exec(query.order_by(col(CaseRow.id)))
    ]


def _label(name: str, id_number: str) -> str:
    return f"{name}（{mask_id_number(id_number)}）" if id_number else name


def _match(
    results: Sequence[LossBreakdown], scope: Sequence[tuple[CaseRow, InvestorRow, ListedCompanyRow]]
) -> tuple[list[tuple[LossBreakdown, CaseRow, ListedCompanyRow]], list[str]]:
    by_id: dict[str, list[tuple[CaseRow, ListedCompanyRow]]] = {}
    by_name: dict[str, list[tuple[CaseRow, ListedCompanyRow]]] = {}
    for case, investor, listed in scope:
        by_id.setdefault(investor.id_number.upper(), []).append((case, listed))
        by_name.setdefault(investor.name, []).append((case, listed))
    matched: list[tuple[LossBreakdown, CaseRow, ListedCompanyRow]] = []
    unmatched: list[str] = []
    ambiguous: list[str] = []
    for result in results:
        found = (
            by_id.get(result.id_number.upper(), []) if result.id_number else by_name.get(result.investor, [])
        )
        label = _label(result.investor, result.id_number)
        if not found:
            unmatched.append(label)
        elif len(found) > 1:
            numbers = "、".join(case.case_number for case, _listed in found)
            ambiguous.append(_("{investor} 有多件案件（{numbers}）").format(investor=label, numbers=numbers))
        else:
            matched.append((result, *found[0]))
    if ambiguous:
        raise UserError(
            _("无法确定以下投资者的案件，请用 --company 或 --batch 限定：{items}。").format(
                items="；".join(ambiguous)
            )
        )
    return matched, unmatched


def _parameters_json(p: LossParameters, sources: Mapping[str, str]) -> str:
    data = {
        "commission_rate": str(p.commission_rate),
        "interest_rate": None if p.interest_rate is None else str(p.interest_rate),
        "index": p.index_name or None,
        "rights_adjusted": p.rights_adjusted,
        **sources,
    }
    return json.dumps(data, ensure_ascii=False)[:2000]


def _store(
    session: Session,
    result: LossBreakdown,
    case: CaseRow,
    ratio: Decimal | None,
    proposed: Decimal,
    *,
    actor: str,
    sources: Mapping[str, str],
) -> Decimal | None:
    """Write the case's result (replacing the one before); the amount the one before proposed."""
    assert case.id is not None
    previous = _stored_for(session, case.id)
    before = None
    if previous is not None:
        before = previous.proposed
        session.delete(previous)
        session.flush()
    p = result.parameters
    session.add(
        LossResultRow(
            case_id=case.id,
            method=p.method.value,
            kind=p.kind.value,
            implemented_on=p.implemented_on,
            disclosed_on=p.disclosed_on,
            base_date=result.base.day,
            base_price=str(result.base.price.quantize(_PRICE_STEP)),
            investment_loss=result.investment_loss,
            risk_deduction_pct=str(result.risk_deduction_pct),
            commission=result.commission,
            stamp_duty=result.stamp_duty,
            interest=result.interest,
            total=money(result.total),
            ratio=None if ratio is None else str(ratio),
            proposed=proposed,
            parameters=_parameters_json(p, sources),
            computed_at=datetime.now(UTC),
            computed_by=actor[:50],
        )
    )
    detail = _("损失测算：{method}，损失合计 {total} 元，建议金额 {proposed} 元").format(
        method=p.method.label, total=format_money(money(result.total)), proposed=format_money(proposed)
    )
    audit(session, actor=actor, action="loss", case_id=case.id, batch_id=case.batch_id, detail=detail)
    return before


def _outcome(
    case: CaseRow, proposed: Decimal, previous: Decimal | None, *, apply: bool, replace_agreed: bool
) -> Outcome:
    if not apply:
        return Outcome.SAVED
    if case.agreed_amount == proposed:
        return Outcome.UNCHANGED
    if CaseStatus(case.status) not in PROPOSABLE:
        return Outcome.LOCKED
    # An amount the previous calculation set is the calculator's, not the mediator's.
    from_calculation = previous is not None and previous == case.agreed_amount
    if case.agreed_amount is not None and not from_calculation and not replace_agreed:
        return Outcome.KEPT
    return Outcome.APPLIED


@dataclass(frozen=True)
class _Scope:
    company: str | None
    batch: int | None
    case_id: int | None


@dataclass(frozen=True)
class _Options:
    actor: str
    apply: bool
    ratio: Decimal | None
    replace_agreed: bool
    sources: Mapping[str, str]
    progress: Progress


def save_loss_results(
    database: Database,
    results: Sequence[LossBreakdown],
    *,
    actor: str,
    company: str | None = None,
    batch: int | None = None,
    case_id: int | None = None,
    apply: bool = False,
    ratio: Decimal | None = None,
    replace_agreed: bool = False,
    sources: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> LossesSaved:
    """Store each investor's result with its case and, with ``apply``, offer it as the agreed amount.

    Each result finds its case by the investor's ID number (or name, without one) among the cases
    of ``company`` / ``batch`` / ``case_id``; an investor with two such cases is refused (narrow
    the scope). ``ratio`` overrides the company's settlement ratio. ``dry_run`` reports what would
    happen and writes nothing (the GUI asks before replacing typed amounts). ``progress`` counts
    the cases; a cancel between two of them writes nothing.
    """
    if ratio is not None:
        check_ratio(ratio)
    if company is not None:
        company_ratio(database, company)  # NotFoundError for an unknown company
    scope = _Scope(company, batch, case_id)
    options = _Options(actor, apply, ratio, replace_agreed, sources or {}, progress or null_progress())
    if dry_run:
        with database.session() as session:
            saved = _save(session, results, scope, options)
            session.rollback()
            return replace(saved, dry_run=True)
    with database.transaction() as session:
        return _save(session, results, scope, options)


def _save(session: Session, results: Sequence[LossBreakdown], scope: _Scope, o: _Options) -> LossesSaved:
    matched, unmatched = _match(results, _scope(session, scope.company, scope.batch, scope.case_id))
    if scope.case_id is not None and not matched:
        raise UserError(_("计算结果与该案件的投资者不符。"))
    outcomes: list[CaseLoss] = []
    o.progress.update(0, total=len(matched), message=_("保存测算结果…"))
    for done, (result, case, listed) in enumerate(matched, start=1):
        o.progress.check()
        assert case.id is not None
        rate = o.ratio or result.parameters.ratio or ratio_of(listed.settlement_ratio)
        proposed = money(result.total * rate) if rate is not None else money(result.total)
        capped = proposed > case.claimed_amount
        proposed = min(proposed, case.claimed_amount)
        agreed_before = case.agreed_amount
        previous = _store(session, result, case, rate, proposed, actor=o.actor, sources=o.sources)
        outcome = _outcome(case, proposed, previous, apply=o.apply, replace_agreed=o.replace_agreed)
        if outcome is Outcome.APPLIED:
            edit_case_fields(session, case.id, {"agreed_amount": proposed}, actor=o.actor)
        label = _label(result.investor, result.id_number)
        outcomes.append(
            CaseLoss(
                case.id,
                case.case_number,
                label,
                money(result.total),
                proposed,
                agreed_before,
                outcome,
                capped,
            )
        )
        o.progress.update(done)
    return LossesSaved(tuple(outcomes), tuple(unmatched))
