"""company particulars: stock name, phone, the regulator's decision, 实施日 and 揭露日

The company registry (``mediator company set``) records what agreements state as the facts of the
dispute and what the loss calculator counts from (法释〔2022〕2号 Art. 7–8).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # batch_alter_table: SQLite alters a table by copying it; plain ALTER on PostgreSQL.
    with op.batch_alter_table("listed_company") as batch:
        batch.add_column(sa.Column("stock_name", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("implemented_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("disclosed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("listed_company") as batch:
        for column in ("disclosed_on", "implemented_on", "decision", "phone", "stock_name"):
            batch.drop_column(column)
