"""How the GUI shows failures (the three kinds of mediator/errors.py) and where bugs go.

- ``UserError``: a message box with the sentence as it is (the user can fix it);
- ``EnvironmentProblem``: a kind message saying it is the machine, not them;
- anything else is a bug: a short message with "复制详细信息" (copy details), logged in full to the
  rotating log file. Log lines never carry personal data (mediator.logs masks ID/phone numbers as a
  safety net, and the traceback holds code, not field values).
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

import shiboken6
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from mediator.errors import Cancelled, EnvironmentProblem, UserError
from mediator.i18n import _

log = logging.getLogger("mediator.gui")
qt_log = logging.getLogger("mediator.qt")


def error_details(exc: BaseException) -> str:
    """The traceback text offered by "copy details" (and written to the log)."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Tell the user about ``exc`` in the way its kind deserves. Returns the box (tests read it)."""
    if isinstance(exc, Cancelled):
        return None  # the user asked for it: nothing to report
    if parent is not None and not shiboken6.isValid(parent):
        parent = None
    box = QMessageBox(parent)
    box.setWindowTitle(_("调解案件管理"))
    if isinstance(exc, UserError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(str(exc))
    elif isinstance(exc, EnvironmentProblem):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(str(exc))
        box.setInformativeText(_("这不是您的操作有误：请检查网络、磁盘空间或文件权限，然后重试。"))
    else:
        log.error("unexpected error: %s", error_details(exc).rstrip())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(_("出现了意外错误，操作没有完成。"))
        from mediator.logs import log_file_path

        box.setInformativeText(
            _("详细信息已写入日志文件：{path}。请把详细信息发给技术支持。").format(path=log_file_path())
        )
        details = error_details(exc)
        box.setDetailedText(details)
        copy = box.addButton(_("复制详细信息"), QMessageBox.ButtonRole.ActionRole)
        # Any button closes a QMessageBox; cut the button box's connection so copying keeps it open.
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.addButton(QMessageBox.StandardButton.Ok)
    if QApplication.instance() is not None and not _modal_disabled():
        box.open()
    return box


def _modal_disabled() -> bool:
    # Tests set this to inspect the box without showing it.
    return bool(getattr(show_error, "suppress", False))


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    if isinstance(exc, UserError | EnvironmentProblem | Cancelled):
        show_error(QApplication.activeWindow(), exc)
        return
    log.error("uncaught exception: %s", error_details(exc).rstrip())
    if QApplication.instance() is None:
        sys.__excepthook__(kind, exc, tb)
        return
    show_error(QApplication.activeWindow(), exc)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_error_hooks() -> None:
    """Route uncaught exceptions to ``show_error`` and Qt's own messages to logging."""
    sys.excepthook = _excepthook
    qInstallMessageHandler(_qt_message)
