"""search index for the case table's filter box (store/search.py)

Expression indexes on investor names and ID/phone tails, the digit trigrams of case numbers and
the triggers that keep the trigram index honest. Existing cases are indexed here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mediator.store import search

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "search_gram",
        sa.Column("gram", sa.String(length=3), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gram", "case_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indexed_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "search_pending",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    connection = op.get_bind()
    search.install(connection)
    search.catch_up(connection)


def downgrade() -> None:
    """Downgrade schema."""
    search.uninstall(op.get_bind())
    op.drop_table("search_pending")
    op.drop_table("search_state")
    op.drop_table("search_gram")
