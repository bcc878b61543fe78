"""A company's or bank's list of payments, booked all or nothing.

Each row names its case by 案号 or by the investor's ID number (then the investor must have exactly
one case awaiting payment), an amount, a day and optionally the transfer's reference. Every row is
booked inside one transaction by the same step as a payment typed by hand (``ledger.book_payment``,
so the same rules: confirmed cases only, never above what is still owed, a reference once), and the
transaction is committed only when no row has a problem; each problem names file, row and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from mediator.domain import payment_headers as ph
from mediator.domain.money import format_money
from mediator.errors import UserError, ValidationError
from mediator.i18n import _
from mediator.services.intake import checks
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import is_blank
from mediator.services.payments.files import Sheet, amount_cell, case_number_cell, cell, date_cell, read_file
from mediator.services.payments.ledger import (
    PAYABLE,
    SOURCE_IMPORT,
    PaymentOutcome,
    book_payment,
    clean_reference,
    lock_cases,
    take_write_lock,
)
from mediator.store.database import Database
from mediator.store.tables import CaseRow, InvestorRow


@dataclass
class PaymentsImportResult:
    """What a payment-list import found and booked."""

    file: str
    rows: int = 0
    booked: list[PaymentOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def total(self) -> Decimal:
        return sum((payment.amount for payment in self.booked), Decimal("0.00"))

    def summary(self) -> str:
        if self.errors:
            return _("{file}：{rows} 行，有 {count} 个问题，未登记任何付款。").format(
                file=Path(self.file).name, rows=self.rows, count=len(self.errors)
            )
        return _("{file}：已登记 {count} 笔付款，合计 {total} 元，涉及 {cases} 件案件。").format(
            file=Path(self.file).name,
            count=len(self.booked),
            total=format_money(self.total),
            cases=len({payment.case_number for payment in self.booked}),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "written": self.written,
            "total": str(self.total),
            "payments": [payment.as_json() for payment in self.booked],
            "errors": [error.as_json() for error in self.errors],
        }


class _Rollback(Exception):
    """Problems found: leave the transaction without writing."""


def _find_payments_header(rows: Sequence[Sequence[object]]) -> int | None:
    required = [[ph.CASE_NUMBER, ph.ID_NUMBER], [ph.PAID_AMOUNT], [ph.PAID_ON]]
    return ph.find_header_row(rows, required, "payments")


@dataclass(frozen=True)
class _Columns:
    case_number: int | None
    id_number: int | None
    amount: int
    paid_on: int
    reference: int | None


def _columns(sheet: Sheet, result: PaymentsImportResult) -> _Columns:
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        meaning = ph.payment_field(header)
        if meaning is None and header:
            result.warnings.append(_("未识别的列“{header}”，已忽略。").format(header=header))
        elif meaning is not None and meaning != ph.KNOWN_OTHER:
            found.setdefault(meaning, index)
    return _Columns(
        found.get(ph.CASE_NUMBER),
        found.get(ph.ID_NUMBER),
        found[ph.PAID_AMOUNT],
        found[ph.PAID_ON],
        found.get(ph.REFERENCE),
    )


@dataclass(frozen=True)
class _Row:
    number: int
    case_number: str | None
    id_number: str | None
    amount: Decimal
    paid_on: date
    reference: str | None


def _parse_row(sheet: Sheet, number: int, cells: list[Any], columns: _Columns) -> _Row | list[RowError]:
    errors: list[RowError] = []
    case_number = id_number = reference = None
    amount: Decimal | None = None
    paid_on: date | None = None
    parsers: list[tuple[int | None, Any]] = [
        (columns.case_number, case_number_cell),
        (columns.id_number, checks.resident_id_cell),
        (columns.amount, amount_cell),
        (columns.paid_on, date_cell),
        (columns.reference, clean_reference),
    ]
    values: list[Any] = []
    for column, parse in parsers:
        raw = cell(cells, column)
        if column is None or (is_blank(raw) and column in (columns.case_number, columns.id_number)):
            values.append(None)
            continue
        try:
            values.append(parse(raw))
        except ValidationError as exc:
            masked = ph.ID_NUMBER if column == columns.id_number else None
            errors.append(sheet.problem(number, column, raw, str(exc), masked))
            values.append(None)
    case_number, id_number, amount, paid_on, reference = values
    if case_number is None and id_number is None and not errors:
        column = columns.case_number if columns.case_number is not None else columns.id_number
        errors.append(sheet.problem(number, column, "", _("请填写案号或身份证号码。")))
    if errors or amount is None or paid_on is None:
        return errors
    return _Row(number, case_number, id_number, amount, paid_on, reference)


def _cases_of(session: Session, rows: list[_Row]) -> tuple[dict[str, CaseRow], dict[str, list[CaseRow]]]:
    """The rows' cases, locked: by 案号, and the payable ones by the investor's ID number."""
    numbers = {row.case_number for row in rows if row.case_number}
    ids = {row.id_number for row in rows if row.id_number and not row.case_number}
    by_id: dict[str, list[CaseRow]] = {}
    case_ids: set[int] = set()
    if ids:
        matches = session.execute(
            select(col(CaseRow.id), col(InvestorRow.id_number))
            .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
            .where(col(InvestorRow.id_number).in_(ids), col(CaseRow.status).in_([s.value for s in PAYABLE]))
        ).all()
        for case_id, id_number in matches:
            case_ids.add(case_id)  # type: ignore[arg-type]
            by_id.setdefault(str(id_number), [])
    condition = col(CaseRow.case_number).in_(numbers) | col(CaseRow.id).in_(case_ids)
    locked = lock_cases(session, condition)
    by_number = {case.case_number: case for case in locked}
    owners = dict(
        session.execute(
            select(col(CaseRow.id), col(InvestorRow.id_number))
            .join(InvestorRow, col(InvestorRow.id) == col(CaseRow.investor_id))
            .where(col(CaseRow.id).in_(case_ids))
        ).all()
    )
    for case in locked:
        if case.id in owners:
            by_id[owners[case.id]].append(case)
    return by_number, by_id


def _case_for(
    sheet: Sheet, row: _Row, columns: _Columns, by_number: dict[str, CaseRow], by_id: dict[str, list[CaseRow]]
) -> CaseRow | RowError:
    if row.case_number:
        case = by_number.get(row.case_number)
        if case is None:
            message = _("没有这个案号的案件。")
            return sheet.problem(row.number, columns.case_number, row.case_number, message)
        return case
    candidates = by_id.get(row.id_number or "", [])
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        message = _("该身份证号码有 {count} 件待履行的案件，请填写案号。").format(count=len(candidates))
    else:
        message = _("该身份证号码没有待履行（已司法确认）的案件。")
    return sheet.problem(row.number, columns.id_number, row.id_number, message, ph.ID_NUMBER)


def _column_of(error: UserError, columns: _Columns, case_column: int | None) -> int | None:
    where = getattr(error, "field", None)
    if where == "amount":
        return columns.amount
    if where == "paid_on":
        return columns.paid_on
    if where == "reference":
        return columns.reference
    if "流水号" in str(error) and columns.reference is not None:
        return columns.reference
    return case_column


def _book(
    session: Session,
    sheet: Sheet,
    rows: list[_Row],
    columns: _Columns,
    result: PaymentsImportResult,
    actor: str,
) -> None:
    take_write_lock(session)
    by_number, by_id = _cases_of(session, rows)
    seen: dict[str, int] = {}
    for row in rows:
        if row.reference is not None and row.reference in seen:
            message = _("流水号与第{row}行重复。").format(row=seen[row.reference])
            result.errors.append(sheet.problem(row.number, columns.reference, row.reference, message))
            continue
        if row.reference is not None:
            seen[row.reference] = row.number
        case = _case_for(sheet, row, columns, by_number, by_id)
        if isinstance(case, RowError):
            result.errors.append(case)
            continue
        case_column = columns.case_number if row.case_number else columns.id_number
        try:
            outcome = book_payment(
                session,
                case,
                row.amount,
                row.paid_on,
                reference=row.reference,
                source=SOURCE_IMPORT,
                actor=actor,
            )
        except UserError as exc:
            column = _column_of(exc, columns, case_column)
            raw = cell(next(cells for number, cells in sheet.rows if number == row.number), column)
            masked = ph.ID_NUMBER if column == columns.id_number else None
            result.errors.append(sheet.problem(row.number, column, raw, str(exc), masked))
            continue
        result.booked.append(outcome)


def import_payments(database: Database, path: str | Path, *, actor: str) -> PaymentsImportResult:
    """Book every payment of a company's or bank's list, or none when any row has a problem."""
    result = PaymentsImportResult(str(path))
    missing = _("找不到表头：前 20 行中没有同时含有“案号”或“身份证号码”、“付款金额”和“付款日期”的行。")
    sheet = read_file(path, _find_payments_header, missing)
    if isinstance(sheet, RowError):
        result.errors.append(sheet)
        return result
    columns = _columns(sheet, result)
    rows: list[_Row] = []
    for number, cells in sheet.rows:
        result.rows += 1
        parsed = _parse_row(sheet, number, cells, columns)
        if isinstance(parsed, list):
            result.errors += parsed
        else:
            rows.append(parsed)
    if not rows and not result.errors:
        result.errors.append(sheet.problem(None, None, "", _("表中没有任何付款行。")))
    if result.errors:
        return result
    try:
        with database.transaction() as session:
            _book(session, sheet, rows, columns, result, actor)
            if result.errors:
                raise _Rollback
            result.written = True
    except _Rollback:
        result.written = False
    if result.errors:
        result.booked.clear()
    return result
