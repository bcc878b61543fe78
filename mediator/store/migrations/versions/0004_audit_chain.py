"""audit chain and agreement files: hash-chained audit events, the SHA-256 of every agreement written

Every audit event gets its position in the chain, the previous event's hash and its own
(mediator/domain/audit_chain.py); events already stored are chained in the order they were
written (by id) and the chain's head is kept in ``setting``. ``agreement_file`` keeps the SHA-256
of each agreement PDF the app writes, so a signed file is accepted only if it grew from one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mediator.domain.audit_chain import GENESIS, EventContent, event_hash

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEAD_SETTING = "audit_chain_head"  # services/audit/chain.py


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_audit_event_seq", ["seq"])
    op.create_table(
        "agreement_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_file") as batch:
        batch.create_index("ix_agreement_file_agreement_id", ["agreement_id"], unique=False)
        batch.create_index("ix_agreement_file_sha256", ["sha256"], unique=False)


def _chain_existing_events() -> None:
    connection = op.get_bind()
    events = sa.table(
        "audit_event",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("case_id", sa.Integer()),
        sa.column("batch_id", sa.Integer()),
        sa.column("detail", sa.String()),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    rows = connection.execute(
        sa.select(
            events.c.id,
            events.c.at,
            events.c.actor,
            events.c.action,
            events.c.case_id,
            events.c.batch_id,
            events.c.detail,
        ).order_by(events.c.id)
    ).all()
    previous, updates = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        content = EventContent(row.at, row.actor, row.action, row.case_id, row.batch_id, row.detail)
        digest = event_hash(seq, content, previous)
        updates.append({"b_id": row.id, "b_seq": seq, "b_prev": previous, "b_hash": digest})
        previous = digest
    if not updates:
        return
    connection.execute(
        events.update()
        .where(events.c.id == sa.bindparam("b_id"))
        .values(seq=sa.bindparam("b_seq"), prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")),
        updates,
    )
    settings = sa.table("setting", sa.column("key", sa.String()), sa.column("value", sa.String()))
    connection.execute(settings.delete().where(settings.c.key == HEAD_SETTING))
    connection.execute(settings.insert().values(key=HEAD_SETTING, value=f"{len(updates)}:{previous}"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("agreement_file") as batch:
        batch.drop_index("ix_agreement_file_sha256")
        batch.drop_index("ix_agreement_file_agreement_id")
    op.drop_table("agreement_file")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint("uq_audit_event_seq", type_="unique")
        for column in ("hash", "prev_hash", "seq"):
            batch.drop_column(column)
    settings = sa.table("setting", sa.column("key", sa.String()))
    op.execute(settings.delete().where(settings.c.key == HEAD_SETTING))
