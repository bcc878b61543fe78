"""Every paper the app writes appears only after the database commit: a commit that fails leaves no
file (not even a temporary) and the database as it was; a killed run leaves nothing under a final
name and its temporaries are removed by the next run in that folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import SQLModel

from mediator.errors import EnvironmentProblem
from mediator.services.audit import chain
from mediator.services.documents.court_report import write_court_report
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.services.documents.reissue import reissue_agreement
from mediator.services.documents.return_letter import write_return_letter
from mediator.store.database import Database
from mediator.store.tables import CaseRow
from tests.fixtures.document_factories import make_batch

NAMES = ("张䶮", "李堃")


def _snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: 'the database unchanged' compares two of these (the search index,
    brought up to date when a process opens the database, aside)."""
    with database.session() as session:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in session.execute(select(table)).all()),
            )
            for table in SQLModel.metadata.sorted_tables
            if not table.name.startswith("search_")
        }


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _commit_fails(*_args: object, **_kwargs: object) -> None:
    raise EnvironmentProblem("数据库磁盘已满")


def _reissue(database: Database, out: Path) -> object:
    return reissue_agreement(database, "（2025）苏01民诉前调3100号", reason="地址更正", out_dir=out)


def _confirmation(database: Database, out: Path) -> object:
    return kind("confirmation").run(database, DocumentRequest(batch=15, out=out))


def _court_request(database: Database, out: Path) -> object:
    return kind("court-request").run(database, DocumentRequest(batch=15, out=out))


def _return_letter(database: Database, out: Path) -> object:
    return write_return_letter(database, 15, out, actor="周", on=date(2025, 4, 2))


def _court_report(database: Database, out: Path) -> object:
    return write_court_report(database, 15, out / "反馈表.xlsx", pdf=out / "反馈表.pdf", actor="周")


def _prepare(database: Database, paper: str, folder: Path) -> None:
    case_type = "民初" if paper == "court_request" else "民诉前调"
    status = {"return_letter": "agreed", "reissue": "agreed"}.get(paper, "signed")
    fixture = make_batch(database, names=NAMES, status=status, case_type=case_type)
    if paper == "reissue":
        # An agreement issued before (its number fixed), to be re-issued.
        kind("agreements").run(database, DocumentRequest(batch=15, out=folder))
    if paper == "return_letter":
        with database.transaction() as session:
            session.execute(
                update(CaseRow)
                .where(CaseRow.id == fixture.case_ids[1])
                .values(status="failed", failure_reason="unreachable", failed_on=date(2025, 4, 1))
            )


PAPERS: dict[str, Callable[[Database, Path], object]] = {
    "reissue": _reissue,
    "confirmation": _confirmation,
    "court_request": _court_request,
    "return_letter": _return_letter,
    "court_report": _court_report,
}


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_a_failed_commit_leaves_no_file_and_the_database_as_it_was(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paper: str
) -> None:
    _prepare(database, paper, tmp_path / "issued")
    before = _snapshot(database)
    out = tmp_path / "out"
    out.mkdir()
    # The commit itself fails (the audit chain is written as the transaction commits).
    monkeypatch.setattr(chain, "append", _commit_fails)
    with pytest.raises(EnvironmentProblem, match="磁盘已满"):
        PAPERS[paper](database, out)
    assert _files(out) == []
    assert _snapshot(database) == before
    monkeypatch.undo()
    PAPERS[paper](database, out)  # the same run succeeds once the database does
    written = _files(out)
    assert written and not [name for name in written if name.startswith(".")]
    assert _snapshot(database) != before  # and is recorded (its audit event at least)


_KILLED_RUN = """
import pathlib, sys, time
from mediator.services.documents.kinds import DocumentRequest, kind
from mediator.services.progress import Progress
from mediator.store.database import open_database

class Stall(Progress):
    def update(self, done, total=None, message=None):
        super().update(done, total, message)
        if done >= 1:
            pathlib.Path(sys.argv[3]).touch()
            time.sleep(120)

db = open_database(sys.argv[1])
kind("confirmation").run(db, DocumentRequest(batch=15, out=pathlib.Path(sys.argv[2]), progress=Stall()))
"""


def test_a_killed_confirmation_run_leaves_nothing_the_next_run_keeps(
    database: Database, tmp_path: Path
) -> None:
    make_batch(database, names=NAMES, status="signed", case_type="民诉前调")
    before = _snapshot(database)
    url = database.engine.url.render_as_string(hide_password=False)
    marker, out = tmp_path / "started", tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, url, str(out), str(marker)])
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    names = _files(out)
    assert names and all(name.startswith(".staged-") for name in names)  # a full application, unnamed
    assert _snapshot(database) == before
    _confirmation(database, out)
    assert not [name for name in _files(out) if name.startswith(".")]
