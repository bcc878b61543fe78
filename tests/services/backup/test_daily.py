"""Daily local backups: one copy a day, the oldest removed beyond the retention, restorable."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from mediator.demo.first_year import load_demo
from mediator.errors import UserError
from mediator.services.backup.copies import restore_database
from mediator.services.backup.daily import backups_folder, daily_backup
from mediator.store.database import Database, open_database

DAY = date(2026, 12, 3)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_one_copy_a_day_and_only_the_newest_kept(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    first = daily_backup(database, keep=3, folder=folder, today=DAY)
    assert first is not None and first.path == folder / "mediator-2026-12-03.backup"
    again = daily_backup(database, keep=3, folder=folder, today=DAY)
    assert again is not None and again.path is None and "已存在" in again.summary()
    for offset in range(1, 5):
        daily_backup(database, keep=3, folder=folder, today=DAY + timedelta(days=offset))
    assert _names(folder) == [f"mediator-2026-12-0{d}.backup" for d in (5, 6, 7)]
    (folder / "notes.txt").write_text("mine")  # anything else in the folder stays
    daily_backup(database, keep=1, folder=folder, today=DAY + timedelta(days=5))
    assert _names(folder) == ["mediator-2026-12-08.backup", "notes.txt"]


def test_zero_turns_it_off_and_bad_retention_is_refused(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    assert daily_backup(database, keep=0, folder=folder, today=DAY) is None
    assert list(folder.iterdir()) == []
    with pytest.raises(UserError, match="0 到 365"):
        daily_backup(database, keep=-1, folder=folder, today=DAY)


def test_a_daily_copy_restores(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        load_demo(session)
    made = daily_backup(database, keep=2, today=DAY)
    assert made is not None and made.path is not None
    assert made.path.parent == backups_folder() and oct(backups_folder().stat().st_mode)[-3:] == "700"
    target = open_database(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        restored = restore_database(target, made.path, actor="tester")
        assert restored.rows["mediation_case"] == 645
    finally:
        target.dispose()
