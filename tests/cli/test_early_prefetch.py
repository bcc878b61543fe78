"""``mediator import`` starts reading its first list before the rest of the CLI loads; the guess
from the raw arguments never changes what gets imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediator import cli
from mediator.cli import main
from tests.fixtures.messy_lists import make_investors, write_xlsx


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, Path]:
    first = write_xlsx(tmp_path / "first.xlsx", make_investors(3, seed=1), style=0)
    second = write_xlsx(tmp_path / "second.xlsx", make_investors(2, seed=2, first_case=9000), style=0)
    return first, second


def test_the_first_existing_file_after_import_is_read_early(lists: tuple[Path, Path]) -> None:
    first, second = lists
    found = cli._early_prefetch(
        ["--db", str(second), "--verbose", "import", "--batch", "3", str(first), str(second)]
    )
    assert found is not None and found.path == first
    assert found.take(first) is not None  # the parsed sheet, ready


@pytest.mark.parametrize(
    "argv",
    [
        ["stats"],
        ["offers", "import", "{first}"],  # another command's import
        ["import", "--dry-run"],
        ["import", "missing.xlsx"],
        [],
    ],
)
def test_nothing_is_read_early_for_other_commands(argv: list[str], lists: tuple[Path, Path]) -> None:
    argv = [arg.format(first=lists[0]) for arg in argv]
    assert cli._early_prefetch(argv) is None


def test_a_wrong_guess_imports_the_named_files_all_the_same(
    lists: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = lists
    url = f"sqlite:///{tmp_path / 'work.db'}"
    # The value of --errors-out is an existing file: it is read early, in vain; the lists are imported.
    assert main(["--db", url, "import", "--errors-out", str(second), str(first), "--json"]) == 0
    assert '"imported": 3' in capsys.readouterr().out
