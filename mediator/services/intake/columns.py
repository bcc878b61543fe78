"""Checking a whole column of a block of rows at once, for 100,000-row lists.

Calling a field's checker (``checks``) once per cell costs more in Python's calls and exception
set-ups than in the checks themselves. Each function here reads the forms that make up nearly
every list (the clean one and the usual messy ones) in one comprehension, and hands every other
cell to the field's own checker, which gives the stored value or the problem. So a column's result
is always exactly what the checker would give cell by cell; ``tests/services/intake/test_columns.py``
compares both on generated messy values.

A column check takes the cells as read and returns ``Checked``: the stored values (None where a
cell has a problem) and the problems as ``(index in the block, ValidationError)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from unicodedata import normalize

from mediator.errors import ValidationError
from mediator.services.intake import checks

Checker = Callable[[Any], Any]


class Checked(NamedTuple):
    values: list[Any]
    problems: list[tuple[int, ValidationError]]


ColumnCheck = Callable[[Sequence[Any]], Checked]

# A cell the comprehension left to the field's checker.
_PENDING: Any = object()


def _settle(cells: Sequence[Any], values: list[Any], check: Checker) -> Checked:
    """Run ``check`` on the cells the fast reading left pending."""
    problems: list[tuple[int, ValidationError]] = []
    pending = _PENDING
    if pending not in values:  # the usual column: a C scan instead of a comprehension
        return Checked(values, problems)
    for index in [i for i, value in enumerate(values) if value is pending]:
        try:
            values[index] = check(cells[index])
        except ValidationError as exc:
            values[index] = None
            problems.append((index, exc))
    return Checked(values, problems)


def repeating(check: Checker, *, optional: bool = False) -> ColumnCheck:
    """For a column whose few values repeat down the list (被告): each distinct cell checked once."""

    def column(cells: Sequence[Any]) -> Checked:
        # Keyed with the type too: 1, 1.0 and True are equal, and their texts are not.
        keys = [(cell.__class__, cell) for cell in cells]
        known: dict[Any, Any] = {}
        failed: dict[Any, ValidationError] = {}
        for key in set(keys):
            cell = key[1]
            if optional and (cell is None or cell == ""):
                known[key] = None
                continue
            try:
                known[key] = check(cell)
            except ValidationError as exc:
                known[key] = None
                failed[key] = exc
        values = [known[key] for key in keys]
        problems = [(i, failed[key]) for i, key in enumerate(keys) if key in failed] if failed else []
        return Checked(values, problems)

    return column


def case_numbers(cells: Sequence[Any]) -> Checked:
    """案号: either kind of bracket, spaces around the cell or before the serial number."""
    bracketed, wide = checks.BRACKETED_CASE_NUMBER.fullmatch, checks.WIDE_CASE_NUMBER.fullmatch
    values = [
        (
            f"（{m[1]}）{m[2]}{m[3]}"
            if (m := bracketed(cell))
            else _wide_case_number(w)
            if (w := wide(cell))
            else _PENDING
        )
        if cell.__class__ is str
        else _PENDING
        for cell in cells
    ]
    return _settle(cells, values, checks.case_number)


def _wide_case_number(m: re.Match[str]) -> str:
    """A ``WIDE_CASE_NUMBER`` match, canonical: half-width digits (the court's kept with their zeros)."""
    court = m[3]
    digits = "" if court is None else str(int(court)).zfill(len(court))
    return f"（{int(m[1])}）{m[2]}{digits}{m[4]}{int(m[5])}号"


def _amounts(cells: Sequence[Any], check: Checker, *, optional: bool) -> Checked:
    # WIDE_AMOUNT also reads every DECORATED_AMOUNT form.
    wide, fen = checks.WIDE_AMOUNT.fullmatch, checks.matched_fen
    texts = [
        cell.strip()
        if cell.__class__ is str
        else repr(cell)
        if cell.__class__ is float
        else ""
        if cell is None
        else None
        for cell in cells
    ]
    values = [
        fen(m) if text and (m := wide(text)) else None if optional and text == "" else _PENDING
        for text in texts
    ]
    return _settle(cells, values, check)


def claimed_amounts(cells: Sequence[Any]) -> Checked:
    """诉讼请求金额 in fen: 8000, 12,345.67元, ￥8000, 人民币1,000.5元 (``checks.amount_fen``)."""
    return _amounts(cells, checks.amount_fen, optional=False)


def agreed_amounts(cells: Sequence[Any]) -> Checked:
    """调解金额 in fen, or None when left blank."""
    return _amounts(cells, checks.optional_amount_fen, optional=True)


def phones(cells: Sequence[Any]) -> Checked:
    """Mobiles as typed (138 1234 5678, +86 13812345678), None for an empty cell."""
    mobile, spaced = checks.MOBILE.fullmatch, checks.SPACED_MOBILE.fullmatch
    values = [
        None
        if cell is None or cell == ""
        else cell
        if cell.__class__ is str and mobile(cell)
        else m[1] + m[2] + m[3]
        if cell.__class__ is str and (m := spaced(cell))
        else _PENDING
        for cell in cells
    ]
    return _settle(cells, values, checks.phone)


def accounts(cells: Sequence[Any]) -> Checked:
    """Securities accounts typed as text, None for an empty cell."""
    plain = checks.PLAIN_ACCOUNT.fullmatch
    values = [
        None if cell is None or cell == "" else cell if cell.__class__ is str and plain(cell) else _PENDING
        for cell in cells
    ]
    return _settle(cells, values, checks.account)


def free_texts(check: Checker, limit: int) -> ColumnCheck:
    """An address or agent: a tidy text (no outer or doubled spaces, nothing to translate or
    refuse) within ``limit`` is stored as it is; None for an empty cell."""
    tidy, wide = checks.TIDY_TEXT.fullmatch, checks.WIDE_TEXT.fullmatch

    def column(cells: Sequence[Any]) -> Checked:
        values = [
            None
            if cell is None or cell == ""
            else (
                cell
                if len(cell) <= limit and tidy(cell)
                else _tidied(cell, limit)
                if len(cell) <= checks.MAX_CELL and wide(cell)
                else _PENDING
            )
            if cell.__class__ is str
            else _PENDING
            for cell in cells
        ]
        return _settle(cells, values, check)

    return column


def _tidied(cell: str, limit: int) -> Any:
    """A ``WIDE_TEXT`` cell half-width with single spaces (NFKC is to_half_width on its characters,
    and quicker); left to the checker when empty or too long."""
    text = " ".join(normalize("NFKC", cell).split())
    return text if 0 < len(text) <= limit else _PENDING


class Identities(NamedTuple):
    id_types: list[str]
    numbers: list[Any]
    names: list[Any]
    id_problems: list[tuple[int, ValidationError]]
    name_problems: list[tuple[int, ValidationError]]


def identities(id_cells: Sequence[Any], name_cells: Sequence[Any]) -> Identities:
    """Each plaintiff's ID type and number (``checks.identity``) and name (``checks.plaintiff_name``);
    a row whose ID number has a problem still gets its name checked, as a person's."""
    resident = checks.RESIDENT_ID.fullmatch
    check_chars, birth_ok = checks.ID_CHECK_CHARS, checks.birth_ok
    texts = _stripped(id_cells)
    texts = [text[:17] + "X" if text[-1:] == "x" else text for text in texts]
    numbers = [
        text
        if resident(text) and check_chars[(2 * int(text[:17], 13)) % 11] == text[17] and birth_ok(text[6:14])
        else _PENDING
        for text in texts
    ]
    id_types = ["resident_id"] * len(numbers)
    id_problems: list[tuple[int, ValidationError]] = []
    for index in [i for i, number in enumerate(numbers) if number is _PENDING]:
        try:
            id_types[index], numbers[index] = checks.identity(id_cells[index], name_cells[index])
        except ValidationError as exc:
            numbers[index] = None
            id_problems.append((index, exc))
    plain = checks.PLAIN_NAME.fullmatch
    names = [
        name if id_type == "resident_id" and plain(name) else _PENDING
        for name, id_type in zip(_stripped(name_cells), id_types, strict=True)
    ]
    name_problems: list[tuple[int, ValidationError]] = []
    for index in [i for i, name in enumerate(names) if name is _PENDING]:
        try:
            names[index] = checks.plaintiff_name(name_cells[index], id_types[index])
        except ValidationError as exc:
            names[index] = None
            name_problems.append((index, exc))
    return Identities(id_types, numbers, names, id_problems, name_problems)


def _stripped(cells: Sequence[Any]) -> list[str]:
    """Text cells without their outer spaces; "" for anything else (left to the field's checker).
    A whole column at once: a call per cell would cost more than the stripping."""
    limit = checks.MAX_CELL
    return [cell.strip() if cell.__class__ is str and len(cell) <= limit else "" for cell in cells]
