"""judicial confirmation: the reason an application was made after its 30-day window

民事诉讼法 §205 gives the parties 30 days from the agreement taking effect to apply. An application
recorded after that window is accepted only with the reason the mediator gives for it, kept here and
shown with the application as late.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("judicial_confirmation") as batch:
        batch.add_column(sa.Column("late_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("judicial_confirmation") as batch:
        batch.drop_column("late_reason")
