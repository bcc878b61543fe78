"""`mediator stats | head`: a reader that stops early ends the command quietly, not as a bug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.db'}"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "mediator.cli", "--db", url, "stats"],
            stdout=write_end,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0
    assert err.decode("utf-8") == ""
