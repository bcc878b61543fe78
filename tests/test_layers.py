"""The layer rules hold: GUI and CLI over services over store over domain; no Qt in the core."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    # lint-imports sits next to the interpreter when installed with pip install -e ".[test]".
    beside_python = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    command = beside_python or shutil.which("lint-imports")
    assert command, "lint-imports not found: install the test extras (pip install -e '.[test]')"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300
    )
    output = result.stdout + result.stderr
    # import-linter refuses a forbidden contract on an outside package (PySide6) unless told to map them.
    assert "include_external_packages" not in output, (
        "pyproject.toml: add `include_external_packages = true` under [tool.importlinter]"
    )
    assert result.returncode == 0, output
    assert "0 broken" in result.stdout
