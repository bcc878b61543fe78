"""The audit chain: appending events (the only way rows enter ``audit_event``) and verifying it.

Every event holds its position (``seq``), the previous event's hash and its own (the rule is in
``mediator.domain.audit_chain``). The newest position and hash are also kept as the chain's head
in the ``setting`` table, so deleting the newest events shows up too.

Appending is serialised so two writers never fork the chain: on PostgreSQL with a transaction
advisory lock, on SQLite by taking the database's single write lock (a write to the head row)
before the head is read. Both locks are held until the writer's transaction ends, so an event is
chained, stored and committed together with the change it records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, text, update

from mediator.domain.audit_chain import GENESIS, EventContent, event_hash
from mediator.i18n import _
from mediator.store.database import Database
from mediator.store.tables import AuditEventRow, SettingRow

HEAD_SETTING = "audit_chain_head"
# pg_advisory_xact_lock key: "mediator audit" (any constant the app uses for nothing else).
_PG_LOCK_KEY = 0x6D65_6469_6175_6474


def _events() -> Table:
    return AuditEventRow.__table__  # type: ignore[attr-defined,no-any-return]


def _settings() -> Table:
    return SettingRow.__table__  # type: ignore[attr-defined,no-any-return]


def _lock(connection: Connection) -> None:
    """Hold the chain for this transaction: the next writer waits until it commits or rolls back."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        return
    # SQLite: any write takes the one write lock (waiting for the busy timeout) and starts the
    # transaction; an UPDATE that matches nothing is enough. The head is read only after it.
    settings = _settings()
    connection.execute(update(settings).where(settings.c.key == HEAD_SETTING).values(value=settings.c.value))


def _head(connection: Connection) -> tuple[int, str]:
    """The newest position and hash: the head row, or the newest event when it is further on."""
    events, settings = _events(), _settings()
    newest = connection.execute(
        select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)
    ).first()
    stored = connection.execute(select(settings.c.value).where(settings.c.key == HEAD_SETTING)).scalar()
    head = _parse_head(stored)
    if newest is not None and (head is None or newest[0] >= head[0]):
        return int(newest[0]), str(newest[1])
    return head if head is not None else (0, GENESIS)


def _parse_head(value: str | None) -> tuple[int, str] | None:
    if not value or ":" not in value:
        return None
    seq, _sep, digest = value.partition(":")
    return (int(seq), digest) if seq.isdigit() else None


def _set_head(connection: Connection, seq: int, digest: str) -> None:
    settings = _settings()
    value = f"{seq}:{digest}"
    changed = connection.execute(update(settings).where(settings.c.key == HEAD_SETTING).values(value=value))
    if changed.rowcount == 0:
        connection.execute(insert(settings).values(key=HEAD_SETTING, value=value))


def append(connection: Connection, contents: Sequence[EventContent]) -> list[int]:
    """Chain ``contents`` onto the audit log inside the caller's transaction; their positions."""
    if not contents:
        return []
    _lock(connection)
    seq, previous = _head(connection)
    rows: list[dict[str, Any]] = []
    for content in contents:
        seq += 1
        digest = event_hash(seq, content, previous)
        rows.append(
            {
                "at": content.at,
                "actor": content.actor,
                "action": content.action,
                "case_id": content.case_id,
                "batch_id": content.batch_id,
                "detail": content.detail,
                "seq": seq,
                "prev_hash": previous,
                "hash": digest,
            }
        )
        previous = digest
    connection.execute(insert(_events()), rows)
    _set_head(connection, seq, previous)
    return [row["seq"] for row in rows]


def forget(connection: Connection) -> None:
    """Drop the whole log and its head (only the demo's reset of a demo database does this)."""
    _lock(connection)
    connection.execute(delete(_events()))
    settings = _settings()
    connection.execute(delete(settings).where(settings.c.key == HEAD_SETTING))


# --- verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenEvent:
    """The first place the chain does not hold."""

    seq: int
    event_id: int | None
    at: str
    action: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What ``mediator audit verify`` found."""

    events: int
    head_seq: int
    head_hash: str
    broken: BrokenEvent | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_json(self) -> dict[str, Any]:
        broken = self.broken
        return {
            "intact": self.intact,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken": None
            if broken is None
            else {"seq": broken.seq, "id": broken.event_id, "action": broken.action, "reason": broken.reason},
        }

    def summary(self) -> str:
        if self.broken is None:
            return _(
                "审计日志完整：共 {count} 条记录，哈希链无断裂（末条序号 {seq}，哈希 {digest}）。"
            ).format(count=self.events, seq=self.head_seq, digest=self.head_hash)
        broken = self.broken
        where = _("第 {seq} 条记录").format(seq=broken.seq)
        if broken.event_id is not None:
            where += _("（编号 {id}，{at}，{action}）").format(
                id=broken.event_id, at=broken.at, action=broken.action
            )
        return _("审计日志已被改动：{where}：{reason}").format(where=where, reason=broken.reason)


_BATCH = 5_000


def verify(database: Database) -> ChainReport:
    """Walk the chain from its first event; stop at the first that does not hold."""
    events = _events()
    columns = (
        events.c.id,
        events.c.seq,
        events.c.at,
        events.c.actor,
        events.c.action,
        events.c.case_id,
        events.c.batch_id,
        events.c.detail,
        events.c.prev_hash,
        events.c.hash,
    )
    expected_seq, previous, count = 1, GENESIS, 0
    with database.engine.connect() as connection:
        rows = connection.execution_options(yield_per=_BATCH).execute(select(*columns).order_by(events.c.seq))
        for row in rows:
            broken = _check(row, expected_seq, previous)
            if broken is not None:
                return ChainReport(count, expected_seq - 1, previous, broken)
            count += 1
            expected_seq, previous = row.seq + 1, row.hash
        stored = connection.execute(
            select(_settings().c.value).where(_settings().c.key == HEAD_SETTING)
        ).scalar()
    head = _parse_head(stored)
    last_seq = expected_seq - 1
    if head is not None and head != (last_seq, previous):
        if head[0] > last_seq:
            reason = _("最新的记录（第 {first} 至 {last} 条）已被删除").format(
                first=last_seq + 1, last=head[0]
            )
        else:
            reason = _("链尾与记录的链头（第 {seq} 条）不符").format(seq=head[0])
        return ChainReport(count, last_seq, previous, BrokenEvent(last_seq + 1, None, "", "", reason))
    if head is None and count:
        reason = _("链头记录缺失")
        return ChainReport(count, last_seq, previous, BrokenEvent(last_seq, None, "", "", reason))
    return ChainReport(count, last_seq, previous, None)


def _check(row: Any, expected_seq: int, previous: str) -> BrokenEvent | None:
    def broken(reason: str) -> BrokenEvent:
        return BrokenEvent(row.seq, row.id, str(row.at)[:19], row.action, reason)

    if row.seq != expected_seq:
        if row.seq > expected_seq:
            return broken(
                _("之前的第 {first} 至 {last} 条记录已被删除").format(first=expected_seq, last=row.seq - 1)
            )
        return broken(_("序号重复或顺序被改动"))
    if row.prev_hash != previous:
        return broken(_("所记前一条的哈希与前一条不符（前一条被改动、删除或此条为伪造）"))
    content = EventContent(
        at=row.at,
        actor=row.actor,
        action=row.action,
        case_id=row.case_id,
        batch_id=row.batch_id,
        detail=row.detail,
    )
    if event_hash(row.seq, content, previous) != row.hash:
        return broken(_("内容与其哈希不符（此条被改动或伪造）"))
    return None
