"""A locked or read-only database is the environment's doing, whatever command meets it: one line
on stderr, exit 3, no traceback, and nothing changed (the README's exit-code table)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mediator.store.database import open_database
from tests.fixtures.messy_lists import make_investors, write_xlsx

EXIT_ENVIRONMENT = 3
INVESTORS = make_investors(6, seed=41)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A work database holding one imported batch, and a second list not yet imported."""
    folder = tmp_path_factory.mktemp("work")
    path = folder / "work.db"
    open_database(f"sqlite:///{path}").dispose()
    first = write_xlsx(folder / "first.xlsx", INVESTORS[:3], style=1)
    done = _cli("--db", f"sqlite:///{path}", "import", str(first))
    assert done.returncode == 0, done.stderr
    return path, write_xlsx(folder / "second.xlsx", INVESTORS[3:], style=1, batch=16)


# Each command writes; the case numbers come from the first list.
COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "import": lambda second: ["import", str(second)],
    "company set": lambda _s: ["company", "set", "金陵智造科技股份有限公司", "--phone", "025-84561234"],
    "mediator add": lambda _s: ["mediator", "add", "孙调解", "--phone", "13912345678"],
    "calendar set": lambda _s: ["calendar", "set", "2027-10-09", "--working", "--note", "调休"],
    "contact log": lambda _s: ["contact", "log", INVESTORS[0].case_number, "--outcome", "未接听"],
    "cases move": lambda _s: ["cases", "move", "--batch", "15", "--to", "已联系", "--on", "2025-03-10"],
}


def _snapshot(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return "\n".join(connection.iterdump())


def _assert_environment(result: subprocess.CompletedProcess[str], word: str) -> None:
    assert result.returncode == EXIT_ENVIRONMENT, result.stdout + result.stderr
    assert word in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_read_only_database_stops_each_writing_command_cleanly(
    work: tuple[Path, Path], command: str
) -> None:
    path, second = work
    before = _snapshot(path)
    # As a file on a read-only share is opened (root ignores chmod; the URI's mode does not).
    result = _cli("--db", f"sqlite:///file:{path}?mode=ro&uri=true", *COMMANDS[command](second))
    _assert_environment(result, "只读")
    assert _snapshot(path) == before


@pytest.mark.parametrize("command", ["import", "contact log", "company set"])
def test_a_locked_database_stops_each_writing_command_cleanly(work: tuple[Path, Path], command: str) -> None:
    path, second = work
    before = _snapshot(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock past the wait
    try:
        result = _cli("--db", f"sqlite:///{path}", *COMMANDS[command](second))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_environment(result, "锁定")
    assert _snapshot(path) == before
