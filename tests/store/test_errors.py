"""Database failures the machine causes reach the user as environment problems, not as bugs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mediator.errors import EnvironmentProblem
from mediator.store.database import open_database
from mediator.store.tables import CalendarOverrideRow

EXIT_ENVIRONMENT = 3


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediator.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_a_locked_database_is_an_environment_problem_for_a_command(tmp_path: Path) -> None:
    path = tmp_path / "work.db"
    open_database(f"sqlite:///{path}").dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        result = _cli(
            "--db", f"sqlite:///{path}", "calendar", "set", "2027-10-09", "--working", "--note", "调休"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == EXIT_ENVIRONMENT, result.stderr
    assert "锁定" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_read_only_database_refuses_writes_kindly(tmp_path: Path) -> None:
    path = tmp_path / "work.db"
    open_database(f"sqlite:///{path}").dispose()
    # Opened read-only (as a file on a read-only share would be); root ignores chmod, URIs do not.
    database = open_database(f"sqlite:///file:{path}?mode=ro&uri=true", upgrade=False)
    try:
        with pytest.raises(EnvironmentProblem, match="只读"), database.transaction() as session:
            session.add(
                CalendarOverrideRow(day=__import__("datetime").date(2027, 10, 9), is_working_day=True)
            )
    finally:
        database.dispose()


def test_a_missing_database_folder_is_the_environment(tmp_path: Path) -> None:
    result = _cli("--db", f"sqlite:///{tmp_path / 'gone' / 'work.db'}", "stats")
    assert result.returncode == EXIT_ENVIRONMENT, result.stderr
    assert "文件夹不存在" in result.stderr


@pytest.mark.postgres
def test_a_lost_server_connection_is_an_environment_problem(postgres_url: str) -> None:
    database = open_database(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with pytest.raises(EnvironmentProblem, match="连接已断开"), database.session() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            session.execute(text("SELECT 1"))
    finally:
        admin.dispose()
        database.dispose()
