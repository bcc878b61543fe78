"""The loss calculator (法释〔2022〕2号) in the GUI: one case's investor from the case detail, or every
investor of a trades file for a listed company (and batch) from the 案件 menu.

Both dialogs ask the same parameters (``LossParametersBox``: the two files, 实施日 / 揭露日 from the
company's record, the kind, the buy-average method, the rates, the settlement ratio). Computing and
writing PDFs run in the read pool with a progress dialog and 取消; storing results and setting the
agreed amounts run in the write pool. An agreed amount the mediator typed is replaced only after
asking (a dry run tells which cases have one).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QPagedPaintDevice, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.losses.averages import Method
from mediator.domain.losses.calculation import DEFAULT_COMMISSION_RATE, Kind, LossBreakdown, LossParameters
from mediator.domain.money import format_money
from mediator.domain.privacy import mask_id_number
from mediator.domain.validators import to_half_width
from mediator.errors import UserError
from mediator.gui.dates import qdate
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, run_job
from mediator.gui.settings import Preferences, WindowState
from mediator.i18n import N_, _
from mediator.services.losses.batch import LossRun
from mediator.services.losses.cases import LossesSaved
from mediator.services.losses.files import LossInputProblems
from mediator.services.progress import Progress
from mediator.store.database import Database

FILE_FILTER = N_("表格 (*.csv *.xlsx *.xls *.ods);;所有文件 (*)")
PRINT_DPI = 300
# How many problems of an input file the message box lists (all of them are in its details).
SHOWN_PROBLEMS = 8


def _decimal(text: str, label: str) -> Decimal | None:
    """A rate or ratio as typed (0.4, 40%, ０.４); None when empty; ``UserError`` naming the field."""
    cleaned = "".join(to_half_width(text).split())
    if not cleaned:
        return None
    divisor = Decimal(100) if cleaned.endswith("%") else Decimal(1)
    try:
        value = Decimal(cleaned.removesuffix("%")) / divisor
    except InvalidOperation:
        raise UserError(_("{field}的数值无法识别：{text}。").format(field=label, text=text)) from None
    if not value.is_finite():
        raise UserError(_("{field}的数值无法识别：{text}。").format(field=label, text=text))
    return value


def show_problems(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """A failed calculation: the problems of the input files listed (file, row, column), or the
    error as any other."""
    if not isinstance(exc, LossInputProblems):
        return show_error(parent, exc)
    box = QMessageBox(parent)
    box.setWindowTitle(_("损失测算"))
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText(str(exc))
    lines = [problem.as_text() for problem in exc.problems]
    shown = "\n".join(lines[:SHOWN_PROBLEMS])
    if len(lines) > SHOWN_PROBLEMS:
        shown += "\n" + _("……另有 {count} 个问题，见详细信息。").format(count=len(lines) - SHOWN_PROBLEMS)
    box.setInformativeText(shown)
    box.setDetailedText("\n".join(lines))
    box.addButton(QMessageBox.StandardButton.Ok)
    if not getattr(show_error, "suppress", False):
        box.open()
    return box


class LossParametersBox(QGroupBox):
    """The files and parameters of a calculation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("测算参数"), parent)
        form = QFormLayout(self)
        self.market_edit = QLineEdit()
        self.market_edit.setPlaceholderText(_("交易日期、收盘价、成交量、流通股本、指数收盘（可含复权因子）"))
        self.trades_edit = QLineEdit()
        self.trades_edit.setPlaceholderText(_("投资者、证件号码、成交日期、买卖、成交数量、成交价格"))
        form.addRow(_("行情文件："), self._file_row(self.market_edit, _("选择行情文件")))
        form.addRow(_("交易记录："), self._file_row(self.trades_edit, _("选择交易记录文件")))
        self.implemented_edit = self._date_edit()
        self.disclosed_edit = self._date_edit()
        dates = QHBoxLayout()
        dates.addWidget(self.implemented_edit)
        dates.addWidget(QLabel(_("揭露日：")))
        dates.addWidget(self.disclosed_edit)
        dates.addStretch(1)
        form.addRow(_("实施日："), dates)
        self.kind_combo = QComboBox()
        for kind in Kind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.method_combo = QComboBox()
        for method in Method:
            self.method_combo.addItem(method.label, method.value)
        kinds = QHBoxLayout()
        kinds.addWidget(self.method_combo)
        kinds.addWidget(QLabel(_("类型：")))
        kinds.addWidget(self.kind_combo)
        kinds.addStretch(1)
        form.addRow(_("买入均价："), kinds)
        self.commission_edit = QLineEdit(str(DEFAULT_COMMISSION_RATE))
        self.interest_check = QCheckBox(_("计算利息，年利率"))
        self.interest_edit = QLineEdit("0.0035")
        self.interest_edit.setEnabled(False)
        self.interest_check.toggled.connect(self.interest_edit.setEnabled)
        rates = QHBoxLayout()
        rates.addWidget(self.commission_edit)
        rates.addWidget(self.interest_check)
        rates.addWidget(self.interest_edit)
        form.addRow(_("佣金费率："), rates)
        self.ratio_edit = QLineEdit()
        self.ratio_edit.setPlaceholderText(_("如 0.4；留空则建议金额为损失合计"))
        form.addRow(_("调解比例："), self.ratio_edit)
        self.dates_note = QLabel()
        self.dates_note.setStyleSheet("color: #b26a00")
        self.dates_note.setWordWrap(True)
        self.dates_note.hide()
        form.addRow(self.dates_note)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(qdate(None))
        return edit

    def _file_row(self, edit: QLineEdit, title: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton(_("选择…"))
        button.clicked.connect(lambda: self._choose(edit, title))
        row.addWidget(button)
        return row

    def _choose(self, edit: QLineEdit, title: str) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, title, edit.text(), _(FILE_FILTER))
        if path:
            edit.setText(path)

    def set_company(self, name: str, implemented_on: date | None, disclosed_on: date | None) -> None:
        """The company's 实施日 / 揭露日 (a note asks for them when the record has none)."""
        self.implemented_edit.setDate(qdate(implemented_on))
        self.disclosed_edit.setDate(qdate(disclosed_on))
        missing = implemented_on is None or disclosed_on is None
        self.dates_note.setText(
            _(
                "上市公司“{name}”尚未登记实施日和揭露日：请在此填写，或先用 mediator company set 登记。"
            ).format(name=name)
        )
        self.dates_note.setVisible(missing)

    def restore(self, state: WindowState) -> None:
        """The files and method of the last calculation (one company's cases share them)."""
        for name, edit in (("market", self.market_edit), ("trades", self.trades_edit)):
            value = state.value(name)
            if isinstance(value, str) and not edit.text():
                edit.setText(value)
        index = self.method_combo.findData(state.value("method"))
        if index >= 0:
            self.method_combo.setCurrentIndex(index)

    def remember(self, state: WindowState) -> None:
        state.save_value("market", self.market_edit.text().strip())
        state.save_value("trades", self.trades_edit.text().strip())
        state.save_value("method", self.method_combo.currentData())

    def set_ratio(self, ratio: Decimal | None) -> None:
        self.ratio_edit.setText("" if ratio is None else str(ratio))

    def paths(self) -> tuple[Path, Path]:
        market, trades = self.market_edit.text().strip(), self.trades_edit.text().strip()
        if not market or not trades:
            raise UserError(_("请选择行情文件和交易记录文件。"))
        return Path(market), Path(trades)

    def parameters(self) -> LossParameters:
        """The parameters as entered; ``UserError`` naming a bad one."""
        implemented = self.implemented_edit.date().toPython()
        disclosed = self.disclosed_edit.date().toPython()
        assert isinstance(implemented, date) and isinstance(disclosed, date)
        commission = _decimal(self.commission_edit.text(), _("佣金费率"))
        interest = _decimal(self.interest_edit.text(), _("利率")) if self.interest_check.isChecked() else None
        parameters = LossParameters(
            implemented,
            disclosed,
            method=Method(self.method_combo.currentData()),
            kind=Kind(self.kind_combo.currentData()),
            commission_rate=DEFAULT_COMMISSION_RATE if commission is None else commission,
            interest_rate=interest,
            ratio=_decimal(self.ratio_edit.text(), _("调解比例")),
        )
        parameters.check()
        return parameters


def print_pdf(parent: QWidget, data: bytes, title: str) -> int:
    """Ask for a printer and print the PDF ``data``; the pages printed (0 if cancelled)."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    return print_pdf_to(printer, data)


def print_pdf_to(printer: QPagedPaintDevice, data: bytes) -> int:
    """Draw each page of the PDF ``data`` on ``printer`` (rendered at 300 dpi); the pages printed."""
    from PySide6.QtPdf import QPdfDocument

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "breakdown.pdf"
        path.write_bytes(data)
        document = QPdfDocument()
        if document.load(str(path)) != QPdfDocument.Error.None_:
            return 0
        painter = QPainter()
        if not painter.begin(printer):
            document.close()
            return 0
        printed = 0
        try:
            for page in range(document.pageCount()):
                if printed:
                    printer.newPage()
                points = document.pagePointSize(page)
                pixels = QSize(
                    round(points.width() * PRINT_DPI / 72), round(points.height() * PRINT_DPI / 72)
                )
                target = painter.viewport()
                fitted = pixels.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.topLeft(), fitted), document.render(page, pixels))
                printed += 1
        finally:
            painter.end()
            document.close()
        return printed


def _tree(headers: Sequence[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setWordWrap(True)
    tree.setAlternatingRowColors(True)
    return tree


def _outcomes_text(saved: LossesSaved) -> str:
    return saved.summary(cli=False)


class CaseLossDialog(QDialog):
    """One case: compute its investor's loss, see each step, print or save the breakdown, store
    it and offer it as the agreed amount."""

    # The case's agreed amount or stored result changed: case id.
    applied = Signal(int)

    def __init__(
        self, database: Database, case_id: int, preferences: Preferences, parent: QWidget | None = None
    ) -> None:
        from mediator.services.losses.cases import case_loss_context

        super().__init__(parent)
        self.setWindowTitle(_("损失测算"))
        self._database = database
        self._preferences = preferences
        self._case_id = case_id
        self.context = case_loss_context(database, case_id)
        self.breakdown: LossBreakdown | None = None
        self.job: JobHandle[Any] | None = None
        c = self.context
        layout = QVBoxLayout(self)
        header = QLabel(
            f"<b>{escape(c.case_number)}</b>　{escape(c.investor)}（{c.id_number}）　{escape(c.company)}"
        )
        layout.addWidget(header)
        self.stored_label = QLabel(c.stored.summary() if c.stored else _("本案尚未保存测算结果。"))
        self.stored_label.setWordWrap(True)
        layout.addWidget(self.stored_label)
        self.params = LossParametersBox()
        self.state = WindowState(preferences.qsettings, "loss_calculator")
        self.params.restore(self.state)
        self.params.set_company(c.company, c.implemented_on, c.disclosed_on)
        self.params.set_ratio(c.settlement_ratio)
        layout.addWidget(self.params)
        self.calculate_button = QPushButton(_("计算"))
        self.calculate_button.setDefault(True)
        self.calculate_button.clicked.connect(self.calculate)
        layout.addWidget(self.calculate_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.steps = _tree([_("依据"), _("项目"), _("计算"), _("金额（元）")])
        for column, width in enumerate((90, 150, 420)):
            self.steps.setColumnWidth(column, width)
        layout.addWidget(self.steps, 1)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        layout.addWidget(self.total_label)
        buttons = QHBoxLayout()
        self.pdf_button = QPushButton(_("保存明细 PDF…"))
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.print_button = QPushButton(_("打印明细…"))
        self.print_button.clicked.connect(self.print_breakdown)
        self.save_button = QPushButton(_("保存结果"))
        self.save_button.clicked.connect(lambda: self.store(apply=False))
        self.apply_button = QPushButton(_("设为调解金额"))
        self.apply_button.clicked.connect(lambda: self.store(apply=True))
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.reject)
        for button in (self.pdf_button, self.print_button, self.save_button, self.apply_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(860, 720)

    # --- computing --------------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        show_problems(self, exc)

    def calculate(self) -> JobHandle[LossBreakdown] | None:
        from mediator.services.losses.cases import calculate_case_loss

        try:
            parameters = self.params.parameters()
            market, trades = self.params.paths()
        except UserError as exc:
            show_error(self, exc)
            return None
        self.params.remember(self.state)
        database, case_id = self._database, self._case_id

        def op(progress: Progress) -> LossBreakdown:
            return calculate_case_loss(database, case_id, market, trades, parameters, progress)

        self.job = run_job(
            self,
            op,
            title=_("测算损失"),
            on_success=self.show_result,
            on_failure=self._failed,
            pool=Pool.READ,
        )
        return self.job

    def show_result(self, result: LossBreakdown) -> None:
        self.breakdown = result
        self.steps.clear()
        for step in result.steps:
            amount = "" if step.amount is None else format_money(step.amount)
            item = QTreeWidgetItem([step.article, step.label, step.detail, amount])
            item.setToolTip(2, step.detail)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.steps.addTopLevelItem(item)
        text = _("损失合计 {total} 元").format(total=format_money(result.total.quantize(Decimal("0.01"))))
        if result.proposed is not None:
            text += _("；按调解比例 {ratio}，建议调解金额 {amount} 元").format(
                ratio=result.parameters.ratio, amount=format_money(result.proposed)
            )
        self.total_label.setText(f"<b>{text}</b>")
        for button in (self.pdf_button, self.print_button, self.save_button, self.apply_button):
            button.setEnabled(True)

    # --- the breakdown PDF ------------------------------------------------------------------------

    def pdf_bytes(self) -> bytes:
        from mediator.services.losses.breakdown import breakdown_pdf

        assert self.breakdown is not None
        return breakdown_pdf(self.breakdown, self.context.company)

    def save_pdf(self, path: Path | None = None) -> JobHandle[Path] | None:
        if self.breakdown is None:
            return None
        if path is None:
            suggested = _("{investor}_损失计算明细.pdf").format(investor=self.context.investor)
            chosen, _filter = QFileDialog.getSaveFileName(self, _("保存计算明细"), suggested, "PDF (*.pdf)")
            if not chosen:
                return None
            path = Path(chosen)
        result, company, target = self.breakdown, self.context.company, path

        def op(_progress: Progress) -> Path:
            from mediator.services.documents.layout import atomic_write
            from mediator.services.losses.breakdown import breakdown_pdf

            atomic_write(target, breakdown_pdf(result, company))
            return target

        def saved(written: Path) -> None:
            self.total_label.setText(
                self.total_label.text() + "<br>" + _("计算明细已保存：{path}").format(path=written)
            )

        self.job = run_job(self, op, title=_("生成计算明细"), on_success=saved, pool=Pool.READ)
        return self.job

    def print_breakdown(self) -> int:
        if self.breakdown is None:
            return 0
        try:
            data = self.pdf_bytes()
        except UserError as exc:
            show_error(self, exc)
            return 0
        return print_pdf(self, data, _("打印损失计算明细"))

    # --- storing ----------------------------------------------------------------------------------

    def confirm(self, question: str) -> bool:
        """Ask yes/no (tests replace this)."""
        answer = QMessageBox.question(self, _("损失测算"), question)
        return answer == QMessageBox.StandardButton.Yes

    def store(self, *, apply: bool) -> JobHandle[LossesSaved] | None:
        """Store the result with the case; with ``apply`` also set the agreed amount, after asking
        when the mediator typed one."""
        result = self.breakdown
        if result is None:
            return None
        database, case_id, actor = self._database, self._case_id, self._preferences.actor()

        def save(replace_agreed: bool, dry_run: bool) -> Callable[[Progress], LossesSaved]:
            def op(progress: Progress) -> LossesSaved:
                from mediator.services.losses.cases import save_loss_results

                return save_loss_results(
                    database,
                    [result],
                    actor=actor,
                    case_id=case_id,
                    apply=apply,
                    replace_agreed=replace_agreed,
                    dry_run=dry_run,
                    progress=progress,
                )

            return op

        def stored(saved: LossesSaved) -> None:
            self.stored_label.setText(_outcomes_text(saved))
            self.applied.emit(case_id)

        def planned(plan: LossesSaved) -> None:
            replace_agreed = False
            if plan.kept:
                case = plan.kept[0]
                question = _("本案已填写调解金额 {agreed} 元。是否改为测算的建议金额 {proposed} 元？").format(
                    agreed=format_money(case.agreed_before or Decimal(0)),
                    proposed=format_money(case.proposed),
                )
                replace_agreed = self.confirm(question)
            self.job = run_job(self, save(replace_agreed, False), title=_("保存测算结果"), on_success=stored)

        if not apply:
            self.job = run_job(self, save(False, False), title=_("保存测算结果"), on_success=stored)
        else:
            self.job = run_job(self, save(False, True), title=_("保存测算结果"), on_success=planned)
        return self.job


class BatchLossDialog(QDialog):
    """Every investor of a trades file for one listed company (and batch): run with progress and
    取消, the results listed, the breakdowns saved as PDFs, the results stored with their cases."""

    # Cases changed (agreed amounts or stored results): the case table refreshes.
    applied = Signal()

    def __init__(self, database: Database, preferences: Preferences, parent: QWidget | None = None) -> None:
        from mediator.services.parties.companies import list_companies

        super().__init__(parent)
        self.setWindowTitle(_("损失测算（批量）"))
        self._database = database
        self._preferences = preferences
        self.run: LossRun | None = None
        self.saved: LossesSaved | None = None
        self.job: JobHandle[Any] | None = None
        self._companies = list_companies(database)
        layout = QVBoxLayout(self)
        scope = QHBoxLayout()
        self.company_combo = QComboBox()
        for company in self._companies:
            self.company_combo.addItem(company.name, company.name)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(0, 9999)
        self.batch_spin.setSpecialValueText(_("全部批次"))
        scope.addWidget(QLabel(_("上市公司：")))
        scope.addWidget(self.company_combo, 1)
        scope.addWidget(QLabel(_("批次：")))
        scope.addWidget(self.batch_spin)
        layout.addLayout(scope)
        self.params = LossParametersBox()
        self.state = WindowState(preferences.qsettings, "loss_calculator")
        self.params.restore(self.state)
        layout.addWidget(self.params)
        self.company_combo.currentIndexChanged.connect(self._company_chosen)
        self._company_chosen(self.company_combo.currentIndex())
        self.calculate_button = QPushButton(_("计算"))
        self.calculate_button.setDefault(True)
        self.calculate_button.clicked.connect(self.calculate)
        layout.addWidget(self.calculate_button, alignment=Qt.AlignmentFlag.AlignRight)
        headers = [_("投资者"), _("基准日"), _("投资差额损失"), _("风险扣除%"), _("损失合计"), _("建议金额")]
        headers += [_("案件"), _("结果")]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Columns sized once after a fill: ResizeToContents would measure every row at each change,
        # minutes for a few thousand investors.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        buttons = QHBoxLayout()
        self.pdf_button = QPushButton(_("保存明细 PDF 到文件夹…"))
        self.pdf_button.clicked.connect(lambda: self.save_pdfs())
        self.save_button = QPushButton(_("保存结果到案件"))
        self.save_button.clicked.connect(lambda: self.store(apply=False))
        self.apply_button = QPushButton(_("设为调解金额"))
        self.apply_button.clicked.connect(lambda: self.store(apply=True))
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.reject)
        for button in (self.pdf_button, self.save_button, self.apply_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(1000, 760)

    def _company_chosen(self, index: int) -> None:
        if not 0 <= index < len(self._companies):
            self.params.set_company("", None, None)
            return
        company = self._companies[index]
        self.params.set_company(company.name, company.implemented_on, company.disclosed_on)
        ratio = company.settlement_ratio
        self.params.set_ratio(Decimal(ratio) if ratio else None)

    @property
    def company(self) -> str | None:
        name = self.company_combo.currentData()
        return str(name) if name else None

    @property
    def batch(self) -> int | None:
        return self.batch_spin.value() or None

    def _failed(self, exc: BaseException) -> None:
        show_problems(self, exc)

    def calculate(self) -> JobHandle[LossRun] | None:
        from mediator.services.losses.batch import run_losses

        try:
            parameters = self.params.parameters()
            market, trades = self.params.paths()
        except UserError as exc:
            show_error(self, exc)
            return None
        self.params.remember(self.state)

        def op(progress: Progress) -> LossRun:
            return run_losses(market, trades, parameters, progress)

        self.job = run_job(
            self,
            op,
            title=_("测算损失"),
            on_success=self.show_run,
            on_failure=self._failed,
            pool=Pool.READ,
        )
        return self.job

    def show_run(self, run: LossRun) -> None:
        self.run, self.saved = run, None
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(run.results))
        for row, result in enumerate(run.results):
            label = result.investor
            if result.id_number:
                label += f"（{mask_id_number(result.id_number)}）"
            proposed = "" if result.proposed is None else format_money(result.proposed)
            cells = [
                label,
                result.base.day.isoformat(),
                format_money(result.investment_loss),
                str(result.risk_deduction_pct),
                format_money(result.total.quantize(Decimal("0.01"))),
                proposed,
                "",
                "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 2 <= column <= 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._sized()
        self.summary_label.setText(run.as_text().splitlines()[-1])
        for button in (self.pdf_button, self.save_button, self.apply_button):
            button.setEnabled(bool(run.results))

    def save_pdfs(self, folder: Path | None = None) -> JobHandle[list[Path]] | None:
        if self.run is None:
            return None
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, _("保存计算明细到文件夹"))
            if not chosen:
                return None
            folder = Path(chosen)
        results, company, target = self.run.results, self.company, folder

        def op(progress: Progress) -> list[Path]:
            from mediator.services.losses.breakdown import write_breakdowns

            return write_breakdowns(results, target, company=company, progress=progress)

        def written(paths: list[Path]) -> None:
            self.summary_label.setText(
                _("计算明细 {count} 份已保存在 {folder}。").format(count=len(paths), folder=target)
            )

        self.job = run_job(self, op, title=_("生成计算明细"), on_success=written, pool=Pool.READ)
        return self.job

    def confirm(self, question: str) -> bool:
        """Ask yes/no (tests replace this)."""
        answer = QMessageBox.question(self, _("损失测算"), question)
        return answer == QMessageBox.StandardButton.Yes

    def store(self, *, apply: bool) -> JobHandle[LossesSaved] | None:
        """Store every result with its case; with ``apply`` set the agreed amounts too, asking
        before replacing amounts the mediators typed."""
        if self.run is None:
            return None
        results, database, actor = self.run.results, self._database, self._preferences.actor()
        company, batch = self.company, self.batch

        def save(replace_agreed: bool, dry_run: bool) -> Callable[[Progress], LossesSaved]:
            def op(progress: Progress) -> LossesSaved:
                from mediator.services.losses.cases import save_loss_results

                return save_loss_results(
                    database,
                    results,
                    actor=actor,
                    company=company,
                    batch=batch,
                    apply=apply,
                    replace_agreed=replace_agreed,
                    dry_run=dry_run,
                    progress=progress,
                )

            return op

        def planned(plan: LossesSaved) -> None:
            replace_agreed = False
            if plan.kept:
                question = _(
                    "{count} 件案件已填写调解金额（如 {case}：{agreed} 元，测算建议 {proposed} 元）。"
                    "是否全部改为测算的建议金额？选“否”则保留已填写的金额。"
                ).format(
                    count=len(plan.kept),
                    case=plan.kept[0].case_number,
                    agreed=format_money(plan.kept[0].agreed_before or Decimal(0)),
                    proposed=format_money(plan.kept[0].proposed),
                )
                replace_agreed = self.confirm(question)
            self.job = run_job(
                self, save(replace_agreed, False), title=_("保存测算结果"), on_success=self.show_saved
            )

        if apply:
            self.job = run_job(self, save(False, True), title=_("保存测算结果"), on_success=planned)
        else:
            self.job = run_job(self, save(False, False), title=_("保存测算结果"), on_success=self.show_saved)
        return self.job

    def _sized(self) -> None:
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)

    def show_saved(self, saved: LossesSaved) -> None:
        self.saved = saved
        by_investor = {case.investor: case for case in saved.cases}
        self.table.setUpdatesEnabled(False)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            case = by_investor.get(item.text()) if item is not None else None
            self.table.setItem(row, 6, QTableWidgetItem(case.case_number if case else _("未找到案件")))
            outcome = case.outcome.label if case else ""
            if case and case.capped:
                outcome += _("（已按诉请金额）")
            self.table.setItem(row, 7, QTableWidgetItem(outcome))
        self._sized()
        self.summary_label.setText(_outcomes_text(saved))
        if saved.cases:
            self.applied.emit()
