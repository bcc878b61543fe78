"""Duplicates within one import run: the same 案号 twice (identical rows are skipped, different ones
are an error naming both places) and one ID number given two names.

The writer looks for them, just before it compares the rows with what the database holds: it has
time to spare while the reading side checks the next rows (the slower of the two)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from mediator.domain import referral_headers as rh
from mediator.i18n import _
from mediator.services.intake import rows as r
from mediator.services.intake.report import RowError
from mediator.services.intake.rows import Row

# What a duplicate 案号 is compared on: the same plaintiff and amounts make it the same case again.
_SIGNATURE = itemgetter(r.NAME, r.ID_NUMBER, r.CLAIMED, r.AGREED)
_IDENTITY = itemgetter(r.ID_TYPE, r.ID_NUMBER)


class Tally(Protocol):
    """Where a file's duplicates are counted and its problems collected."""

    errors: list[RowError]
    skipped_duplicates: int


class _Seen(NamedTuple):
    """The rows of one file seen so far, by 案号 and by identity (the rows themselves: no record
    is built per row)."""

    file: str
    cases: dict[str, Row]
    ids: dict[tuple[str, str], Row]


class RunDuplicates:
    """Duplicate 案号 within and across the files of one run, and one ID number given two names."""

    def __init__(self) -> None:
        self._files: list[_Seen] = []

    def clear(self) -> None:
        self._files.clear()

    def keep(self, file: str, headers: Mapping[str, str], rows: list[Row], report: Tally) -> list[Row]:
        """The rows of ``rows`` (of ``file``, whose columns are called ``headers``) seen for the
        first time; the others are counted or reported in ``report``."""
        seen = self._file(file)
        if self._all_new(seen, rows):
            return rows
        kept: list[Row] = []
        for row in rows:
            earlier = self._earlier(row[r.CASE_NUMBER], lambda files: files.cases)
            if earlier is not None:
                if _SIGNATURE(earlier[1]) == _SIGNATURE(row):
                    report.skipped_duplicates += 1
                else:
                    report.errors.append(_case_twice(file, headers, row, earlier))
                continue
            seen.cases[row[r.CASE_NUMBER]] = row
            known = self._earlier(_IDENTITY(row), lambda files: files.ids)
            if known is None:
                seen.ids[_IDENTITY(row)] = row
            elif known[1][r.NAME] != row[r.NAME]:
                report.errors.append(
                    RowError(
                        file,
                        row[r.NUMBER],
                        headers[rh.NAME],
                        row[r.NAME],
                        _("同一身份证号码在第 {row} 行的姓名为“{other}”，与此行不同。").format(
                            row=known[1][r.NUMBER], other=known[1][r.NAME]
                        ),
                        rh.NAME,
                    )
                )
                continue
            kept.append(row)
        return kept

    def _file(self, file: str) -> _Seen:
        if not self._files or self._files[-1].file != file:
            self._files.append(_Seen(file, {}, {}))
        return self._files[-1]

    def _earlier(self, key: Any, table: Callable[[_Seen], dict[Any, Row]]) -> tuple[str, Row] | None:
        for files in self._files:
            row = table(files).get(key)
            if row is not None:
                return files.file, row
        return None

    def _all_new(self, seen: _Seen, rows: list[Row]) -> bool:
        """Remember ``rows`` at once when no 案号 and no ID number among them was seen before
        (the usual chunk of a list: one investor per row); False, remembering nothing, otherwise."""
        cases = list(map(itemgetter(r.CASE_NUMBER), rows))
        ids = list(map(_IDENTITY, rows))
        if not (
            len(set(cases)) == len(rows) == len(set(ids))
            and all(files.cases.keys().isdisjoint(cases) for files in self._files)
            and all(files.ids.keys().isdisjoint(ids) for files in self._files)
        ):
            return False
        seen.cases.update(zip(cases, rows, strict=True))
        seen.ids.update(zip(ids, rows, strict=True))
        return True


def _case_twice(file: str, headers: Mapping[str, str], row: Row, earlier: tuple[str, Row]) -> RowError:
    where = _("第 {row} 行").format(row=earlier[1][r.NUMBER])
    if earlier[0] != file:
        where = f"{earlier[0]} " + where
    case_number = row[r.CASE_NUMBER]
    return RowError(
        file,
        row[r.NUMBER],
        headers[rh.CASE_NUMBER],
        case_number,
        _("案号{case}与{where}重复，但内容不同。").format(case=case_number, where=where),
        rh.CASE_NUMBER,
    )
