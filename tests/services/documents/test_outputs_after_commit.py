"""Outputs appear only after the database commit; a killed run's temporaries are removed by the
next run and its pool workers do not outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediator.errors import EnvironmentProblem
from mediator.services.documents import agreement, signing
from mediator.services.documents.agreement import generate_agreements
from mediator.services.documents.signing import write_sign_package
from mediator.store.database import Database
from tests.fixtures.document_factories import make_batch

NAMES = ("张䶮", "李堃", "王喆")


def _visible_and_temporary(folder: Path) -> tuple[list[str], list[str]]:
    names = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    return [n for n in names if not n.startswith(".")], [n for n in names if n.endswith(".part")]


def _failing(*_args: object, **_kwargs: object) -> None:
    raise EnvironmentProblem("磁盘已满")


def test_a_sign_package_whose_commit_fails_leaves_no_file(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_batch(database, names=NAMES)
    monkeypatch.setattr(signing, "audit", _failing)  # the last write of the transaction fails
    out = tmp_path / "package"
    with pytest.raises(EnvironmentProblem):
        write_sign_package(database, 15, out, jobs=1)
    assert _visible_and_temporary(out) == ([], [])
    monkeypatch.undo()
    package = write_sign_package(database, 15, out, jobs=1)
    visible, temporary = _visible_and_temporary(out)
    assert len(visible) == package.count + 2 and temporary == []  # PDFs + manifest.json/.xlsx


def test_agreements_whose_commit_fails_leave_no_file(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_batch(database, names=NAMES)
    from mediator.services.documents import written

    monkeypatch.setattr(written, "record_written", _failing)
    out = tmp_path / "out"
    with pytest.raises(EnvironmentProblem):
        generate_agreements(database, batch=15, out_dir=out, jobs=1)
    assert _visible_and_temporary(out) == ([], [])


def test_the_next_run_removes_a_killed_runs_temporaries(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=NAMES)
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    leftovers = [out / f".staged-{dead.stdout.strip()}-x1y2.part", out / ".staged-k3j4h5.part"]
    for path in leftovers:
        path.write_bytes(b"%PDF- a full agreement with an ID number")
    generate_agreements(database, batch=15, out_dir=out, jobs=1)
    assert not any(path.exists() for path in leftovers)
    assert _visible_and_temporary(out)[1] == []


_KILLED_RUN = """
import pathlib, sys, time
from mediator.services.documents.agreement import generate_agreements
from mediator.services.progress import Progress
from mediator.store.database import open_database

class Stall(Progress):
    def update(self, done, total=None, message=None):
        super().update(done, total, message)
        if done >= 1:
            pathlib.Path(sys.argv[3]).touch()
            time.sleep(120)

db = open_database(sys.argv[1])
generate_agreements(db, batch=15, out_dir=pathlib.Path(sys.argv[2]), jobs=2, progress=Stall())
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_pool_workers_die_with_a_killed_run(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=NAMES * 4)
    url = database.engine.url.render_as_string(hide_password=False)
    marker = tmp_path / "started"
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, url, str(out), str(marker)])
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    workers = _children(child.pid)
    assert workers, "the run should have pool workers"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    # Nothing under a final name; the temporaries go with the next run.
    assert _visible_and_temporary(out)[0] == []
    generate_agreements(database, batch=15, out_dir=out, jobs=1)
    assert _visible_and_temporary(out)[1] == []


def test_render_documents_alone_still_publishes_at_once(database: Database, tmp_path: Path) -> None:
    make_batch(database, names=NAMES[:1])
    with database.session() as session:
        from mediator.services.documents.data import load_case_documents

        documents = load_case_documents(session, case_ids=None, batch_id=None)
    files = agreement.render_documents(documents[:1], tmp_path / "one", jobs=1)
    assert files[0].path.exists()
