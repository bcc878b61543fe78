"""Alembic environment: the engine comes from ``mediator.store.database`` (no alembic.ini)."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning
from sqlmodel import SQLModel

import mediator.store.tables  # noqa: F401 - registers the tables on SQLModel.metadata

# SQLite's batch mode reflects the tables a copied table refers to; the search index's expression
# indexes on investor cannot be reflected and need not be (that table is not copied).
warnings.filterwarnings("ignore", r"Skipped unsupported reflection of expression-based index", SAWarning)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
