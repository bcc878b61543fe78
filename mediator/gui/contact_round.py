"""The contact round in the main window: the reminders dock (what is due, overdue first in red) and
the 联系 menu (the batch's SMS notice list, the cases proposed for failure, closing a batch). One
call-back outcome for many cases is recorded through 案件 › 批量处理… (gui/bulk_actions.py).

Installed by the main window with one line (``ContactRound(window)``); reads run in workers
(``jobs.Refresher``), writes in the write pool (``jobs.run_job``), as everywhere in the GUI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mediator.domain.clock import china_today
from mediator.gui.dates import qdate
from mediator.gui.jobs import JobHandle, Pool, Refresher, run_job
from mediator.gui.style import WARNING_RED
from mediator.i18n import _
from mediator.services.reporting.due import DueList, load_due_list
from mediator.store.database import Database

if TYPE_CHECKING:
    from mediator.gui.settings import Preferences
    from mediator.services.contacts.imports import ContactImportResult

# Days ahead the reminders panel looks (the command line's default too).
REMINDER_DAYS = 7
_COLUMNS = (120, 90, 130, 185, 70, 60, 160)


# The reminders panel lists at most this many deadlines, the most urgent first.
SHOWN_REMINDERS = 500


class ReminderPanel(QDockWidget):
    """到期提醒: mediation terms, confirmation windows and installments due within the next days and
    every overdue one, overdue first and in red; double-click opens the case."""

    case_activated = Signal(str)  # the 案号 of a double-clicked line

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = china_today,
        days: int = REMINDER_DAYS,
    ) -> None:
        super().__init__(_("到期提醒"), parent)
        self.setObjectName("reminderDock")
        self._days = days
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.counts = QLabel(body)
        self.tree = QTreeWidget(body)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(
            [_("到期日"), _("剩余"), _("类型"), _("案号"), _("投资者"), _("批次"), _("说明")]
        )
        for column, width in enumerate(_COLUMNS):
            self.tree.setColumnWidth(column, width)
        self.tree.itemDoubleClicked.connect(self._activated)
        layout.addWidget(self.counts)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self.data: DueList | None = None
        self.loader: Refresher[DueList] = Refresher(
            self,
            lambda: load_due_list(database, today=today(), days=self._days, limit=SHOWN_REMINDERS),
            self.show_due,
            title=_("读取到期提醒"),
            error_parent=lambda: self,
        )

    def refresh(self) -> None:
        self.loader.request()

    def show_due(self, due: DueList) -> None:
        self.data = due
        self.tree.clear()
        self.counts.setText(
            _("未来{days}天内到期 {due} 项，已逾期 {overdue} 项").format(
                days=due.days, due=due.due_count, overdue=due.overdue_count
            )
        )
        if due.overdue_count:
            self.counts.setStyleSheet(f"color: {WARNING_RED.name()}; font-weight: bold")
        else:
            self.counts.setStyleSheet("")
        if due.due_count + due.overdue_count > SHOWN_REMINDERS:
            # A panel of tens of thousands of rows helps nobody (a representative action); the
            # full list is the command's or the export's.
            self.counts.setText(
                self.counts.text()
                + _("（仅列出最紧急的 {shown} 项，完整清单请用 mediator due）").format(shown=SHOWN_REMINDERS)
            )
        # Overdue first (the list is in date order already, so the oldest is on top), then the rest.
        for entry in due.entries[:SHOWN_REMINDERS]:
            if entry.days_left < 0:
                left = _("逾期{days}天").format(days=-entry.days_left)
            elif entry.days_left == 0:
                left = _("今天")
            else:
                left = _("{days}天").format(days=entry.days_left)
            item = QTreeWidgetItem(
                [
                    entry.due_on.isoformat(),
                    left,
                    entry.kind.label,
                    entry.case_number,
                    entry.investor,
                    _("第{number}批").format(number=entry.batch_number),
                    entry.detail,
                ]
            )
            if not entry.calendar_known:
                item.setToolTip(0, _("节假日日历未收录该年，仅按周末推算"))
            if entry.overdue:
                for column in range(item.columnCount()):
                    item.setForeground(column, QBrush(WARNING_RED))
            self.tree.addTopLevelItem(item)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.case_activated.emit(item.text(3))


class SmsDateDialog(QDialog):
    """The date the notices announce: by default the first working day three days on (worked out
    on the holiday calendar when the list is written), or a day the user picks."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("smsDateDialog")
        self.setWindowTitle(_("导出短信通知名单"))
        self.setMinimumWidth(380)
        layout = QFormLayout(self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("smsDateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        # The day before today stands for "the default": shown as text, never a date in the notice.
        day_before = today - timedelta(days=1)
        self.date_edit.setMinimumDate(qdate(day_before))
        self.date_edit.setSpecialValueText(_("默认：三天后的第一个工作日"))
        self.date_edit.setDate(self.date_edit.minimumDate())
        layout.addRow(_("短信中的日期："), self.date_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def set_day(self, day: date | None) -> None:
        """Pick ``day``, or the default (None)."""
        self.date_edit.setDate(qdate(day) if day is not None else self.date_edit.minimumDate())

    def chosen(self) -> date | None:
        """The day picked, or None for the default."""
        picked = self.date_edit.date()
        if picked == self.date_edit.minimumDate():
            return None
        return date(picked.year(), picked.month(), picked.day())


def contact_import_text(result: ContactImportResult) -> str:
    """What the 导入回访结果 message box says: the summary, then each problem with row and column."""
    lines = [result.summary()]
    for error in (problem.masked() for problem in result.errors[:30]):
        where = _("第{row}行").format(row=error.row) if error.row else ""
        lines.append(f"{where} {error.column}：{error.message}（{error.value}）".strip())
    if len(result.errors) > 30:
        lines.append(_("……另有 {count} 个问题").format(count=len(result.errors) - 30))
    return "\n".join(lines)


class _Window(Protocol):
    """What the contact round needs of the main window."""

    database: Database
    preferences: Preferences

    def selected_batch_number(self) -> int | None: ...
    def refresh(self) -> None: ...


class ContactRound:
    """The reminders dock and the 联系 menu of the main window."""

    def __init__(self, window: Any, *, today: Callable[[], date] = china_today) -> None:
        self.window: QMainWindow = window
        self._host: _Window = window
        self._today = today
        self.job: JobHandle[Any] | None = None
        self.message: QMessageBox | None = None
        self.reminders = ReminderPanel(window.database, window, today=today)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.reminders)
        self.reminders.case_activated.connect(self._open_case)
        menu = window.menuBar().addMenu(_("联系(&L)"))
        # Before 帮助: the menu bar's last entry stays the help menu.
        actions = window.menuBar().actions()
        if len(actions) >= 2:
            window.menuBar().insertAction(actions[-2], menu.menuAction())
        self.menu = menu
        self.sms_action = self._action(_("导出短信通知名单…"), self.export_sms_list, "actionSmsList")
        self.import_action = self._action(
            _("导入回访结果…"), self.import_results, "actionImportContactResults"
        )
        self.proposals_action = self._action(_("无法联系的案件…"), self.show_proposals, "actionUnreachable")
        menu.addSeparator()
        self.close_action = self._action(_("批次结案…"), self.close_batch, "actionCloseBatch")
        menu.addSeparator()
        toggle = self.reminders.toggleViewAction()
        toggle.setText(_("到期提醒"))
        menu.addAction(toggle)
        self.reminders.refresh()

    def _action(self, text: str, slot: Callable[[], object], name: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    @property
    def busy(self) -> bool:
        return self.reminders.loader.busy or (self.job is not None and self.job.running)

    def refresh(self) -> None:
        self.reminders.refresh()

    def _open_case(self, case_number: str) -> None:
        form = getattr(self.window, "form", None)
        if form is None:
            return
        form.tabs.setCurrentIndex(1)  # the case tab
        form.filterEdit.setText(case_number)

    def _batch(self, title: str) -> int | None:
        number = self._host.selected_batch_number()
        if number is None:
            QMessageBox.information(self.window, title, _("请先在批次列表中选择一个批次。"))
        return number

    def _run(self, title: str, op: Callable[[], Any], *, pool: Pool = Pool.WRITE) -> JobHandle[Any]:
        def done(result: Any) -> None:
            QMessageBox.information(self.window, title, result.summary())
            if pool is Pool.WRITE:
                self._host.refresh()

        self.job = run_job(self.window, lambda _progress: op(), title=title, on_success=done, pool=pool)
        return self.job

    def export_sms_list(self) -> JobHandle[Any] | None:
        """导出短信通知名单…: the selected batch's notices as .xlsx, recorded as sent."""
        from pathlib import Path

        from mediator.services.contacts.sms import export_sms_list

        title = _("导出短信通知名单")
        number = self._batch(title)
        if number is None:
            return None
        dialog = SmsDateDialog(self._today(), self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        on = dialog.chosen()
        suggested = _("第{number}批-短信通知名单.xlsx").format(number=number)
        path, _filter = QFileDialog.getSaveFileName(self.window, title, suggested, _("Excel 工作簿 (*.xlsx)"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        database, actor = self._host.database, self._host.preferences.actor()
        return self._run(title, lambda: export_sms_list(database, number, Path(path), actor=actor, on=on))

    def import_results(self, path: str | None = None) -> JobHandle[Any] | None:
        """导入回访结果…: a list of call-backs (案号, 结果, 时间, 备注), recorded all or nothing; the
        problems, if any, are listed by row and column and nothing is written."""
        from mediator.services.contacts.imports import import_contact_results

        title = _("导入回访结果")
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self.window, title, "", _("表格文件 (*.xlsx *.xls *.ods *.csv)")
            )
        if not path:
            return None
        database, actor, chosen = self._host.database, self._host.preferences.actor(), path

        def done(result: ContactImportResult) -> None:
            box = QMessageBox(self.window)
            box.setWindowTitle(title)
            box.setIcon(QMessageBox.Icon.Warning if result.errors else QMessageBox.Icon.Information)
            box.setText(contact_import_text(result))
            box.open()
            self.message = box
            if result.written:
                self._host.refresh()

        self.job = run_job(
            self.window,
            lambda _progress: import_contact_results(database, chosen, actor=actor),
            title=title,
            on_success=done,
            pool=Pool.WRITE,
            cancellable=False,
        )
        return self.job

    def show_proposals(self) -> JobHandle[Any] | None:
        """无法联系的案件…: the cases the team's rule proposes for failure (nothing is changed)."""
        from mediator.services.contacts.reach import load_failure_proposals

        database, today = self._host.database, self._today()
        return self._run(
            _("无法联系的案件"), lambda: load_failure_proposals(database, today=today), pool=Pool.READ
        )

    def close_batch(self) -> JobHandle[Any] | None:
        """批次结案…: refused (with the open cases named) unless every case is paid, failed or returned."""
        from mediator.services.cases.closeout import close_batch

        title = _("批次结案")
        number = self._batch(title)
        if number is None:
            return None
        answer = QMessageBox.question(self.window, title, _("将第{number}批结案？").format(number=number))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        database, actor, today = self._host.database, self._host.preferences.actor(), self._today()
        return self._run(title, lambda: close_batch(database, number, on=today, actor=actor))
