"""The main window: batches, cases with their detail panel, dashboard; menus, toolbar, status bar.

Layout comes from forms/main_window.ui (compiled to ui_main_window.py); this class wires behaviour.
The import and document dialogs are written separately and may be absent: their actions are then
disabled with a tooltip saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QMainWindow, QMenu, QMessageBox, QStyle, QWidget

from mediator import __version__
from mediator.domain.clock import china_today
from mediator.domain.workflow import STATUS_ORDER, CaseStatus
from mediator.gui.batch_list import BatchListModel, install_batch_view, status_legend
from mediator.gui.case_detail import CaseDetailPanel, document_preview_class
from mediator.gui.case_table import COLUMN_INDEX, CaseTableModel, FilterDebouncer
from mediator.gui.document_jobs import DocumentJobs, DocumentTarget
from mediator.gui.errors import show_error
from mediator.gui.jobs import JobHandle, Pool, Refresher, run_job
from mediator.gui.settings import (
    DATABASE_URL,
    DUE_WITHIN_DAYS,
    LANGUAGE,
    STRICT_SIGNATURES,
    TRUST_ROOTS,
    Preferences,
    WindowState,
)
from mediator.gui.ui_main_window import Ui_MainWindow
from mediator.i18n import _
from mediator.services.cases.batches import BatchSummary
from mediator.services.cases.lists import (
    MATCH_COUNT_LIMIT,
    CaseFilter,
    FilterChoices,
    count_cases,
    filter_choices,
)
from mediator.services.documents.kinds import DocumentKind, Scope
from mediator.store.database import Database

log = logging.getLogger("mediator.gui")

# Default column widths of the case table (pixels) before the user arranges them.
_CASE_COLUMN_WIDTHS = {
    "case_number": 175,
    "investor": 70,
    "id_number": 150,
    "phone": 100,
    "batch": 55,
    "company": 150,
    "claimed": 100,
    "agreed": 100,
    "status": 95,
    "mediator": 65,
    "referred_on": 90,
}
_BATCH_COLUMN_WIDTHS = (80, 220, 100, 110, 70, 190)
BATCHES_TAB, CASES_TAB, DASHBOARD_TAB = range(3)


def import_dialog_class() -> type[Any] | None:
    """The referral-import dialog (written separately); None while it is not installed."""
    try:
        from mediator.gui.import_dialog import ImportDialog
    except ImportError as exc:
        log.warning("import dialog unavailable: %s", exc)
        return None
    return ImportDialog


class MainWindow(QMainWindow):
    """The mediator's workbench. Constructed with its collaborators (no globals)."""

    def __init__(
        self,
        database: Database,
        qsettings: QSettings,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = china_today,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.preferences = Preferences(qsettings)
        self.state = WindowState(qsettings, "main_window")
        self._today = today
        self.form = Ui_MainWindow()
        self.form.setupUi(self)
        f = self.form
        self.dashboard: Any = None  # created when its tab is first shown (QtCharts loads then)

        # Batches
        self.batch_model = BatchListModel(database, today(), self)
        install_batch_view(f.batchTable, self.batch_model)
        f.batchesLayout.addWidget(status_legend())
        f.batchTable.doubleClicked.connect(self._open_batch)

        # Cases
        self.case_model = CaseTableModel(database, self)
        f.caseTable.setModel(self.case_model)
        header = f.caseTable.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for key, width in _CASE_COLUMN_WIDTHS.items():
            f.caseTable.setColumnWidth(COLUMN_INDEX[key], width)
        f.caseTable.verticalHeader().setDefaultSectionSize(f.caseTable.fontMetrics().height() + 8)
        f.caseTable.selectionModel().currentRowChanged.connect(self._case_selected)
        self.detail = CaseDetailPanel(database, self.preferences, f.detailHost, today=today)
        f.detailLayout.addWidget(self.detail)
        self.detail.case_changed.connect(self._case_changed)
        # The status bar's count is a second query over the same rows. It starts in a worker as the
        # page is read, not after it: PostgreSQL runs the two in two server processes, and sqlite3
        # lets go of the GIL while it steps, so the count lands with the rows instead of a query
        # later (at a million cases '张' is ~30 ms to count, as long as its page).
        self.case_model.reloading.connect(self.update_counts)
        self.case_model.filter_applied.connect(self._filter_applied)

        # Filters. The company, batch and mediator lists are read in a worker: until they land the
        # saved choices wait in _pending_filters.
        self._debouncer = FilterDebouncer(self.apply_filter, self)
        f.filterEdit.textChanged.connect(lambda _t: self._debouncer.poke())
        f.filterEdit.returnPressed.connect(self._debouncer.flush)
        self._pending_filters: dict[str, Any] = {}
        self.choices_loader: Refresher[FilterChoices] = Refresher(
            self, lambda: filter_choices(database), self._set_filter_choices, title=_("读取筛选项")
        )
        self._fill_status_choices()
        for combo in (f.statusCombo, f.batchCombo, f.companyCombo, f.mediatorCombo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        f.personalDataCheck.toggled.connect(self.set_show_personal_data)
        f.actionShowPersonalData.toggled.connect(self.set_show_personal_data)

        # Status bar. Counting a million cases takes a moment: it runs in a worker.
        self.db_label = QLabel(_("数据库：{url}").format(url=database.url))
        self.count_label = QLabel()
        # All cases, counted once per refresh (a million-row count on every keystroke only
        # competed with the filter's own queries); the matches are counted per filter.
        self._total_cases: int | None = None
        self.counts_loader: Refresher[tuple[int, int]] = Refresher(
            self, self._read_counts, self._show_counts, title=_("统计案件数")
        )
        self.personal_data_job: JobHandle[None] | None = None
        f.statusBar.addWidget(self.count_label, 1)
        f.statusBar.addPermanentWidget(self.db_label)

        # Actions
        f.actionQuit.triggered.connect(self.close)
        f.actionRefresh.triggered.connect(self.refresh)
        f.actionFindCase.triggered.connect(self._find_case)
        f.actionViewBatches.triggered.connect(lambda: f.tabs.setCurrentIndex(BATCHES_TAB))
        f.actionViewCases.triggered.connect(lambda: f.tabs.setCurrentIndex(CASES_TAB))
        f.actionViewDashboard.triggered.connect(lambda: f.tabs.setCurrentIndex(DASHBOARD_TAB))
        f.actionPreferences.triggered.connect(self.open_preferences)
        f.actionPreferences.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        f.actionAbout.triggered.connect(self._about)
        f.actionOpenLogFolder.triggered.connect(self._open_log_folder)
        f.actionImport.triggered.connect(self.open_import)
        f.actionDocuments.triggered.connect(self.open_documents)
        # The 文档 menu's jobs (services imported when first used: reportlab, pyHanko).
        self.document_jobs = DocumentJobs(
            self,
            database,
            actor=self.preferences.actor,
            last_folder=lambda: str(self.state.value("document_folder", "") or ""),
            remember_folder=lambda folder: self.state.save_value("document_folder", folder),
            signature_trust=lambda: (
                self.preferences.get(TRUST_ROOTS),
                self.preferences.get(STRICT_SIGNATURES),
            ),
        )
        self.document_jobs.data_changed.connect(self.refresh)
        # One 文档 menu entry per registered document kind (services/documents/kinds.py).
        self.document_actions = self._document_actions()
        f.actionExtendTerm.triggered.connect(self.extend_term)
        # 批量处理…: many cases at once, previewed (gui/bulk_actions.py).
        from mediator.gui.bulk_actions import BulkActions

        self.bulk_actions = BulkActions(self, today=today)
        # 损失测算（批量）… (gui/loss_dialog.py): every investor of a trades file for one company.
        self.loss_action = QAction(_("损失测算（批量）…"), self)
        self.loss_action.setObjectName("actionLossBatch")
        self.loss_action.triggered.connect(self.open_loss_batch)
        f.menuCase.addAction(self.loss_action)
        # The contact round: the 联系 menu and the reminders dock (gui/contact_round.py).
        from mediator.gui.contact_round import ContactRound

        self.contact_round = ContactRound(self, today=today)
        # 导入公司报价… and 导入付款清单… in the 文件 menu (gui/payments.py).
        from mediator.gui.payments import PaymentMenu

        self.payment_menu = PaymentMenu(self, database, self.preferences.actor, self.refresh)
        f.tabs.currentChanged.connect(self._tab_changed)
        self._set_icons()
        # 登记: the listed companies and mediators (gui/registries.py).
        self.registry_dialog: Any = None
        registry_menu = QMenu(_("登记(&R)"), self)
        registry_menu.setObjectName("menuRegistry")
        menus = self.menuBar().actions()
        after_cases = menus[menus.index(f.menuCase.menuAction()) + 1 :]
        if after_cases:
            self.menuBar().insertMenu(after_cases[0], registry_menu)
        else:
            self.menuBar().addMenu(registry_menu)
        for text, tab in ((_("上市公司…"), 0), (_("调解员…"), 1)):
            action = registry_menu.addAction(text)
            action.setObjectName("actionCompanies" if tab == 0 else "actionMediators")
            action.triggered.connect(lambda _checked=False, tab=tab: self.open_registry(tab))
        self.document_jobs.company_form_requested.connect(lambda: self.open_registry(0))
        # An empty work database shows the welcome page; a demo database its banner (gui/welcome.py).
        from mediator.gui.welcome import FirstStart

        self.first_start = FirstStart(self)

        self._reselect_batch: int | None = None
        self.batch_model.loader.loaded.connect(self._batches_loaded)
        self._restore_state()
        self.choices_loader.request()
        self.batch_model.reload()
        self.apply_filter()

    @property
    def loading(self) -> bool:
        """A read or write started by the window is still running (tests wait for this)."""
        loaders: list[Refresher[Any]] = [self.batch_model.loader, self.choices_loader, self.counts_loader]
        if self.dashboard is not None:
            loaders.append(self.dashboard.loader)
        personal = self.personal_data_job is not None and self.personal_data_job.running
        loaders.append(self.first_start.loader)
        busy = personal or self.detail.busy or self.contact_round.busy
        return busy or any(loader.busy for loader in loaders)

    def _set_icons(self) -> None:
        # The platform style's own icons: native on Windows, no image files to ship.
        f = self.form
        icon = self.style().standardIcon
        pixmap = QStyle.StandardPixmap
        f.actionImport.setIcon(icon(pixmap.SP_DialogOpenButton))
        f.actionDocuments.setIcon(icon(pixmap.SP_FileDialogContentsView))
        f.actionRefresh.setIcon(icon(pixmap.SP_BrowserReload))
        f.actionShowPersonalData.setIcon(icon(pixmap.SP_MessageBoxWarning))
        f.actionQuit.setIcon(icon(pixmap.SP_DialogCloseButton))
        f.actionAbout.setIcon(icon(pixmap.SP_MessageBoxInformation))

    # --- state -----------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        f = self.form
        self.state.restore_geometry(self)
        if not self.state.restore_splitter("cases", f.caseSplitter):
            f.caseSplitter.setSizes([900, 420])
        self.state.restore_header("cases", f.caseTable.horizontalHeader())
        if not self.state.restore_header("batches", f.batchTable.horizontalHeader()):
            for column, width in enumerate(_BATCH_COLUMN_WIDTHS):
                f.batchTable.setColumnWidth(column, width)
        # Last filters: signals blocked so that one query runs, after all are set.
        widgets = (f.filterEdit, f.statusCombo, f.batchCombo, f.companyCombo, f.mediatorCombo)
        for widget in widgets:
            widget.blockSignals(True)
        f.filterEdit.setText(str(self.state.value("filter_text", "") or ""))
        for name, combo in self._combos().items():
            saved = self.state.value(f"filter_{name}", "")
            index = combo.findData(saved) if saved not in ("", None) else 0
            if index < 0:
                self._pending_filters[name] = saved  # its list is not read yet
            combo.setCurrentIndex(max(0, index))
        for widget in widgets:
            widget.blockSignals(False)
        tab = self.state.value("tab", CASES_TAB)
        try:
            f.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            f.tabs.setCurrentIndex(CASES_TAB)

    def save_state(self) -> None:
        f = self.form
        self.state.save_geometry(self)
        self.state.save_splitter("cases", f.caseSplitter)
        self.state.save_header("cases", f.caseTable.horizontalHeader())
        self.state.save_header("batches", f.batchTable.horizontalHeader())
        self.state.save_value("filter_text", f.filterEdit.text())
        for name, combo in self._combos().items():
            data = self._pending_filters.get(name, combo.currentData())
            self.state.save_value(f"filter_{name}", "" if data is None else data)
        self.state.save_value("tab", f.tabs.currentIndex())
        self.state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)

    # --- filters ---------------------------------------------------------------------------------

    def _combos(self) -> dict[str, QComboBox]:
        f = self.form
        return {
            "status": f.statusCombo,
            "batch": f.batchCombo,
            "company": f.companyCombo,
            "mediator": f.mediatorCombo,
        }

    def _fill_status_choices(self) -> None:
        self._fill_combos({"status": (_("全部状态"), [(s.label, s.value) for s in STATUS_ORDER])})
        self._fill_combos(
            {
                "batch": (_("全部批次"), []),
                "company": (_("全部上市公司"), []),
                "mediator": (_("全部调解员"), []),
            }
        )
        self.form.statusCombo.setMinimumContentsLength(6)

    def _set_filter_choices(self, choices: FilterChoices) -> None:
        """The lists read by ``choices_loader``: fill the drop-downs, keep (or restore) the choice."""
        before = self.current_filter()
        self._fill_combos(
            {
                "batch": (_("全部批次"), [(c.label, c.id) for c in choices.batches]),
                "company": (_("全部上市公司"), [(c.label, c.id) for c in choices.companies]),
                "mediator": (_("全部调解员"), [(c.label, c.id) for c in choices.mediators]),
            }
        )
        self.detail.set_mediators(choices.mediators)
        if self.current_filter() != before:
            self.apply_filter()

    def _fill_combos(self, lists: dict[str, tuple[str, list[tuple[str, Any]]]]) -> None:
        combos = self._combos()
        for name, (everything, items) in lists.items():
            combo = combos[name]
            current = self._pending_filters.pop(name, combo.currentData())
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for label, data in items:
                combo.addItem(label, data)
            index = combo.findData(current) if current not in ("", None) else 0
            if index < 0 and not items:
                self._pending_filters[name] = current  # still waiting for its list
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def current_filter(self) -> CaseFilter:
        f = self.form
        status = f.statusCombo.currentData()
        return CaseFilter(
            text=f.filterEdit.text(),
            status=CaseStatus(status) if status else None,
            company_id=f.companyCombo.currentData(),
            mediator_id=f.mediatorCombo.currentData(),
            batch_id=f.batchCombo.currentData(),
        )

    def apply_filter(self) -> None:
        """Query with the filters as they stand (called 150 ms after the last keystroke)."""
        selected = self.selected_case_id()
        self.case_model.set_filter(self.current_filter())
        if selected is not None:
            row = self.case_model.row_of(selected)
            if row is not None:
                self.form.caseTable.selectRow(row)

    def _filter_applied(self) -> None:
        if self.case_model.row_of(self.detail.detail.id if self.detail.detail else -1) is None:
            self.detail.show_case(None)

    def update_counts(self) -> None:
        """Count all and matching cases in a worker; the status bar shows them when they land."""
        self.counts_loader.request()

    def _read_counts(self) -> tuple[int, int]:
        # Runs in a worker: the filter is read once, a frozen value.
        flt = self.case_model.case_filter
        total = self._total_cases
        if total is None:
            total = self._total_cases = count_cases(self.database, CaseFilter())
        if flt.is_empty:
            return total, total
        return total, count_cases(self.database, flt, limit=MATCH_COUNT_LIMIT)

    def _show_counts(self, counts: tuple[int, int]) -> None:
        total, matching = counts
        if matching == total:
            self.count_label.setText(_("共 {total} 件案件").format(total=f"{total:,}"))
        elif matching >= MATCH_COUNT_LIMIT:
            # Counting every match of a dense filter (one digit, a common surname) at a million
            # cases would take longer than the keystroke; past the limit only "more than" is said.
            self.count_label.setText(
                _("筛选出超过 {matching} 件 / 共 {total} 件案件").format(
                    matching=f"{matching:,}", total=f"{total:,}"
                )
            )
        else:
            self.count_label.setText(
                _("筛选出 {matching} 件 / 共 {total} 件案件").format(
                    matching=f"{matching:,}", total=f"{total:,}"
                )
            )

    # --- personal data ---------------------------------------------------------------------------

    def set_show_personal_data(self, show: bool) -> None:
        """Unmask ID and phone numbers; switching on is recorded in the audit log."""
        if show == self.case_model.show_personal_data:
            self._sync_personal_toggles(show)
            return
        if show:
            self._record_personal_data_shown()
            return
        self._apply_show_personal_data(False)

    def _record_personal_data_shown(self) -> None:
        """Unmasking is recorded in the audit log first (a write job); the numbers show once it is."""
        from mediator.services.audit.trail import record_event

        if self.personal_data_job is not None and self.personal_data_job.running:
            return
        database, actor = self.database, self.preferences.actor()
        toggles = (self.form.personalDataCheck, self.form.actionShowPersonalData)
        for widget in toggles:
            widget.setEnabled(False)

        def recorded(_result: None) -> None:
            for widget in toggles:
                widget.setEnabled(True)
            log.info("personal data shown in the case list")
            self._apply_show_personal_data(True)

        def refused(exc: BaseException) -> None:
            for widget in toggles:
                widget.setEnabled(True)
            self._sync_personal_toggles(False)
            show_error(self, exc)

        self.personal_data_job = run_job(
            self,
            lambda _progress: record_event(
                database,
                actor=actor,
                action="show_personal_data",
                detail=_("案件列表显示完整身份证号和手机号"),
            ),
            title=_("显示个人信息"),
            on_success=recorded,
            on_failure=refused,
            pool=Pool.WRITE,
            cancellable=False,
        )

    def _apply_show_personal_data(self, show: bool) -> None:
        f = self.form
        self.case_model.set_show_personal_data(show)
        self.detail.set_show_personal_data(show)
        self._sync_personal_toggles(show)
        f.caseTable.viewport().update()

    def _sync_personal_toggles(self, show: bool) -> None:
        f = self.form
        for widget in (f.personalDataCheck, f.actionShowPersonalData):
            widget.blockSignals(True)
            widget.setChecked(show)
            widget.blockSignals(False)

    # --- selection and edits ---------------------------------------------------------------------

    def selected_case_id(self) -> int | None:
        index = self.form.caseTable.currentIndex()
        return self.case_model.case_id(index.row()) if index.isValid() else None

    def selected_case_ids(self) -> list[int]:
        """The cases selected in the table (several with Ctrl/Shift), in table order."""
        rows = sorted(index.row() for index in self.form.caseTable.selectionModel().selectedRows())
        ids = [self.case_model.case_id(row) for row in rows]
        return [case_id for case_id in ids if case_id is not None]

    def _case_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = self.case_model.case_id(current.row()) if current.isValid() else None
        try:
            self.detail.show_case(case_id)
        except Exception as exc:
            show_error(self, exc)

    def _case_changed(self, case_id: int) -> None:
        self.case_model.refresh_case(case_id)
        self.reload_batches()
        if self.dashboard is not None:
            self.dashboard.refresh()

    def reload_batches(self) -> None:
        """Read the batch list again (in a worker), keeping the selected batch selected once it lands
        (the 文档 jobs act on it)."""
        view = self.form.batchTable
        current = self.batch_model.batch(view.currentIndex().row()) if view.currentIndex().isValid() else None
        if current is not None:
            self._reselect_batch = current.id
        self.batch_model.reload(self._today())

    def _batches_loaded(self) -> None:
        wanted, self._reselect_batch = self._reselect_batch, None
        if wanted is None:
            return
        for row in range(self.batch_model.rowCount()):
            batch = self.batch_model.batch(row)
            if batch is not None and batch.id == wanted:
                self.form.batchTable.selectRow(row)
                break

    def _open_batch(self, index: QModelIndex) -> None:
        batch = self.batch_model.batch(index.row())
        if batch is None:
            return
        f = self.form
        f.batchCombo.setCurrentIndex(max(0, f.batchCombo.findData(batch.id)))
        f.tabs.setCurrentIndex(CASES_TAB)

    def _find_case(self) -> None:
        self.form.tabs.setCurrentIndex(CASES_TAB)
        self.form.filterEdit.setFocus()
        self.form.filterEdit.selectAll()

    # --- tabs, refresh ---------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == DASHBOARD_TAB:
            self.show_dashboard()

    def show_dashboard(self) -> None:
        if self.dashboard is None:
            from mediator.gui.dashboard import DashboardView

            self.dashboard = DashboardView(
                self.database,
                self.form.dashboardTab,
                today=self._today,
                due_within_days=self.preferences.get(DUE_WITHIN_DAYS),
            )
            self.form.dashboardLayout.addWidget(self.dashboard)
        self.dashboard.refresh()  # in a worker; a failed read shows its error

    def refresh(self) -> None:
        """Read everything again (after an import, or F5 when colleagues work on the same database)."""
        self._total_cases = None
        self.first_start.refresh()
        self.choices_loader.request()
        self.reload_batches()
        self.case_model.reload()
        if self.detail.detail is not None:
            try:
                self.detail.show_case(self.detail.detail.id)
            except Exception:
                self.detail.show_case(None)
        if self.dashboard is not None and self.form.tabs.currentIndex() == DASHBOARD_TAB:
            self.dashboard.refresh()
        self.contact_round.refresh()

    # --- dialogs ---------------------------------------------------------------------------------

    def open_registry(self, tab: int = 0, company: str | None = None) -> Any:
        """登记: the company registry (a company shown, or the first missing particulars) or the
        mediators; the window reads its lists again when it closes."""
        from mediator.gui.registries import open_registry

        if self.registry_dialog is not None:
            self.registry_dialog.close()
        self.registry_dialog = open_registry(
            self, self.database, self.preferences.actor, tab=tab, company=company
        )
        self.registry_dialog.finished.connect(lambda _result: self.refresh())
        return self.registry_dialog

    def open_import(self) -> None:
        dialog_class = import_dialog_class()
        if dialog_class is None:
            QMessageBox.information(self, _("导入"), _("本版本尚未安装导入功能"))
            return
        if not self.first_start.import_allowed():  # a real list into the demo database? (welcome.py)
            return
        dialog = dialog_class(self.database, self, actor=self.preferences.actor())
        dialog.finished.connect(lambda _result: self.refresh())
        if hasattr(dialog, "company_form_requested"):
            dialog.company_form_requested.connect(lambda name: self.open_registry(0, name))
        dialog.open()

    def document_case_ids(self) -> list[int]:
        """The selected cases, else every case the filter shows (up to 10,000)."""
        selected = self.selected_case_ids()
        if selected:
            return selected
        from mediator.services.cases.lists import case_ids

        return case_ids(self.database, self.current_filter(), limit=10_000)

    # --- the 文档 menu ------------------------------------------------------------------------------

    def selected_batch_number(self) -> int | None:
        """The batch the user points at: the selected row of the batch list; on the case tab the
        batch filter, else the batch of the case on show."""
        f = self.form
        if f.tabs.currentIndex() == BATCHES_TAB:
            index = f.batchTable.currentIndex()
            batch = self.batch_model.batch(index.row()) if index.isValid() else None
            return batch.number if batch is not None else None
        batch_id = f.batchCombo.currentData()
        if batch_id is not None:
            for row in range(self.batch_model.rowCount()):
                batch = self.batch_model.batch(row)
                if batch is not None and batch.id == batch_id:
                    return batch.number
        return self.detail.detail.batch_number if self.detail.detail is not None else None

    def document_target(self, *, cases_allowed: bool = False) -> DocumentTarget | None:
        """What a 文档 job works on; None (after saying so) when nothing is selected."""
        if cases_allowed and self.form.tabs.currentIndex() == CASES_TAB:
            ids = self.selected_case_ids()
            if ids:
                return DocumentTarget(None, ids)
        number = self.selected_batch_number()
        if number is None:
            QMessageBox.information(self, _("文档"), _("请先在批次列表中选择一个批次。"))
            return None
        return DocumentTarget(number)

    def _document_actions(self) -> dict[str, QAction]:
        """The 文档 menu's entries, built from the registry of document kinds: the first group
        before 预览和打印协议书…, the others after it with separators; the main ones also on the
        toolbar, after 导入. Keyed by the kind's key (its CLI command)."""
        from mediator.services.documents.kinds import KINDS

        f = self.form
        toolbar_actions = f.mainToolBar.actions()
        toolbar_anchor = toolbar_actions[toolbar_actions.index(f.actionImport) + 1]
        actions: dict[str, QAction] = {}
        group: int | None = None
        for kind in KINDS:
            action = QAction(_(kind.menu_text), self)
            action.setObjectName(kind.action_name)
            if kind.tooltip:
                action.setToolTip(_(kind.tooltip))
            if kind.shortcut:
                action.setShortcut(QKeySequence(kind.shortcut))
            if kind.icon:
                action.setIcon(self.style().standardIcon(getattr(QStyle.StandardPixmap, kind.icon)))
            action.triggered.connect(lambda _checked=False, k=kind: self.run_document_kind(k))
            if kind.menu_group == 0:
                f.menuDocuments.insertAction(f.actionDocuments, action)
            else:
                if kind.menu_group != group:
                    f.menuDocuments.addSeparator()
                f.menuDocuments.addAction(action)
            group = kind.menu_group
            if kind.toolbar:
                f.mainToolBar.insertAction(toolbar_anchor, action)
            actions[kind.key] = action
        return actions

    def run_document_kind(self, kind: DocumentKind) -> None:
        """A 文档 menu entry: the kind's job on the batch (or cases) the user points at."""
        target = None
        if kind.scope is not Scope.FOLDER:
            target = self.document_target(cases_allowed=kind.scope is Scope.BATCH_OR_CASES)
            if target is None:
                return
        self.document_jobs.run(kind, target)

    def selected_batch(self) -> BatchSummary | None:
        number = self.selected_batch_number()
        for row in range(self.batch_model.rowCount()):
            batch = self.batch_model.batch(row)
            if batch is not None and batch.number == number:
                return batch
        return None

    def extend_term(self) -> None:
        """延长调解期限… for the batch the user points at (the term shows in the batch list)."""
        from mediator.gui.extend_term_dialog import ExtendTermDialog

        batch = self.selected_batch()
        if batch is None:
            QMessageBox.information(self, _("延长调解期限"), _("请先在批次列表中选择一个批次。"))
            return
        dialog = ExtendTermDialog(self.database, batch, actor=self.preferences.actor(), parent=self)
        dialog.accepted.connect(lambda: self._term_extended(dialog))
        dialog.open()

    def open_loss_batch(self) -> Any:
        """The batch loss calculator; the case table is read again when it stored results."""
        from mediator.gui.loss_dialog import BatchLossDialog

        dialog = BatchLossDialog(self.database, self.preferences, self)
        dialog.applied.connect(self.refresh)
        dialog.open()
        return dialog

    def _term_extended(self, dialog: Any) -> None:
        from mediator.services.calendar import calendar_warning

        extension = dialog.extension
        if extension is not None:
            warning = calendar_warning(extension.term)
            self.statusBar().showMessage(extension.summary() + (f"　{warning}" if warning else ""), 10_000)
        self.reload_batches()

    def open_documents(self) -> None:
        dialog_class = document_preview_class()
        if dialog_class is None:
            QMessageBox.information(self, _("文书"), _("本版本尚未安装文书生成功能。"))
            return
        ids = self.document_case_ids()
        if not ids:
            QMessageBox.information(self, _("文书"), _("没有可生成文书的案件。"))
            return
        dialog = dialog_class(self.database, ids, self)
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.open()

    def open_database_settings(self) -> None:
        """首选项 with the team database's address in focus (the welcome page's "连接团队数据库…")."""
        self.open_preferences(focus=DATABASE_URL.key)

    def open_preferences(self, *, focus: str | None = None) -> None:
        from mediator.gui.settings_dialog import SettingsDialog

        before = self.preferences.get(LANGUAGE)
        url_before = self.preferences.get(DATABASE_URL)
        dialog = SettingsDialog(self.preferences, self)
        if focus is not None and focus in dialog.editors:
            dialog.editors[focus].setFocus()
        if self.exec_dialog(dialog) != SettingsDialog.DialogCode.Accepted:
            return
        if self.preferences.get(DATABASE_URL) != url_before:
            # The workspace (gui/workspace.py) opens it and replaces this window.
            self.first_start.database_url_changed.emit(self.preferences.get(DATABASE_URL))
        if self.preferences.get(LANGUAGE) != before:
            QMessageBox.information(self, _("首选项"), _("界面语言将在重新启动程序后生效。"))
        if self.dashboard is not None:
            self.form.dashboardLayout.removeWidget(self.dashboard)
            self.dashboard.deleteLater()
            self.dashboard = None
            if self.form.tabs.currentIndex() == DASHBOARD_TAB:
                self.show_dashboard()

    def exec_dialog(self, dialog: Any) -> int:
        """Run a modal dialog (tests replace this to fill the dialog in and accept it)."""
        return int(dialog.exec())

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("关于"),
            _("证券纠纷委派调解案件管理 {version}\n江苏省证券业协会 · 南京市中级人民法院委派调解").format(
                version=__version__
            ),
        )

    def _open_log_folder(self) -> None:
        from mediator.logs import log_file_path

        folder = log_file_path().parent
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
