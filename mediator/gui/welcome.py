"""The first start and the demo as the main window shows them.

A work database without a single case shows a welcome page instead of the empty tabs, offering
plainly the three ways on: import a court list, connect to the team's database, or look around in
the demo. The demo lives in a database of its own (demo/marker.py); a window on it says so in the
title bar and in a banner above the tabs, whose one button goes back to the work database.

``FirstStart`` is attached to the main window; it reads the database's state in a worker
(``database_state``) and emits what the user asked for. Opening another database is the
workspace's business (gui/workspace.py), not the window's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mediator.demo.marker import DatabaseState, database_state
from mediator.gui.jobs import Refresher
from mediator.i18n import _

_BANNER_STYLE = (
    "QFrame#demoBanner { background: #fff4d6; border: 1px solid #e0b84c; border-radius: 4px; }"
    "QFrame#demoBanner QLabel { color: #6b4e00; }"
)


class WelcomePage(QWidget):
    """What an empty work database offers: three plain ways on."""

    import_requested = Signal()
    connect_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(640)
        layout = QVBoxLayout(column)
        title = QLabel(_("欢迎使用证券纠纷委派调解案件管理"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(_("工作数据库中还没有案件。请选择如何开始："))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.import_button = QCommandLinkButton(
            _("导入法院委派清单…"),
            _("选择法院发来的委派调解案件清单（.xlsx、.xls、.ods 或 .csv），预览后导入工作数据库。"),
        )
        self.connect_button = QCommandLinkButton(
            _("连接团队数据库…"),
            _("团队共用一个 PostgreSQL 数据库时，在首选项中填写其地址。"),
        )
        self.demo_button = QCommandLinkButton(
            _("先看看演示数据"),
            _("打开单独的演示数据库（645 件虚构案件），随时可返回工作数据库；工作数据库保持为空。"),
        )
        for button, name, signal in (
            (self.import_button, "welcomeImport", self.import_requested),
            (self.connect_button, "welcomeConnect", self.connect_requested),
            (self.demo_button, "welcomeDemo", self.demo_requested),
        ):
            button.setObjectName(name)
            button.clicked.connect(signal.emit)
            layout.addWidget(button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)


class DemoBanner(QFrame):
    """Above the tabs of a demo database: what it is, and the way back."""

    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setStyleSheet(_BANNER_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        label = QLabel(
            _("演示数据库：这里的批次、投资者和上市公司都是虚构的，可随意试用；工作数据库不受影响。")
        )
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label, 1)
        self.back_button = QPushButton(_("返回工作数据库"))
        self.back_button.setObjectName("backToWork")
        self.back_button.clicked.connect(self.back_requested.emit)
        layout.addWidget(self.back_button)


class FirstStart(QObject):
    """Shows the welcome page on an empty work database and marks a demo database as such."""

    # The user wants the demo / the work database / the work database at a new address.
    demo_requested = Signal()
    work_requested = Signal()
    database_url_changed = Signal(str)

    def __init__(self, window: Any) -> None:
        # ``window`` is the MainWindow (not imported: it creates this, a cycle otherwise).
        super().__init__(window)
        self.window = window
        self.state: DatabaseState | None = None
        self._title = window.windowTitle()
        layout = window.form.centralLayout
        self.banner = DemoBanner(window.form.centralWidget)
        self.banner.hide()
        layout.insertWidget(0, self.banner)
        self.welcome = WelcomePage(window.form.centralWidget)
        self.welcome.hide()
        layout.addWidget(self.welcome, 1)
        self.welcome.import_requested.connect(window.open_import)
        self.welcome.connect_requested.connect(window.open_database_settings)
        self.welcome.demo_requested.connect(self.demo_requested.emit)
        self.banner.back_requested.connect(self.work_requested.emit)
        # 文件 menu: the same way to the demo and back, whatever the window shows.
        self.switch_action = QAction(_("打开演示数据库"), window)
        self.switch_action.setObjectName("actionSwitchDemo")
        self.switch_action.triggered.connect(self._switch)
        window.form.menuFile.insertAction(window.form.actionQuit, self.switch_action)
        window.form.menuFile.insertSeparator(window.form.actionQuit)
        database = window.database
        self.loader: Refresher[DatabaseState] = Refresher(
            self, lambda: database_state(database), self._apply, title=_("读取数据库状态")
        )
        self.loader.request()

    @property
    def busy(self) -> bool:
        return self.loader.busy

    def refresh(self) -> None:
        """Read the state again (after an import the welcome page gives way to the cases)."""
        self.loader.request()

    def import_allowed(self) -> bool:
        """Importing into the demo database would mix real cases with invented ones: ask first,
        offering the way back to the work database."""
        if self.state is None or not self.state.is_demo:
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("导入委派清单"),
            _("当前打开的是演示数据库。真实的委派清单应导入工作数据库，否则会与虚构案件混在一起。"),
            parent=self.window,
        )
        box.setObjectName("importIntoDemoBox")
        back = box.addButton(_("返回工作数据库"), QMessageBox.ButtonRole.AcceptRole)
        anyway = box.addButton(_("仍导入演示数据库"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(back)
        self.window.exec_dialog(box)
        if box.clickedButton() is back:
            self.work_requested.emit()
        return box.clickedButton() is anyway

    def _switch(self) -> None:
        if self.state is not None and self.state.is_demo:
            self.work_requested.emit()
        else:
            self.demo_requested.emit()

    def _apply(self, state: DatabaseState) -> None:
        self.state = state
        window = self.window
        self.banner.setVisible(state.is_demo)
        self.switch_action.setText(_("返回工作数据库") if state.is_demo else _("打开演示数据库"))
        if state.is_demo:
            window.setWindowTitle(_("【演示】{title}").format(title=self._title))
        else:
            window.setWindowTitle(self._title)
        self.welcome.setVisible(state.welcome)
        window.form.tabs.setVisible(not state.welcome)
