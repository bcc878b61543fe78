"""The GUI never opens a database session: services own their transactions, and every write from
a window runs as a job in the write pool (gui/jobs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import mediator.gui

GUI = Path(mediator.gui.__file__).parent
# A session or transaction opened here, or the ORM imported: either means the GUI does the
# services' work.
FORBIDDEN = re.compile(
    r"\.session\(\)|\.transaction\(\)|\bfrom sqlmodel\b|\bimport sqlmodel\b|\bsqlalchemy\b|store\.tables"
)


def test_gui_modules_open_no_session_and_import_no_orm() -> None:
    offences = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(GUI.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert offences == []
