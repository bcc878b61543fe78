"""The return letter (退回函): failed cases go back to the court, listed with their reasons, and are
marked 已退回法院 together with the file."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from mediator.errors import UserError
from mediator.services.documents import return_letter
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.store.database import Database
from mediator.store.tables import CaseRow
from tests.fixtures.document_factories import DocumentFixture, make_batch

NAMES = ("张䶮", "李堃", "阿依古丽·买买提")


@pytest.fixture
def batch(database: Database) -> DocumentFixture:
    fixture = make_batch(database, names=NAMES)
    with database.transaction() as session:
        for case_id, reason, note in (
            (fixture.case_ids[1], "unreachable", "回访三次无人接听"),
            (fixture.case_ids[2], "investor_declined", None),
        ):
            session.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .values(status="failed", failure_reason=reason, failure_note=note, failed_on=date(2025, 4, 1))
            )
        session.execute(update(CaseRow).where(CaseRow.id == fixture.case_ids[0]).values(status="paid"))
    return fixture


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _statuses(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(CaseRow.status).order_by(CaseRow.id)))


def test_the_letter_lists_failed_cases_and_returns_them(
    database: Database, batch: DocumentFixture, tmp_path: Path
) -> None:
    request = DocumentRequest(batch="第15批", out=tmp_path / "退回", actor="周")
    result = kind("return-letter").run(database, request)
    assert isinstance(result, return_letter.ReturnLetterRun)
    assert result.file.name == "第15批-退回函.pdf" and result.newly_returned == 2
    text = _text(result.file)
    for part in (
        "退回函",
        "南京市中级人民法院",
        "共3件",
        "其中2件未能达成调解协议",
        "无法联系：回访三次无人接听",
    ):
        assert part in text.replace(" ", "")
    assert "投资者不同意" in text and batch.case_numbers[1] in text and batch.case_numbers[0] not in text
    assert _statuses(database) == ["paid", "returned_to_court", "returned_to_court"]
    assert "2 件案件已标记为“已退回法院”" in result.summary()
    again = kind("return-letter").run(database, request)  # a reprint: the same cases, nothing moved
    assert again.newly_returned == 0 and len(again.cases) == 2  # type: ignore[attr-defined]


def test_a_batch_without_failed_cases_gets_no_letter(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=("张䶮",), status="paid")
    with pytest.raises(UserError, match="第15批没有调解不成的案件"):
        return_letter.write_return_letter(database, 15, tmp_path / "out", actor="周")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_failed_render_returns_nothing(
    database: Database, batch: DocumentFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> bytes:
        raise UserError("字体缺字")

    monkeypatch.setattr(return_letter, "build_return_letter_pdf", broken)
    with pytest.raises(UserError, match="字体缺字"):
        return_letter.write_return_letter(database, 15, tmp_path / "out", actor="周")
    assert _statuses(database) == ["paid", "failed", "failed"]
    assert list((tmp_path / "out").iterdir()) == []
