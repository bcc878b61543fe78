"""The registries: listed companies (the particulars agreements print) and mediators.

One dialog with a tab each, reachable from the 登记 menu, from the import's warning about a new
company and from the agreements' refusal for missing particulars. Each tab is a list and an edit
form checked as you type with the domain's validators (the USCC's check digit per GB 32100, the
stock code, names, phone numbers, the order of 实施日 and 揭露日); saving runs in the write pool
(services/parties), the list is read off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.parties import check_company_changes, check_company_name, validate_phone
from mediator.domain.validators import validate_person_name
from mediator.errors import ValidationError
from mediator.gui.jobs import JobHandle, Pool, Refresher, run_job
from mediator.gui.style import WARNING_RED
from mediator.i18n import N_, _
from mediator.services.calendar import parse_day
from mediator.services.parties.companies import CompanyInfo, list_companies, set_company
from mediator.services.parties.mediators import MediatorInfo, add_mediator, list_mediators
from mediator.store.database import Database

_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; border-radius: 3px; }"
COMPANIES_TAB, MEDIATORS_TAB = range(2)

# The company form: (field of set_company, label msgid, placeholder msgid).
COMPANY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("uscc", N_("统一社会信用代码"), N_("18位，校验位按 GB 32100 检查")),
    ("legal_representative", N_("法定代表人"), ""),
    ("address", N_("住所"), ""),
    ("stock_code", N_("股票代码"), N_("如 600000 或 600000.SH")),
    ("stock_name", N_("股票简称"), ""),
    ("phone", N_("联系电话"), N_("如 025-83331234")),
    ("counsel", N_("委托代理人"), ""),
    ("decision", N_("行政处罚决定"), N_("如 中国证监会江苏监管局〔2024〕5号行政处罚决定书")),
    ("implemented_on", N_("虚假陈述实施日"), N_("如 2021-04-28")),
    ("disclosed_on", N_("虚假陈述揭露日"), N_("如 2023-10-20")),
)
_DATES = ("implemented_on", "disclosed_on")


def _field_text(info: CompanyInfo, field: str) -> str:
    value = getattr(info, field)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


class _CheckedForm:
    """Line edits checked as typed: a bad value gets a red border and its reason as tooltip."""

    def __init__(self) -> None:
        self.edits: dict[str, QLineEdit] = {}
        self.problems: dict[str, str] = {}

    def mark(self, field: str, problem: str | None) -> None:
        edit = self.edits[field]
        edit.setStyleSheet(_INVALID_STYLE if problem else "")
        edit.setToolTip(problem or "")
        edit.setProperty("invalid", bool(problem))
        if problem:
            self.problems[field] = problem
        else:
            self.problems.pop(field, None)


class CompanyTab(QWidget):
    """The listed companies: a list (with what agreements still need) and the edit form."""

    def __init__(self, database: Database, actor: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self.companies: list[CompanyInfo] = []
        self._wanted: str | None = None
        self.job: JobHandle[Any] | None = None
        self.form = _CheckedForm()
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget()
        self.list.setObjectName("companyList")
        self.list.currentRowChanged.connect(self._selected)
        splitter.addWidget(self.list)
        right = QWidget()
        column = QVBoxLayout(right)
        fields = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("company_name")
        self.name_edit.setPlaceholderText(_("与委派清单中的被告一致"))
        fields.addRow(_("上市公司名称"), self.name_edit)
        self.form.edits["name"] = self.name_edit
        self.name_edit.textChanged.connect(lambda _t: self.check())
        for field, label, placeholder in COMPANY_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"company_{field}")
            if placeholder:
                edit.setPlaceholderText(_(placeholder))
            edit.textChanged.connect(lambda _t: self.check())
            self.form.edits[field] = edit
            fields.addRow(_(label), edit)
        column.addLayout(fields)
        self.missing_label = QLabel()
        self.missing_label.setObjectName("companyMissing")
        self.missing_label.setWordWrap(True)
        column.addWidget(self.missing_label)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("companyProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {WARNING_RED.name()}")
        column.addWidget(self.problem_label)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("新建上市公司"))
        self.new_button.clicked.connect(self.new_company)
        self.save_button = QPushButton(_("保存"))
        self.save_button.setObjectName("saveCompany")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        column.addStretch(1)
        splitter.addWidget(right)
        splitter.setSizes([260, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        database_ = database
        self.loader: Refresher[list[CompanyInfo]] = Refresher(
            self, lambda: list_companies(database_), self._loaded, title=_("读取上市公司")
        )
        self.loader.request()
        self.new_company()

    @property
    def busy(self) -> bool:
        return self.loader.busy or (self.job is not None and self.job.running)

    def select(self, name: str | None) -> None:
        """Show ``name`` (once the list is read); None: the first company still missing something."""
        self._wanted = name
        if not self.loader.busy:
            self._select_wanted()

    def _loaded(self, companies: list[CompanyInfo]) -> None:
        shown = self.current()
        current = shown.name if shown is not None else None
        self.companies = companies
        self.list.blockSignals(True)
        self.list.clear()
        for company in companies:
            item = QListWidgetItem(company.name)
            if company.missing:
                item.setForeground(WARNING_RED)
                item.setToolTip(_("缺少：") + "、".join(company.missing))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self._wanted is None and current is not None:
            self._wanted = current
        self._select_wanted()

    def _select_wanted(self) -> None:
        wanted, self._wanted = self._wanted, None
        names = [c.name for c in self.companies]
        if wanted in names:
            row = names.index(wanted)
        else:
            row = next((i for i, c in enumerate(self.companies) if c.missing), 0 if names else -1)
        if row >= 0:
            self.list.setCurrentRow(row)
            self._selected(row)

    def current(self) -> CompanyInfo | None:
        row = self.list.currentRow()
        return self.companies[row] if 0 <= row < len(self.companies) else None

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.companies):
            return
        company = self.companies[row]
        self.name_edit.setText(company.name)
        self.name_edit.setReadOnly(True)
        for field, _label, _placeholder in COMPANY_FIELDS:
            self.form.edits[field].setText(_field_text(company, field))
        if company.missing:
            self.missing_label.setText(
                _("生成调解协议书前还需补全：{items}。").format(items="、".join(company.missing))
            )
        else:
            self.missing_label.setText(_("协议书所需资料齐全。"))
        self.check()

    def new_company(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.name_edit.setReadOnly(False)
        for edit in self.form.edits.values():
            edit.clear()
        self.missing_label.setText(_("新的上市公司：填写名称（与委派清单中的被告一致）和协议书所需资料。"))
        self.name_edit.setFocus()
        self.check()

    def _text(self, field: str) -> str:
        return self.form.edits[field].text().strip()

    def check(self) -> bool:
        """Check every field as typed; 保存 only when all pass."""
        for field in self.form.edits:
            self.form.mark(field, None)
        try:
            check_company_name(self._text("name"))
        except ValidationError as exc:
            self.form.mark("name", str(exc))
        days: dict[str, date | None] = {}
        for field in _DATES:
            try:
                days[field] = parse_day(self._text(field)) if self._text(field) else None
            except ValidationError as exc:
                days[field] = None
                self.form.mark(field, str(exc))
        for field, _label, _placeholder in COMPANY_FIELDS:
            if field in _DATES or not self._text(field):
                continue
            one: dict[str, Any] = {field: self._text(field)}
            try:
                check_company_changes(**one)
            except ValidationError as exc:
                self.form.mark(field, str(exc))
        try:
            check_company_changes(implemented_on=days["implemented_on"], disclosed_on=days["disclosed_on"])
        except ValidationError as exc:
            self.form.mark("disclosed_on", str(exc))
        problems = self.form.problems
        self.problem_label.setText("\n".join(problems.values()))
        self.save_button.setEnabled(not problems and not (self.job is not None and self.job.running))
        return not problems

    def values(self) -> dict[str, Any]:
        """What ``set_company`` takes: every particular as typed ("" clears it)."""
        values: dict[str, Any] = {field: self._text(field) for field, _l, _p in COMPANY_FIELDS}
        for field in _DATES:
            values[field] = parse_day(values[field]) if values[field] else ""
        return values

    def save(self) -> JobHandle[Any] | None:
        if not self.check():
            return None
        name, values = self._text("name"), self.values()
        database, actor = self._database, self._actor()

        def saved(result: Any) -> None:
            self.problem_label.setText(result.summary())
            self.select(result.company.name)
            self.loader.request()

        self.save_button.setEnabled(False)
        self.job = run_job(
            self,
            lambda _progress: set_company(database, name, actor=actor, **values),
            title=_("保存上市公司资料"),
            on_success=saved,
            pool=Pool.WRITE,
            cancellable=False,
        )
        self.job.finished.connect(self.check)
        return self.job


class MediatorTab(QWidget):
    """The mediators: a table (name, phone, active, cases) and the edit form."""

    def __init__(self, database: Database, actor: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self.mediators: list[MediatorInfo] = []
        self.job: JobHandle[Any] | None = None
        self.form = _CheckedForm()
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("mediatorTable")
        self.table.setHorizontalHeaderLabels([_("姓名"), _("联系电话"), _("状态"), _("案件")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, _c, _r, _p: self._selected(row))
        layout.addWidget(self.table, 1)
        fields = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("mediator_name")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("mediator_phone")
        self.phone_edit.setPlaceholderText(_("写入协议书与签署清单，如 13912345678"))
        self.active_check = QCheckBox(_("在岗（可分配案件）"))
        self.active_check.setChecked(True)
        self.form.edits = {"name": self.name_edit, "phone": self.phone_edit}
        for edit in self.form.edits.values():
            edit.textChanged.connect(lambda _t: self.check())
        fields.addRow(_("姓名"), self.name_edit)
        fields.addRow(_("联系电话"), self.phone_edit)
        fields.addRow("", self.active_check)
        layout.addLayout(fields)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("mediatorProblem")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("新建调解员"))
        self.new_button.clicked.connect(self.new_mediator)
        self.save_button = QPushButton(_("保存"))
        self.save_button.setObjectName("saveMediator")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        database_ = database
        self.loader: Refresher[list[MediatorInfo]] = Refresher(
            self, lambda: list_mediators(database_), self._loaded, title=_("读取调解员")
        )
        self.loader.request()
        self.check()

    @property
    def busy(self) -> bool:
        return self.loader.busy or (self.job is not None and self.job.running)

    def _loaded(self, mediators: list[MediatorInfo]) -> None:
        self.mediators = mediators
        self.table.blockSignals(True)
        self.table.setRowCount(len(mediators))
        for row, m in enumerate(mediators):
            cells = [m.name, m.phone or "", _("在岗") if m.active else _("停用"), f"{m.cases:,}"]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.blockSignals(False)

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.mediators):
            return
        m = self.mediators[row]
        self.name_edit.setText(m.name)
        self.name_edit.setReadOnly(True)
        self.phone_edit.setText(m.phone or "")
        self.active_check.setChecked(m.active)

    def new_mediator(self) -> None:
        self.table.clearSelection()
        self.name_edit.setReadOnly(False)
        self.name_edit.clear()
        self.phone_edit.clear()
        self.active_check.setChecked(True)
        self.name_edit.setFocus()

    def check(self) -> bool:
        self.form.mark("name", None)
        self.form.mark("phone", None)
        try:
            validate_person_name(self.name_edit.text())
        except ValidationError as exc:
            self.form.mark("name", str(exc))
        if self.phone_edit.text().strip():
            try:
                validate_phone(self.phone_edit.text())
            except ValidationError as exc:
                self.form.mark("phone", str(exc))
        self.problem_label.setText("\n".join(self.form.problems.values()))
        self.save_button.setEnabled(
            not self.form.problems and not (self.job is not None and self.job.running)
        )
        return not self.form.problems

    def save(self) -> JobHandle[Any] | None:
        if not self.check():
            return None
        name, phone = self.name_edit.text().strip(), self.phone_edit.text().strip() or None
        active = self.active_check.isChecked()
        database, actor = self._database, self._actor()

        def saved(result: Any) -> None:
            self.problem_label.setText(result.summary())
            self.loader.request()

        self.save_button.setEnabled(False)
        self.job = run_job(
            self,
            lambda _progress: add_mediator(database, name, phone=phone, actor=actor, active=active),
            title=_("保存调解员资料"),
            on_success=saved,
            pool=Pool.WRITE,
            cancellable=False,
        )
        self.job.finished.connect(self.check)
        return self.job


class RegistryDialog(QDialog):
    """登记: the listed companies and the mediators, one tab each."""

    def __init__(self, database: Database, actor: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryDialog")
        self.setWindowTitle(_("上市公司与调解员登记"))
        self.resize(860, 560)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.companies = CompanyTab(database, actor)
        self.mediators = MediatorTab(database, actor)
        self.tabs.addTab(self.companies, _("上市公司"))
        self.tabs.addTab(self.mediators, _("调解员"))
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def busy(self) -> bool:
        return self.companies.busy or self.mediators.busy


def open_registry(
    parent: QWidget,
    database: Database,
    actor: Callable[[], str],
    *,
    tab: int = COMPANIES_TAB,
    company: str | None = None,
) -> RegistryDialog:
    """Open the registry on ``tab`` (non-modal); on the company tab show ``company``, else the first
    company still missing a particular an agreement needs."""
    dialog = RegistryDialog(database, actor, parent)
    dialog.tabs.setCurrentIndex(tab)
    if tab == COMPANIES_TAB:
        dialog.companies.select(company)
    dialog.open()
    return dialog
