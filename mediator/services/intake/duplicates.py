"""Duplicates within one import run: the same 案号 twice (identical rows are skipped, different ones
are an error naming both places) and one ID number given two names. What the database already
holds is the writer's to compare."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from mediator.domain import referral_headers as rh
from mediator.i18n import _
from mediator.services.intake import rows as r
from mediator.services.intake.report import FileReport, RowError
from mediator.services.intake.rows import Row


class RunDuplicates:
    """Duplicate 案号 within and across the files of one run, and one ID number given two names."""

    def __init__(self) -> None:
        self._cases: dict[str, tuple[str, int, tuple[Any, ...]]] = {}
        self._ids: dict[tuple[str, str], tuple[str, int, str]] = {}

    def clear(self) -> None:
        self._cases.clear()
        self._ids.clear()

    def keep(self, report: FileReport, headers: dict[str, str], rows: list[Row]) -> list[Row]:
        """The rows of ``rows`` seen for the first time; the others are counted or reported."""
        if self._all_new(report, rows):
            return rows
        seen_cases, seen_ids = self._cases, self._ids
        kept: list[Row] = []
        for row in rows:
            number, case_number = row[r.NUMBER], row[r.CASE_NUMBER]
            signature = (row[r.NAME], row[r.ID_NUMBER], row[r.CLAIMED], row[r.AGREED])
            earlier = seen_cases.get(case_number)
            if earlier is not None:
                if earlier[2] == signature:
                    report.skipped_duplicates += 1
                else:
                    report.errors.append(_case_twice(report, headers, row, earlier))
                continue
            seen_cases[case_number] = (report.file, number, signature)
            key = (row[r.ID_TYPE], row[r.ID_NUMBER])
            known = seen_ids.get(key)
            if known is None:
                seen_ids[key] = (report.file, number, row[r.NAME])
            elif known[2] != row[r.NAME]:
                report.errors.append(
                    RowError(
                        report.file,
                        number,
                        headers[rh.NAME],
                        row[r.NAME],
                        _("同一身份证号码在第 {row} 行的姓名为“{other}”，与此行不同。").format(
                            row=known[1], other=known[2]
                        ),
                        rh.NAME,
                    )
                )
                continue
            kept.append(row)
        return kept

    def _all_new(self, report: FileReport, rows: list[Row]) -> bool:
        """Remember ``rows`` at once when no 案号 and no ID number among them was seen before
        (the usual chunk of a list: one investor per row); False, remembering nothing, otherwise."""
        cases = list(map(itemgetter(r.CASE_NUMBER), rows))
        ids = list(map(itemgetter(r.ID_TYPE, r.ID_NUMBER), rows))
        if not (
            len(set(cases)) == len(rows) == len(set(ids))
            and self._cases.keys().isdisjoint(cases)
            and self._ids.keys().isdisjoint(ids)
        ):
            return False
        files = [report.file] * len(rows)
        numbers = list(map(itemgetter(r.NUMBER), rows))
        names = list(map(itemgetter(r.NAME), rows))
        signatures = map(itemgetter(r.NAME, r.ID_NUMBER, r.CLAIMED, r.AGREED), rows)
        self._cases.update(zip(cases, zip(files, numbers, signatures, strict=True), strict=True))
        self._ids.update(zip(ids, zip(files, numbers, names, strict=True), strict=True))
        return True


def _case_twice(
    report: FileReport, headers: dict[str, str], row: Row, earlier: tuple[str, int, Any]
) -> RowError:
    where = _("第 {row} 行").format(row=earlier[1])
    if earlier[0] != report.file:
        where = f"{earlier[0]} " + where
    case_number = row[r.CASE_NUMBER]
    return RowError(
        report.file,
        row[r.NUMBER],
        headers[rh.CASE_NUMBER],
        case_number,
        _("案号{case}与{where}重复，但内容不同。").format(case=case_number, where=where),
        rh.CASE_NUMBER,
    )
