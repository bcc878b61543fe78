"""demo marker: a database that holds the demo says so (setting ``demo_database``)

The demo lives in a database of its own, marked by the setting row ``demo_database`` = ``1``;
``mediator demo`` refuses a database holding real cases and ``demo --reset`` clears only a marked
one. Earlier versions loaded the demo into the work database on first start: a database whose
companies are all the demo's invented ones is marked here, so that ``demo --reset`` still works on
it. A database holding any other company is left unmarked (its real cases are never cleared).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEMO_SETTING = "demo_database"
# The invented companies of the demo year (mediator/demo/first_year.py), as loaded until now.
_DEMO_COMPANIES = (
    "江苏华辰智能科技股份有限公司",
    "苏州恒泰新材料股份有限公司",
    "无锡瑞丰医疗器械股份有限公司",
    "常州天启光电股份有限公司",
)


def upgrade() -> None:
    """Mark a database that holds the demo year and nothing else."""
    connection = op.get_bind()
    company = sa.table("listed_company", sa.column("name", sa.String))
    case = sa.table("mediation_case", sa.column("id", sa.Integer))
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.String))
    cases = connection.execute(sa.select(sa.func.count()).select_from(case)).scalar() or 0
    others = connection.execute(
        sa.select(sa.func.count()).select_from(company).where(company.c.name.not_in(_DEMO_COMPANIES))
    ).scalar()
    marked = connection.execute(sa.select(setting.c.key).where(setting.c.key == DEMO_SETTING)).first()
    if cases and not others and marked is None:
        connection.execute(sa.insert(setting).values(key=DEMO_SETTING, value="1"))


def downgrade() -> None:
    """The marker is a row of the setting table; older versions ignore it."""
