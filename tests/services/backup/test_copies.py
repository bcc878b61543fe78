"""Backup and restore give back every row of every table, on SQLite and PostgreSQL, or nothing."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mediator.errors import UserError
from mediator.services.audit import chain as audit_chain
from mediator.services.backup.copies import backup_database, restore_database
from mediator.store import snapshot
from mediator.store.database import Database, open_database
from tests.conftest import fill_from_template


def _everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in snapshot.saved_tables()
        }


@pytest.fixture
def demo_database(any_demo_database: Database) -> Database:
    """The demo year (a copy of the session's load_demo) on SQLite and on PostgreSQL."""
    return any_demo_database


def test_a_backup_restores_every_table_equal(demo_database: Database, tmp_path: Path) -> None:
    result = backup_database(demo_database, tmp_path / "backup.bin")
    assert result.rows["mediation_case"] == 645 and "645" in result.summary()
    target = open_database(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        restored = restore_database(target, result.path, actor="tester")
        before, after = _everything(demo_database), _everything(target)
        after["audit_event"] = after["audit_event"][:-1]  # the restore records itself (and moves the
        for rows in (before, after):  # audit chain's head on by one)
            rows["setting"] = [row for row in rows["setting"] if row[0] != audit_chain.HEAD_SETTING]
        assert after == before
        assert audit_chain.verify(target).intact  # the restored log is the same unbroken chain
        assert restored.rows == result.rows
    finally:
        target.dispose()


@pytest.mark.postgres
def test_a_restored_database_keeps_working(
    database: Database, tmp_path: Path, postgres_url: str, demo_sqlite_template: Path
) -> None:
    """SQLite into PostgreSQL: new rows get fresh ids after the restored ones."""
    fill_from_template(database, demo_sqlite_template)  # the demo year, as load_demo writes it
    backup = backup_database(database, tmp_path / "backup.bin")
    target = open_database(postgres_url)
    try:
        restore_database(target, backup.path, actor="tester")
        from mediator.services.parties.mediators import add_mediator

        assert add_mediator(target, "新来的", phone=None, actor="tester").created
    finally:
        target.dispose()


def test_restore_refuses_a_database_that_holds_data(demo_database: Database, tmp_path: Path) -> None:
    backup = backup_database(demo_database, tmp_path / "backup.bin")
    with pytest.raises(UserError, match="不是空的"):
        restore_database(demo_database, backup.path, actor="tester")


def test_a_broken_or_forged_backup_writes_nothing(demo_database: Database, tmp_path: Path) -> None:
    backup = backup_database(demo_database, tmp_path / "good.bin")
    forged = tmp_path / "forged.zip"
    if backup.kind == "export":
        with zipfile.ZipFile(backup.path) as source, zipfile.ZipFile(forged, "w") as copy:
            for item in source.namelist():
                data = source.read(item)
                if item == "tables/mediation_case.jsonl":
                    data = data[: len(data) // 2]  # cut mid-way: counts no longer match
                copy.writestr(item, data)
    else:
        forged.write_bytes(backup.path.read_bytes()[:4096])  # a truncated SQLite file
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    target = open_database(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        for bad in (forged, garbage):
            with pytest.raises(UserError, match="不是本程序的备份文件"):
                restore_database(target, bad, actor="tester")
            assert all(not rows for rows in _everything(target).values())
    finally:
        target.dispose()


def test_backup_and_restore_from_the_command_line(tmp_path: Path, demo_sqlite_path: Path) -> None:
    # The source holds the demo year as `mediator --db URL demo` leaves it (tests/cli test that command).
    source, target = f"sqlite:///{demo_sqlite_path}", f"sqlite:///{tmp_path / 'b.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "mediator.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=120)

    made = run("--db", source, "backup", str(tmp_path / "备份.db"))
    assert made.returncode == 0, made.stderr
    assert not list(tmp_path.glob("*.part"))
    restored = run("--db", target, "restore", str(tmp_path / "备份.db"))
    assert restored.returncode == 0, restored.stderr
    again = run("--db", target, "restore", str(tmp_path / "备份.db"))
    assert again.returncode == 2 and "不是空的" in again.stderr
    stats_a = run("--db", source, "stats", "--json").stdout
    stats_b = run("--db", target, "stats", "--json").stdout
    assert stats_a == stats_b
