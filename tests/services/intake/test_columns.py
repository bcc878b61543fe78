"""A column checked at once gives, cell for cell, what the field's own checker gives: the same
stored value, or the same problem. Checked on the messy forms the fixtures type and on cells built
to sit just beside the quick readings (wrong widths, stray characters, odd types)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from unicodedata import normalize

import pytest

from mediator.domain.validators import make_resident_id, make_uscc, to_half_width
from mediator.errors import ValidationError
from mediator.services.intake import checks, columns
from mediator.services.intake.columns import Checked
from tests.fixtures.messy_lists import HEADER_STYLES, make_investors, typed_rows

ODD_CELLS: list[Any] = [
    None,
    "",
    "   ",
    "\u3000",
    0.0,
    12.5,
    1e16,
    float("nan"),
    7,
    True,
    date(2025, 3, 3),
    datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
    "x" * 400,
    "\x1b[31m",
    "abc\u202edef",
]


def _typed_columns(count: int = 600) -> dict[str, list[Any]]:
    """The cells of every field as the fixtures type them, over all header styles."""
    found: dict[str, list[Any]] = {}
    for style, headers in enumerate(HEADER_STYLES):
        investors = make_investors(count, seed=style + 3, agreed=style % 2 == 1)
        keys = [key for key, _header in headers]
        for row in typed_rows(investors, style):
            for key, cell in zip(keys, row, strict=True):
                found.setdefault(key, []).append(cell)
    return found


TYPED = _typed_columns()


def _one_by_one(check: Callable[[Any], Any], cells: Sequence[Any], *, optional: bool) -> list[object]:
    """What the row-by-row import did: skip an empty optional cell, else call the checker."""
    out: list[object] = []
    for cell in cells:
        if optional and (cell is None or cell == ""):
            out.append(None)
            continue
        try:
            out.append(check(cell))
        except ValidationError as exc:
            out.append(("problem", str(exc)))
    return out


def _at_once(checked: Checked) -> list[object]:
    out: list[object] = list(checked.values)
    for index, problem in checked.problems:
        assert out[index] is None, "a cell with a problem keeps no value"
        out[index] = ("problem", str(problem))
    return out


def _near_misses(cells: Sequence[Any]) -> list[Any]:
    """Each text cell changed the ways that leave a quick reading: padded, widened, cut, doubled."""
    wide = str.maketrans("0123456789()（）,.", "０１２３４５６７８９（）()，．")
    out: list[Any] = []
    for cell in cells:
        if isinstance(cell, str) and cell:
            out += [f" {cell}\t", cell.translate(wide), cell[:-1], cell + cell[-1], cell.replace(" ", "  ")]
    return out


FIELDS: list[tuple[str, Callable[[Sequence[Any]], Checked], Callable[[Any], Any], bool, list[Any]]] = [
    (
        "case_number",
        columns.case_numbers,
        checks.case_number,
        False,
        ["（2025）苏01民初0031号", "(2025)苏01民初3号之一"],
    ),
    (
        "claimed_amount",
        columns.claimed_amounts,
        checks.amount_fen,
        False,
        ["0", "-5", "1,23.4", "8000.001", "1.2e3"],
    ),
    ("agreed_amount", columns.agreed_amounts, checks.optional_amount_fen, True, ["０", "五千元", "￥ 8,000"]),
    ("phone", columns.phones, checks.phone, True, ["025-83331234", "+86 138 0000", "１３８１２３４５６７８"]),
    (
        "securities_account",
        columns.accounts,
        checks.account,
        True,
        ["a123456789", "A 123 456 789", 123456789.0],
    ),
    ("address", columns.free_texts(checks.address, checks.ADDRESS_LIMIT), checks.address, True, ["路" * 201]),
    (
        "agent",
        columns.free_texts(checks.agent, checks.AGENT_LIMIT),
        checks.agent,
        True,
        ["王 律师", "律" * 101],
    ),
    ("company", columns.repeating(checks.company, optional=True), checks.company, True, ["公司\x00", 1, 1.0]),
]


@pytest.mark.parametrize(
    ("field", "column", "check", "optional", "extra"), FIELDS, ids=[f[0] for f in FIELDS]
)
def test_a_column_at_once_agrees_with_its_checker_cell_by_cell(
    field: str,
    column: Callable[[Sequence[Any]], Checked],
    check: Callable[[Any], Any],
    optional: bool,
    extra: list[Any],
) -> None:
    typed = TYPED.get(field) or TYPED["claimed_amount"]
    cells = [*typed, *_near_misses(typed[:200]), *ODD_CELLS, *extra]
    random.Random(1).shuffle(cells)
    expected = _one_by_one(check, cells, optional=optional)
    assert _at_once(column(cells)) == expected
    # Some of them are problems, or the comparison above proved little.
    assert any(isinstance(value, tuple) for value in expected)


def _identities_one_by_one(ids: Sequence[Any], names: Sequence[Any]) -> list[tuple[object, object, object]]:
    out: list[tuple[object, object, object]] = []
    for raw, name in zip(ids, names, strict=True):
        id_type: object = "resident_id"
        try:
            id_type, number = checks.identity(raw, name)
        except ValidationError as exc:
            number = ("problem", str(exc))
        try:
            stored: object = checks.plaintiff_name(name, str(id_type))
        except ValidationError as exc:
            stored = ("problem", str(exc))
        out.append((id_type, number, stored))
    return out


def test_identities_at_once_agree_with_the_checkers_row_by_row() -> None:
    rng = random.Random(4)
    ids = list(TYPED["id_number"])
    names = list(TYPED["name"])
    good = make_resident_id("320102", date(1980, 2, 29), 7)
    extra = [
        (good.lower(), "王伟"),
        (good[:17] + ("0" if good[17] != "0" else "1"), "王伟"),  # wrong check digit
        (make_resident_id("320102", date(1980, 1, 1), 8)[:6] + "20990101" + "0000", "李四"),
        ("91320100MA1XXXXX0X", "南京某某投资管理有限公司"),  # a credit code, but malformed
        (make_uscc("91320100MA1W2X3Y4"), "江苏某某投资有限公司"),
        (make_uscc("91320100MA1W2X3Y4").lower(), "某某基金"),
        ("H12345678", "陈大文"),  # a 港澳 travel permit
        ("320102198001011234", "阿卜杜拉·买买提"),
        (320102198001011234.0, "王伟"),
        (None, None),
        ("", "  "),
        (good, "𠇔𠇔"),
        (good, "王" * 400),
    ]
    pairs = [*zip(ids, names, strict=True), *extra]
    pairs += [(near, rng.choice(names)) for near in _near_misses(ids[:150])]
    rng.shuffle(pairs)
    ids, names = [p[0] for p in pairs], [p[1] for p in pairs]
    found = columns.identities(ids, names)
    numbers: list[object] = list(found.numbers)
    stored: list[object] = list(found.names)
    for index, problem in found.id_problems:
        numbers[index] = ("problem", str(problem))
    for index, problem in found.name_problems:
        stored[index] = ("problem", str(problem))
    expected = _identities_one_by_one(ids, names)
    assert list(zip(found.id_types, numbers, stored, strict=True)) == expected
    assert {value[0] for value in expected} >= {"resident_id", "uscc"}
    assert any(isinstance(value[1], tuple) for value in expected)
    assert any(isinstance(value[2], tuple) for value in expected)


def test_nfkc_makes_of_every_wide_text_character_what_to_half_width_makes() -> None:
    # columns.free_texts relies on it to tidy full-width addresses quickly.
    wide = [chr(code) for code in range(0x110000) if checks.WIDE_TEXT.fullmatch(chr(code))]
    assert len(wide) > 20_000
    assert [normalize("NFKC", c) for c in wide] == [to_half_width(c) for c in wide]
