"""The audit chain's rule: each event holds the hash of the one before it and of its own content.

An event's hash is the SHA-256 of a canonical serialisation of its content (sequence number, time,
actor, action, case, batch, detail) and of the previous event's hash, so editing, deleting,
reordering or inserting a row anywhere breaks the chain from that point on. The first event of a
chain follows ``GENESIS``. Pure functions: the store and services apply them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
# The field lengths of the audit table: content is cut to them *before* hashing, so the hash
# covers exactly what is stored.
ACTOR_LENGTH = 50
ACTION_LENGTH = 40
DETAIL_LENGTH = 2000


@dataclass(frozen=True)
class EventContent:
    """What an audit event says, as stored."""

    at: datetime
    actor: str
    action: str
    case_id: int | None = None
    batch_id: int | None = None
    detail: str | None = None

    @classmethod
    def of(
        cls,
        *,
        at: datetime,
        actor: str | None,
        action: str,
        case_id: int | None = None,
        batch_id: int | None = None,
        detail: str | None = None,
    ) -> EventContent:
        """The content as the table keeps it (lengths cut to the columns, no empty detail)."""
        return cls(
            at=at,
            actor=(actor or "?")[:ACTOR_LENGTH],
            action=action[:ACTION_LENGTH],
            case_id=case_id,
            batch_id=batch_id,
            detail=detail[:DETAIL_LENGTH] if detail else None,
        )


def canonical_time(at: datetime) -> str:
    """UTC with microseconds; a time without zone (SQLite gives those back) is UTC already."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(seq: int, content: EventContent, previous: str) -> bytes:
    """The bytes an event's hash is taken of: sorted-key JSON, no spaces, UTF-8."""
    document = {
        "seq": seq,
        "at": canonical_time(content.at),
        "actor": content.actor,
        "action": content.action,
        "case_id": content.case_id,
        "batch_id": content.batch_id,
        "detail": content.detail,
        "prev": previous,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_hash(seq: int, content: EventContent, previous: str) -> str:
    """The SHA-256 (hex) of the event numbered ``seq`` following the event whose hash is ``previous``."""
    return hashlib.sha256(canonical(seq, content, previous)).hexdigest()
