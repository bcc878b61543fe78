"""The audit log is a hash chain: editing, deleting or forging a row behind the app's back is found
by ``verify`` (``mediator audit verify``), which names the first broken event; concurrent writers
never fork the chain. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from mediator.domain.audit_chain import EventContent, event_hash
from mediator.services.audit import chain
from mediator.services.audit.trail import record_event
from mediator.services.intake.importer import import_referrals
from mediator.store.database import Database
from tests.fixtures.messy_lists import make_investors, write_xlsx


def _events(database: Database, count: int) -> None:
    for number in range(count):
        record_event(database, actor="王建国", action="show_personal_data", detail=f"第{number + 1}次查看")


def _run(database: Database, sql: str, **params: object) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(sql), params)


def test_an_untouched_chain_is_intact(any_database: Database) -> None:
    _events(any_database, 5)
    report = chain.verify(any_database)
    assert report.intact
    assert report.events == 5 and report.head_seq == 5
    assert "完整" in report.summary()


def test_an_empty_log_is_intact(any_database: Database) -> None:
    assert chain.verify(any_database).intact


def test_an_edited_row_is_named(any_database: Database) -> None:
    _events(any_database, 6)
    _run(any_database, "UPDATE audit_event SET detail = '无事发生' WHERE seq = 3")
    report = chain.verify(any_database)
    assert not report.intact and report.broken is not None
    assert report.broken.seq == 3
    assert "第 3 条" in report.summary() and "改动" in report.summary()


def test_an_edited_time_or_actor_is_found(any_database: Database) -> None:
    _events(any_database, 3)
    _run(any_database, "UPDATE audit_event SET actor = '陈晓燕' WHERE seq = 2")
    broken = chain.verify(any_database).broken
    assert broken is not None and broken.seq == 2


def test_a_deleted_row_is_named_by_the_event_after_it(any_database: Database) -> None:
    _events(any_database, 6)
    _run(any_database, "DELETE FROM audit_event WHERE seq = 4")
    report = chain.verify(any_database)
    assert report.broken is not None and report.broken.seq == 5
    assert "第 4 至 4 条记录已被删除" in report.summary()


def test_deleting_the_newest_rows_is_found(any_database: Database) -> None:
    _events(any_database, 6)
    _run(any_database, "DELETE FROM audit_event WHERE seq >= 5")
    report = chain.verify(any_database)
    assert report.broken is not None and report.broken.seq == 5
    assert "第 5 至 6 条" in report.summary()


def test_a_forged_row_is_found_even_with_a_well_computed_hash(any_database: Database) -> None:
    _events(any_database, 3)
    with any_database.engine.connect() as connection:
        last = connection.execute(text("SELECT hash FROM audit_event WHERE seq = 3")).scalar_one()
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    content = EventContent.of(at=at, actor="王建国", action="transition", detail="已签署 → 已履行")
    digest = event_hash(4, content, last)
    _run(
        any_database,
        "INSERT INTO audit_event (at, actor, action, detail, seq, prev_hash, hash) "
        "VALUES (:at, '王建国', 'transition', '已签署 → 已履行', 4, :prev, :hash)",
        at=at,
        prev=last,
        hash=digest,
    )
    report = chain.verify(any_database)
    assert report.broken is not None
    assert "链头" in report.summary()


def test_a_forged_row_in_the_middle_is_named(any_database: Database) -> None:
    _events(any_database, 3)
    # Make room at position 2 as a forger would: shift the later events on.
    _run(any_database, "UPDATE audit_event SET seq = seq + 10 WHERE seq >= 2")
    _run(any_database, "UPDATE audit_event SET seq = seq - 9 WHERE seq >= 12")
    _run(
        any_database,
        "INSERT INTO audit_event (at, actor, action, seq, prev_hash, hash) "
        "VALUES (:at, '王建国', 'transition', 2, :prev, :hash)",
        at=datetime.now(UTC),
        prev="0" * 64,
        hash="f" * 64,
    )
    report = chain.verify(any_database)
    assert report.broken is not None and report.broken.seq == 2


def test_new_events_after_a_deletion_do_not_hide_it(any_database: Database) -> None:
    _events(any_database, 4)
    _run(any_database, "DELETE FROM audit_event WHERE seq = 4")
    _events(any_database, 1)  # the app goes on from the head it recorded, not from the last row
    report = chain.verify(any_database)
    assert report.broken is not None and report.broken.seq == 5


def test_an_import_records_its_event_in_the_chain(any_database: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "第15批.xlsx", make_investors(8, seed=41))
    result = import_referrals(any_database, [path], actor="王建国")
    assert result.imported == 8
    with any_database.engine.connect() as connection:
        actions = connection.execute(text("SELECT action FROM audit_event ORDER BY seq")).scalars().all()
    assert "import" in actions
    assert chain.verify(any_database).intact


_WRITER = """
import sys
from mediator.services.audit.trail import record_event
from mediator.store.database import open_database
db = open_database(sys.argv[1])
for number in range(int(sys.argv[2])):
    record_event(db, actor=sys.argv[3], action="show_personal_data", detail=str(number))
db.dispose()
"""


def test_two_processes_appending_at_once_keep_one_chain(any_database: Database) -> None:
    url = any_database.engine.url.render_as_string(hide_password=False)
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, "40", name], stderr=subprocess.PIPE)
        for name in ("甲", "乙")
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err.decode()
    report = chain.verify(any_database)
    assert report.intact, report.summary()
    assert report.events == 80


@pytest.mark.postgres
def test_a_backup_from_a_server_in_china_time_restores_an_intact_chain(
    postgres_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine

    from mediator.services.backup.copies import backup_database, restore_database
    from mediator.store.database import open_database

    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:  # a server set up for Nanjing: timestamps come back in +08:00
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'"))
    engine.dispose()
    source = open_database(postgres_url)
    target = open_database(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        _events(source, 3)
        backup = backup_database(source, tmp_path / "team.backup")
        restore_database(target, backup.path, actor="tester")
        report = chain.verify(target)
        assert report.intact, report.summary()
        assert report.events == 4  # the three, and the restore itself
    finally:
        source.dispose()
        target.dispose()


@pytest.mark.postgres
def test_writers_locking_rows_in_another_order_do_not_deadlock_on_the_chain(postgres_url: str) -> None:
    """T1 changes row X and records it, then row Y; T2 changes Y and records it meanwhile. With the
    chain's lock taken when ``audit`` is called, T2 waited for T1's lock while T1 waited for Y."""
    import threading

    from mediator.services.audit.trail import audit
    from mediator.store.database import open_database

    database = open_database(postgres_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('x', '0'), ('y', '0')"))
        t1_recorded, t2_locked_y = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def first() -> None:
            try:
                with database.transaction() as session:
                    session.execute(text("UPDATE setting SET value = '1' WHERE key = 'x'"))
                    audit(session, actor="甲", action="test", detail="x")
                    t1_recorded.set()
                    t2_locked_y.wait(10)
                    session.execute(text("UPDATE setting SET value = '1' WHERE key = 'y'"))
            except BaseException as exc:  # reported below
                errors.append(exc)

        def second() -> None:
            try:
                t1_recorded.wait(10)
                with database.transaction() as session:
                    session.execute(text("UPDATE setting SET value = '2' WHERE key = 'y'"))
                    t2_locked_y.set()
                    audit(session, actor="乙", action="test", detail="y")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        report = chain.verify(database)
        assert report.intact and report.events == 2
    finally:
        database.dispose()
