"""loss results: each case's stored loss calculation; a settlement ratio per listed company

The calculator's result for a case (法释〔2022〕2号: method, dates, 基准日 and 基准价, each amount and
the total) is kept with its parameters and when it was computed, so the figure behind a proposed
amount can be shown again. A listed company may carry the settlement ratio its mediators offer
(e.g. 0.4), which scales the loss into the proposed agreed amount.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "loss_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("implemented_on", sa.Date(), nullable=False),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("base_date", sa.Date(), nullable=False),
        sa.Column("base_price", sa.String(length=20), nullable=False),
        sa.Column("investment_loss", sa.BigInteger(), nullable=False),
        sa.Column("risk_deduction_pct", sa.String(length=10), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("stamp_duty", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("ratio", sa.String(length=12), nullable=True),
        sa.Column("proposed", sa.BigInteger(), nullable=True),
        sa.Column("parameters", sa.String(length=2000), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["mediation_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", name="uq_loss_result_case"),
    )
    with op.batch_alter_table("listed_company") as batch:
        batch.add_column(sa.Column("settlement_ratio", sa.String(length=12), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("listed_company") as batch:
        batch.drop_column("settlement_ratio")
    op.drop_table("loss_result")
