"""Offers, installment plans and payments in the window.

``PlanDialog`` edits a case's installment plan (add, edit, remove lines), checked as you type:
dates in order, amounts positive, the total equal to the agreed amount. ``OffersDialog`` imports
the company's offers list: it first checks the whole list against the database without writing
(the preview: every case with its amount and plan, or every problem with its row and column), then
writes it on 导入. ``PaymentMenu`` puts 导入公司报价… and 导入付款清单… in the 文件 menu. Reads and
writes run in the write pool (``jobs.run_job``), never on the GUI thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.money import format_money, parse_amount, rmb_upper
from mediator.domain.payments import plan_problems
from mediator.errors import ValidationError
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.style import WARNING_RED
from mediator.i18n import _
from mediator.services.calendar import parse_day
from mediator.services.intake.report import RowError
from mediator.services.payments.recovered import Recovered
from mediator.store.database import Database

if TYPE_CHECKING:
    from mediator.services.payments.imports import PaymentsImportResult
    from mediator.services.payments.offers import OffersResult

_INVALID = QBrush(WARNING_RED)
_LIST_FILTER = "表格 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"


class PlanDialog(QDialog):
    """付款计划: one row per installment (due date, amount), checked as you type."""

    DATE, AMOUNT, UPPER = range(3)

    def __init__(
        self,
        agreed: Decimal,
        lines: Sequence[tuple[date, Decimal]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("付款计划"))
        self.resize(520, 360)
        self.agreed = agreed
        layout = QVBoxLayout(self)
        intro = QLabel(
            _("调解金额 {amount} 元。每期填写到期日（如 2025-06-30）和金额；一行都没有即一次性支付。").format(
                amount=format_money(agreed)
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([_("到期日"), _("金额（元）"), _("大写")])
        self.table.setColumnWidth(self.DATE, 120)
        self.table.setColumnWidth(self.AMOUNT, 120)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("添加一期"), self)
        self.remove_button = QPushButton(_("删除所选"), self)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        layout.addWidget(self.problems)
        self.box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)
        self.add_button.clicked.connect(lambda: self.add_line())
        self.remove_button.clicked.connect(self.remove_selected)
        for due, amount in lines:
            self.add_line(due.isoformat(), str(amount))
        self.table.itemChanged.connect(lambda _item: self.check())
        self.check()

    def add_line(self, due: str = "", amount: str = "") -> None:
        """A new installment at the bottom: by default a month after the last, for what is left."""
        self.table.blockSignals(True)
        if not due and not amount:
            plan = self._parsed()
            known = [line for line in plan if line[1] is not None]
            left = self.agreed - sum(
                (amount_ for _due, amount_ in known if amount_ is not None), Decimal("0")
            )
            amount = str(left) if left > 0 else ""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, self.DATE, QTableWidgetItem(due))
        self.table.setItem(row, self.AMOUNT, QTableWidgetItem(amount))
        upper = QTableWidgetItem("")
        upper.setFlags(upper.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, self.UPPER, upper)
        self.table.blockSignals(False)
        self.check()

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self.check()

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _parsed(self) -> list[tuple[date | None, Decimal | None]]:
        plan: list[tuple[date | None, Decimal | None]] = []
        for row in range(self.table.rowCount()):
            due: date | None = None
            amount: Decimal | None = None
            with contextlib.suppress(ValidationError):
                due = parse_day(self._text(row, self.DATE))
            with contextlib.suppress(ValidationError):
                amount = parse_amount(self._text(row, self.AMOUNT))
            plan.append((due, amount))
        return plan

    def check(self) -> list[str]:
        """Mark every cell at fault, list the problems and allow OK only for a plan that holds."""
        self.table.blockSignals(True)
        messages: list[str] = []
        bad: set[tuple[int, int]] = set()
        plan = self._parsed()
        for row, (due, amount) in enumerate(plan):
            if due is None and self._text(row, self.DATE):
                messages.append(_("第{n}期的到期日无法识别。").format(n=row + 1))
                bad.add((row, self.DATE))
            if amount is None and self._text(row, self.AMOUNT):
                messages.append(_("第{n}期的金额无法识别。").format(n=row + 1))
                bad.add((row, self.AMOUNT))
            upper = self.table.item(row, self.UPPER)
            if upper is not None:
                upper.setText(rmb_upper(amount) if amount is not None else "")
        if plan:
            for problem in plan_problems(plan, self.agreed):
                if problem.line is not None:
                    bad.add((problem.line, self.DATE if problem.on_date else self.AMOUNT))
                if problem.message not in messages:
                    messages.append(problem.message)
        for row in range(self.table.rowCount()):
            for column in (self.DATE, self.AMOUNT):
                item = self.table.item(row, column)
                if item is not None:
                    item.setForeground(_INVALID if (row, column) in bad else QBrush())
        self.table.blockSignals(False)
        total = sum((amount for _due, amount in plan if amount is not None), Decimal("0.00"))
        if messages:
            self.problems.setText("\n".join(messages))
            self.problems.setStyleSheet(f"color: {WARNING_RED.name()}")
        else:
            text = _("共{n}期，合计 {total} 元，与调解金额一致。").format(
                n=len(plan), total=format_money(total)
            )
            self.problems.setText(text if plan else _("一次性支付。"))
            self.problems.setStyleSheet("")
        ok = self.box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not messages)
        return messages

    def plan(self) -> list[tuple[date, Decimal]]:
        """The plan as typed (call after ``check`` found nothing)."""
        return [(due, amount) for due, amount in self._parsed() if due is not None and amount is not None]


def _problem_lines(errors: Sequence[RowError]) -> list[list[str]]:
    return [
        ["" if e.row is None else str(e.row), e.column, e.value, e.message]
        for e in (error.masked() for error in errors)
    ]


class OffersDialog(QDialog):
    """导入公司报价: the list checked against the database first (nothing written), then imported."""

    def __init__(self, database: Database, path: str, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("导入公司报价"))
        self.resize(820, 480)
        self._database = database
        self._path = path
        self._actor = actor
        self.outcome: OffersResult | None = None
        self.job: JobHandle[Any] | None = None
        layout = QVBoxLayout(self)
        self.file_label = QLabel(Path(path).name, self)
        layout.addWidget(self.file_label)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        layout.addWidget(self.tree)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.box = QDialogButtonBox(self)
        self.import_button = self.box.addButton(_("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.box.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.write)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)

    def preview(self) -> JobHandle[Any]:
        """Check the list against the database without writing (the write pool: it takes the lock)."""
        from mediator.services.payments.offers import import_offers

        database, path, actor = self._database, self._path, self._actor
        self.summary.setText(_("正在检查……"))
        self.job = run_job(
            self,
            lambda _progress: import_offers(database, path, actor=actor, dry_run=True),
            title=_("检查公司报价"),
            on_success=self.show_result,
            on_failure=self._failed,
            pool=Pool.WRITE,
            cancellable=False,
        )
        return self.job

    def write(self) -> JobHandle[Any] | None:
        from mediator.services.payments.offers import import_offers

        if self.outcome is None or not self.outcome.ok:
            return None
        database, path, actor = self._database, self._path, self._actor
        self.import_button.setEnabled(False)
        self.job = run_job(
            self,
            lambda _progress: import_offers(database, path, actor=actor),
            title=_("导入公司报价"),
            on_success=self.show_result,
            on_failure=self._failed,
            pool=Pool.WRITE,
            cancellable=False,
        )
        return self.job

    def _failed(self, exc: BaseException) -> None:
        from mediator.gui.errors import show_error

        self.summary.setText(str(exc))
        show_error(self, exc)

    def show_result(self, result: OffersResult) -> None:
        self.outcome = result
        self.tree.clear()
        if result.errors:
            self.tree.setHeaderLabels([_("行"), _("列"), _("值"), _("问题")])
            for line in _problem_lines(result.errors):
                item = QTreeWidgetItem(line)
                item.setForeground(3, _INVALID)
                self.tree.addTopLevelItem(item)
        else:
            self.tree.setHeaderLabels(
                [_("行"), _("案号"), _("投资者"), _("诉请金额"), _("调解金额"), _("付款计划")]
            )
            for offer in result.lines:
                plan = "；".join(f"{due.isoformat()} {format_money(amount)}" for due, amount in offer.plan)
                self.tree.addTopLevelItem(
                    QTreeWidgetItem(
                        [
                            str(offer.row),
                            offer.case_number,
                            offer.investor,
                            format_money(offer.claimed_amount),
                            format_money(offer.agreed_amount),
                            plan or _("一次性支付"),
                        ]
                    )
                )
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        text = result.summary()
        if result.warnings:
            text += "\n" + "\n".join(result.warnings)
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {WARNING_RED.name()}" if result.errors else "")
        self.import_button.setEnabled(result.ok and not result.written and bool(result.lines))


def payments_import_text(result: PaymentsImportResult) -> str:
    """What the 导入付款清单 message box says: the summary, then each problem with row and column."""
    lines = [result.summary()]
    for row, column, value, message in _problem_lines(result.errors)[:30]:
        where = _("第{row}行").format(row=row) if row else ""
        lines.append(f"{where} {column}：{message}（{value}）".strip())
    return "\n".join(lines)


class PaymentMenu:
    """导入公司报价… and 导入付款清单… in the 文件 menu, after 导入委派清单…."""

    def __init__(
        self, window: QMainWindow, database: Database, actor: Callable[[], str], refresh: Callable[[], None]
    ) -> None:
        self.window = window
        self.database = database
        self.actor = actor
        self.refresh = refresh
        self.dialog: OffersDialog | None = None
        self.message: QMessageBox | None = None
        self.job: JobHandle[Any] | None = None
        self.offers_action = QAction(_("导入公司报价…"), window)
        self.offers_action.setObjectName("actionImportOffers")
        self.offers_action.triggered.connect(lambda: self.import_offers())
        self.payments_action = QAction(_("导入付款清单…"), window)
        self.payments_action.setObjectName("actionImportPayments")
        self.payments_action.triggered.connect(lambda: self.import_payments())
        menu = getattr(getattr(window, "form", None), "menuFile", None)
        anchor = getattr(getattr(window, "form", None), "actionImport", None)
        if menu is not None:
            actions = menu.actions()
            following = actions[actions.index(anchor) + 1] if anchor in actions[:-1] else None
            for action in (self.offers_action, self.payments_action):
                if following is not None:
                    menu.insertAction(following, action)
                else:
                    menu.addAction(action)

    def _choose(self, title: str) -> str:
        path, _filter = QFileDialog.getOpenFileName(self.window, title, "", _LIST_FILTER)
        return path

    def import_offers(self, path: str | None = None) -> OffersDialog | None:
        path = path or self._choose(_("选择公司报价表"))
        if not path:
            return None
        dialog = OffersDialog(self.database, path, self.actor(), self.window)
        dialog.finished.connect(lambda _code: self.refresh())
        self.dialog = dialog
        dialog.preview()
        dialog.open()
        return dialog

    def import_payments(self, path: str | None = None) -> JobHandle[Any] | None:
        from mediator.services.payments.imports import import_payments

        path = path or self._choose(_("选择付款清单"))
        if not path:
            return None
        database, actor = self.database, self.actor()

        def done(result: PaymentsImportResult) -> None:
            box = QMessageBox(self.window)
            box.setWindowTitle(_("导入付款清单"))
            box.setIcon(QMessageBox.Icon.Warning if result.errors else QMessageBox.Icon.Information)
            box.setText(payments_import_text(result))
            box.open()
            self.message = box
            if result.written:
                self.refresh()

        self.job = run_job(
            self.window,
            lambda _progress: import_payments(database, path, actor=actor),
            title=_("导入付款清单"),
            on_success=done,
            pool=Pool.WRITE,
            cancellable=False,
        )
        return self.job


def recovered_box(splitter: QSplitter) -> QTreeWidget:
    """The dashboard's 回款与逾期 box: per batch and per company, agreed, paid, rate, overdue."""
    box = QGroupBox(_("回款与逾期"), splitter)
    box.setObjectName("recoveredBox")
    layout = QVBoxLayout(box)
    tree = QTreeWidget(box)
    tree.setObjectName("recoveredTree")
    tree.setHeaderLabels([_("批次 / 上市公司"), _("应付（元）"), _("已付（元）"), _("回款率"), _("逾期")])
    for column, width in enumerate((120, 100, 100, 56, 120)):
        tree.setColumnWidth(column, width)
    layout.addWidget(tree)
    splitter.addWidget(box)
    return tree


def fill_recovered(tree: QTreeWidget, recovered: Recovered | None) -> None:
    """Show ``recovered`` in the dashboard's box; overdue figures in red."""
    tree.clear()
    if recovered is None:
        return
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for title, lines in ((_("按批次"), recovered.by_batch), (_("按上市公司"), recovered.by_company)):
        group = QTreeWidgetItem([title])
        for line in lines:
            late = (
                _("{cases}件 {amount}元").format(
                    cases=line.overdue_cases, amount=format_money(line.overdue_amount)
                )
                if line.overdue_cases
                else ""
            )
            item = QTreeWidgetItem(
                [line.label, format_money(line.agreed), format_money(line.paid), f"{line.rate}%", late]
            )
            for column in range(1, 5):
                item.setTextAlignment(column, right)
            if line.overdue_cases:
                item.setForeground(4, _INVALID)
            group.addChild(item)
        tree.addTopLevelItem(group)
        group.setExpanded(True)
