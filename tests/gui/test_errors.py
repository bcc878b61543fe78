"""show_error by kind, "copy details", the excepthook and Qt messages routed to the log."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from mediator.errors import Cancelled, EnvironmentProblem, UserError
from mediator.gui import errors


@pytest.fixture
def parent(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> QWidget:
    monkeypatch.setattr(errors.show_error, "suppress", True, raising=False)
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_user_error_shows_its_sentence_only(parent: QWidget) -> None:
    box = errors.show_error(parent, UserError("第15批不存在。"))
    assert box.text() == "第15批不存在。"
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.detailedText() == ""


def test_environment_problem_says_it_is_not_the_users_fault(parent: QWidget) -> None:
    box = errors.show_error(parent, EnvironmentProblem("无法打开数据库 x.db：database is locked"))
    assert box.text().startswith("无法打开数据库")
    assert "不是您的操作有误" in box.informativeText()


def test_cancelled_shows_nothing(parent: QWidget) -> None:
    assert errors.show_error(parent, Cancelled()) is None


def test_bug_offers_copy_details_and_is_logged(parent: QWidget, caplog: pytest.LogCaptureFixture) -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        bug = exc
    with caplog.at_level(logging.ERROR, logger="mediator.gui"):
        box = errors.show_error(parent, bug)
    assert box.text() == "出现了意外错误，操作没有完成。"
    assert "KeyError" in box.detailedText() and "test_errors.py" in box.detailedText()
    copy = next(b for b in box.findChildren(QPushButton) if b.text() == "复制详细信息")
    copy.click()
    assert QApplication.clipboard().text() == box.detailedText()
    assert any("KeyError" in record.getMessage() for record in caplog.records)


def test_excepthook_shows_and_logs(
    parent: QWidget, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc: shown.append(exc))
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="mediator.gui"):
            errors._excepthook(RuntimeError, exc, exc.__traceback__)
    assert [str(e) for e in shown] == ["boom"]
    assert any("uncaught exception" in r.getMessage() for r in caplog.records)


def test_qt_messages_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import qInstallMessageHandler

    previous = qInstallMessageHandler(errors._qt_message)
    try:
        with caplog.at_level(logging.WARNING, logger="mediator.qt"):
            qWarning("a warning from Qt")
    finally:
        qInstallMessageHandler(previous)
    assert [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "mediator.qt"] == [
        "a warning from Qt"
    ]
