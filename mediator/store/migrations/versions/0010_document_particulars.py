"""documents a clerk accepts: voided agreements, the 签收 date of a batch, the company's receiving account

- ``voided_agreement``: an agreement replaced by an explicit re-issue keeps its number, fingerprint
  and signatures here, marked void with the reason (a signed agreement is never rewritten silently).
- ``batch.received_on``: the day the organisation signed for the court's materials (签收); the
  commissioned-mediation term counts from it (特邀调解规定), else from the referral date.
- ``listed_company.receiving_account`` and ``listed_company.late_interest``: how the investor
  receives the money and the late-payment interest the company's agreements state.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "voided_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("signatures", sa.String(length=1000), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("replaced_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["mediation_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_voided_agreement_case_id"), "voided_agreement", ["case_id"], unique=False)
    with op.batch_alter_table("batch") as batch:
        batch.add_column(sa.Column("received_on", sa.Date(), nullable=True))
    with op.batch_alter_table("listed_company") as company:
        company.add_column(sa.Column("receiving_account", sa.String(length=200), nullable=True))
        company.add_column(sa.Column("late_interest", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("listed_company") as company:
        company.drop_column("late_interest")
        company.drop_column("receiving_account")
    with op.batch_alter_table("batch") as batch:
        batch.drop_column("received_on")
    op.drop_index(op.f("ix_voided_agreement_case_id"), table_name="voided_agreement")
    op.drop_table("voided_agreement")
