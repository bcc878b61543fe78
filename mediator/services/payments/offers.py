"""The listed company's offers: one list setting each case's agreed amount and payment plan.

Columns: 案号 and 调解金额, and optionally the plan as pairs 第N期付款日期 / 第N期金额 (a row with no
pair filled pays in one sum). All or nothing, like the referral import: every row is checked
against the database inside one transaction that is committed only when no row has a problem
(an unknown 案号, an amount above the claim, a case already signed or paid on, a plan that does not
add up to the agreed amount to the fen, dates out of order...), each named by file, row and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from mediator.domain import payment_headers as ph
from mediator.domain.money import format_money
from mediator.domain.payments import plan_problems
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.errors import ValidationError
from mediator.i18n import _
from mediator.services.audit.trail import audit
from mediator.services.cases.changes import installments_of
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import is_blank
from mediator.services.payments.files import Sheet, amount_cell, case_number_cell, cell, date_cell, read_file
from mediator.services.payments.ledger import lock_cases, replace_plan, take_write_lock
from mediator.store.database import Database
from mediator.store.tables import CaseRow, InvestorRow

# An offer may set the amount until the agreement is signed.
_OPEN = frozenset(STATUS_ORDER[: STATUS_ORDER.index(CaseStatus.SIGNED)])


@dataclass(frozen=True)
class OfferLine:
    """One case's offer as read (and, when the import went through, written)."""

    row: int
    case_number: str
    investor: str
    claimed_amount: Decimal
    agreed_amount: Decimal
    plan: tuple[tuple[date, Decimal], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "case_no": self.case_number,
            "agreed_amount": str(self.agreed_amount),
            "installments": [{"due_on": due.isoformat(), "amount": str(amount)} for due, amount in self.plan],
        }


@dataclass
class OffersResult:
    """What an offers import found and did (``summary`` for the CLI and the dialog alike)."""

    file: str
    rows: int = 0
    lines: list[OfferLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("{file}：{rows} 行，有 {count} 个问题，未写入任何数据。").format(
                file=Path(self.file).name, rows=self.rows, count=len(self.errors)
            )
        plans = sum(1 for line in self.lines if line.plan)
        if self.written:
            text = _("{file}：已为 {count} 件案件写入调解金额，其中 {plans} 件分期付款。")
        else:
            text = _("{file}：检查通过，可为 {count} 件案件写入调解金额，其中 {plans} 件分期付款。")
        return text.format(file=Path(self.file).name, count=len(self.lines), plans=plans)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "written": self.written,
            "cases": [line.as_json() for line in self.lines],
            "errors": [error.as_json() for error in self.errors],
        }


class _Rollback(Exception):
    """Leave the transaction without writing (problems found, or only a preview)."""


def _find_offers_header(rows: Sequence[Sequence[object]]) -> int | None:
    return ph.find_header_row(rows, [[ph.CASE_NUMBER], [ph.AGREED_AMOUNT]], "offers")


@dataclass
class _Columns:
    case_number: int
    agreed: int
    # installment number → (date column, amount column); either may be missing in a broken header.
    plan: dict[int, list[int | None]]


def _columns(sheet: Sheet, result: OffersResult) -> _Columns | None:
    case_column = agreed_column = None
    plan: dict[int, list[int | None]] = {}
    for index, header in enumerate(sheet.headers):
        meaning = ph.offer_field(header)
        if isinstance(meaning, ph.InstallmentColumn):
            pair = plan.setdefault(meaning.number, [None, None])
            pair[0 if meaning.is_date else 1] = index
        elif meaning == ph.CASE_NUMBER and case_column is None:
            case_column = index
        elif meaning == ph.AGREED_AMOUNT and agreed_column is None:
            agreed_column = index
        elif meaning is None and header:
            result.warnings.append(_("未识别的列“{header}”，已忽略。").format(header=header))
    assert case_column is not None and agreed_column is not None  # the header row was found by them
    for number, (date_column, amount_column) in sorted(plan.items()):
        if date_column is None or amount_column is None:
            missing = (
                _("第{n}期付款日期").format(n=number)
                if date_column is None
                else _("第{n}期金额").format(n=number)
            )
            message = _("缺少“{missing}”列：分期应成对填写付款日期和金额。").format(missing=missing)
            result.errors.append(sheet.problem(None, None, "", message))
    if result.errors:
        return None
    return _Columns(case_column, agreed_column, dict(sorted(plan.items())))


@dataclass
class _Parsed:
    row: int
    case_number: str
    agreed: Decimal
    plan: list[tuple[date, Decimal]]
    plan_columns: list[tuple[int, int]]


def _parse_plan(
    sheet: Sheet, number: int, cells: list[Any], columns: _Columns
) -> tuple[list[tuple[date, Decimal]], list[tuple[int, int]], list[RowError]]:
    plan: list[tuple[date, Decimal]] = []
    used: list[tuple[int, int]] = []
    errors: list[RowError] = []
    gap: int | None = None  # the first installment column left blank
    for date_column, amount_column in columns.plan.values():
        assert date_column is not None and amount_column is not None
        raw_date, raw_amount = cell(cells, date_column), cell(cells, amount_column)
        if is_blank(raw_date) and is_blank(raw_amount):
            gap = gap if gap is not None else date_column
            continue
        if gap is not None:
            errors.append(
                sheet.problem(number, gap, "", _("前一期为空而后面的期次有值：请按期次顺序连续填写。"))
            )
            gap = None
        due: date | None = None
        amount: Decimal | None = None
        try:
            due = date_cell(raw_date)
        except ValidationError as exc:
            errors.append(sheet.problem(number, date_column, raw_date, str(exc)))
        try:
            amount = amount_cell(raw_amount)
        except ValidationError as exc:
            errors.append(sheet.problem(number, amount_column, raw_amount, str(exc)))
        if due is not None and amount is not None:
            plan.append((due, amount))
            used.append((date_column, amount_column))
    return plan, used, errors


def _parse_rows(sheet: Sheet, columns: _Columns, result: OffersResult) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        result.rows += 1
        errors: list[RowError] = []
        case_number = agreed = None
        raw_case = cell(cells, columns.case_number)
        try:
            case_number = case_number_cell(raw_case)
        except ValidationError as exc:
            errors.append(sheet.problem(number, columns.case_number, raw_case, str(exc)))
        if case_number is not None and case_number in seen:
            message = _("案号与第{row}行重复。").format(row=seen[case_number])
            errors.append(sheet.problem(number, columns.case_number, raw_case, message))
        elif case_number is not None:
            seen[case_number] = number
        raw_agreed = cell(cells, columns.agreed)
        try:
            agreed = amount_cell(raw_agreed)
        except ValidationError as exc:
            errors.append(sheet.problem(number, columns.agreed, raw_agreed, str(exc)))
        plan, used, plan_errors = _parse_plan(sheet, number, cells, columns)
        errors += plan_errors
        if not errors and plan:
            for problem in plan_problems(plan, agreed):
                if problem.line is None:
                    errors.append(sheet.problem(number, columns.agreed, raw_agreed, problem.message))
                else:
                    column = used[problem.line][0 if problem.on_date else 1]
                    errors.append(sheet.problem(number, column, cell(cells, column), problem.message))
        result.errors += errors
        if not errors and case_number is not None and agreed is not None:
            parsed.append(_Parsed(number, case_number, agreed, plan, used))
    return parsed


def _check_against_cases(
    session: Session, sheet: Sheet, columns: _Columns, parsed: list[_Parsed], result: OffersResult
) -> dict[str, CaseRow]:
    take_write_lock(session)
    numbers = [offer.case_number for offer in parsed]
    locked = {case.case_number: case for case in lock_cases(session, col(CaseRow.case_number).in_(numbers))}
    names = dict(
        session.execute(
            select(col(CaseRow.case_number), col(InvestorRow.name))
            .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
            .where(col(CaseRow.case_number).in_(numbers))
        ).all()
    )
    for offer in parsed:
        case = locked.get(offer.case_number)
        if case is None:
            message = _("没有这个案号的案件（请先导入委派清单）。")
            result.errors.append(sheet.problem(offer.row, columns.case_number, offer.case_number, message))
            continue
        status = CaseStatus(case.status)
        problem: str | None = None
        if status not in _OPEN:
            problem = _("案件当前为“{status}”，调解协议已签署或案件已结束，不能再修改调解金额。").format(
                status=status.label
            )
        elif offer.agreed > case.claimed_amount:
            problem = _("调解金额{agreed}元高于诉请金额{claimed}元。").format(
                agreed=format_money(offer.agreed), claimed=format_money(case.claimed_amount)
            )
        elif case.id is not None and any(row.paid_amount for row in installments_of(session, case.id)):
            problem = _("已有付款记录，不能重新安排付款计划。")
        if problem is not None:
            result.errors.append(sheet.problem(offer.row, columns.agreed, str(offer.agreed), problem))
            continue
        result.lines.append(
            OfferLine(
                offer.row,
                offer.case_number,
                names.get(offer.case_number, ""),
                case.claimed_amount,
                offer.agreed,
                tuple(offer.plan),
            )
        )
    return locked


def _write(session: Session, locked: dict[str, CaseRow], lines: list[OfferLine], actor: str) -> None:
    for line in lines:
        case = locked[line.case_number]
        session.execute(
            update(CaseRow)
            .where(col(CaseRow.id) == case.id)
            .values(agreed_amount=line.agreed_amount, version=CaseRow.version + 1)
            .execution_options(synchronize_session=False)
        )
        session.refresh(case)
        detail = _("公司报价：调解金额{amount}元，{plan}").format(
            amount=line.agreed_amount,
            plan=_("分{n}期").format(n=len(line.plan)) if line.plan else _("一次性支付"),
        )
        replace_plan(session, case, list(line.plan), actor=actor, detail=detail)
        audit(session, actor=actor, action="offer", case_id=case.id, batch_id=case.batch_id, detail=detail)


def import_offers(database: Database, path: str | Path, *, actor: str, dry_run: bool = False) -> OffersResult:
    """Read the company's offers list and set each case's agreed amount and plan, all or nothing.

    ``dry_run`` checks everything against the database and writes nothing (the dialog's preview).
    """
    result = OffersResult(str(path))
    sheet = read_file(
        path, _find_offers_header, _("找不到表头：前 20 行中没有同时含有“案号”和“调解金额”的行。")
    )
    if isinstance(sheet, RowError):
        result.errors.append(sheet)
        return result
    columns = _columns(sheet, result)
    if columns is None:
        return result
    parsed = _parse_rows(sheet, columns, result)
    if not parsed and not result.errors:
        result.errors.append(sheet.problem(None, None, "", _("表中没有任何报价行。")))
    if result.errors:
        return result
    try:
        with database.transaction() as session:
            locked = _check_against_cases(session, sheet, columns, parsed, result)
            if result.errors or dry_run:
                raise _Rollback
            _write(session, locked, result.lines, actor)
            result.written = True
    except _Rollback:
        result.written = False
    if result.errors:
        result.lines.clear()
    return result
