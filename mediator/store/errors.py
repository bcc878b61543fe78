"""Database failures classified once, where the store meets the rest (after qutebrowser's
``misc/sql.py``): a locked, busy, read-only or full database and a lost server are the machine's
doing, not the user's and not a bug, so they reach every caller as ``EnvironmentProblem`` with a
sentence in the user's language. Anything else stays a SQLAlchemy error (a bug, or a conflict the
calling service handles itself, such as a unique key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from mediator.errors import EnvironmentProblem
from mediator.i18n import _

log = logging.getLogger("mediator.store")

# SQLSTATE classes and codes of PostgreSQL that mean "the environment": 08 connection exceptions,
# 53 insufficient resources (53100 disk full), 57P01–57P03 admin shutdown / crash / cannot connect
# now, 55P03 lock not available, 25006 read-only transaction, 40P01 deadlock.
_PG_STATES: dict[str, Callable[[], str]] = {
    "08": lambda: _("与数据库服务器的连接已断开，请检查网络后重试。"),
    "53": lambda: _("数据库服务器空间或资源不足，请联系管理员。"),
    "57P01": lambda: _("与数据库服务器的连接已断开（服务器中止了连接），请重试。"),
    "57P02": lambda: _("数据库服务器已关闭，请稍后重试。"),
    "57P03": lambda: _("数据库服务器暂时无法连接，请稍后重试。"),
    "55P03": lambda: _("数据正被其他用户锁定，请稍后重试。"),
    "25006": lambda: _("数据库处于只读状态，无法保存修改。"),
    "40P01": lambda: _("与其他用户的修改冲突（死锁），未保存，请重试。"),
}

# Words in SQLite's messages (they carry no codes through pysqlite before Python 3.11's
# sqlite_errorcode, which not every error sets) and what they mean to the user.
_SQLITE_MESSAGES: tuple[tuple[str, Callable[[], str]], ...] = (
    ("database is locked", lambda: _("数据库正被其他程序占用（已锁定），请稍后重试。")),
    ("database table is locked", lambda: _("数据库正被其他程序占用（已锁定），请稍后重试。")),
    ("readonly database", lambda: _("数据库文件是只读的，无法保存修改；请检查文件权限。")),
    ("read-only", lambda: _("数据库文件是只读的，无法保存修改；请检查文件权限。")),
    ("database or disk is full", lambda: _("磁盘已满，无法写入数据库。")),
    ("disk i/o error", lambda: _("读写数据库文件时出错（磁盘或网络驱动器故障）。")),
    ("unable to open database file", lambda: _("无法打开数据库文件，请检查文件夹是否存在且可写。")),
)


def environment_problem(context: ExceptionContext) -> EnvironmentProblem | None:
    """The user's sentence for a database error the machine caused, or ``None`` for any other."""
    original = context.original_exception
    state = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None), "sqlstate", None)
    if isinstance(state, str):
        describe = _PG_STATES.get(state) or _PG_STATES.get(state[:2])
        if describe is not None:
            return EnvironmentProblem(describe())
    if context.is_disconnect:
        return EnvironmentProblem(_("与数据库服务器的连接已断开，请检查网络后重试。"))
    text = str(original).lower()
    for words, describe in _SQLITE_MESSAGES:
        if words in text:
            return EnvironmentProblem(describe())
    return None


def _on_error(context: ExceptionContext) -> EnvironmentProblem | None:
    problem = environment_problem(context)
    if problem is not None:
        # The statement may carry personal data: log its kind, never its parameters.
        log.warning("database problem: %s (%s)", problem, type(context.original_exception).__name__)
    return problem


def classify_errors(engine: Engine) -> None:
    """Make every connection of ``engine`` raise ``EnvironmentProblem`` for environment failures."""
    event.listen(engine, "handle_error", _on_error, retval=True)
