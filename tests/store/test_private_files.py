"""The work database and the logs are readable by their user only (they hold personal data)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from mediator.store.database import default_database_url, open_database

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows uses the profile's ACL")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual default: new files world-readable
    try:
        url = default_database_url()  # the tests point the user-data folder into tmp
        database = open_database(url)
        database.dispose()
    finally:
        os.umask(old_umask)
    path = Path(url.removeprefix("sqlite:///"))
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            assert _mode(companion) & 0o077 == 0


def test_a_database_named_on_the_command_line_is_private_too(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        open_database(f"sqlite:///{tmp_path / 'team.db'}").dispose()
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "team.db") == 0o600
