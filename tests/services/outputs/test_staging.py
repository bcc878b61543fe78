"""Every output file's temporary carries its process id: the next write into the folder removes a
killed run's (a full database copy, unmasked error rows), never a running one's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediator.errors import EnvironmentProblem
from mediator.services.backup.copies import backup_database
from mediator.services.outputs.staging import atomic_write
from mediator.store.database import Database


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def _leftovers(folder: Path) -> tuple[Path, Path]:
    dead = folder / f".staged-{_dead_pid()}-a1b2.part"
    running = folder / f".staged-{os.getpid()}-c3d4.part"
    for path in (dead, running):
        path.write_bytes(b"SQLite format 3\x00 a whole database")
    return dead, running


def test_a_backup_removes_a_killed_backups_copy_and_leaves_a_running_ones(
    database: Database, tmp_path: Path
) -> None:
    dead, running = _leftovers(tmp_path)
    backup_database(database, tmp_path / "mediator.backup")
    assert not dead.exists() and running.exists()
    assert (tmp_path / "mediator.backup").exists()
    assert sorted(p.name for p in tmp_path.glob(".staged-*")) == [running.name]  # its own temporary gone


def test_a_file_written_at_once_leaves_no_temporary(tmp_path: Path) -> None:
    dead, _running = _leftovers(tmp_path)
    atomic_write(tmp_path / "测算.pdf", b"%PDF-1.4")
    assert (tmp_path / "测算.pdf").read_bytes() == b"%PDF-1.4" and not dead.exists()


def test_an_unwritable_folder_is_the_environment(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="无法写入"):
        atomic_write(tmp_path / "missing" / "x.pdf", b"%PDF-1.4")
