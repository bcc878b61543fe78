"""The search index behind the case table's filter box, so a keystroke stays under 100 ms at a
million cases on SQLite and PostgreSQL.

Three kinds of text are searched (services/cases/lists.py builds the queries):

* investor names, by substring: expression indexes on the name from its 2nd and 3rd character
  (the name itself is indexed already), so "x is in the name" becomes "one of these three starts
  with x", three index ranges; names longer than three characters (compound surnames, minority
  names, ~1 %) are listed by a partial index and scanned. Exact, maintained by the database.
* ID and phone tails: expression indexes on their last four characters; a tail of four or more
  digits is an equality lookup there, then the exact suffix test. Maintained by the database.
* 案号 digits: the digit trigrams of each case number (``search_gram``), so "3100" reads the few
  cases holding "310" instead of scanning every case number. Filling this table per row (trigger)
  would double the cost of a 100,000-case import, so it is filled in bulk by ``catch_up`` and can
  lag behind: cases above ``search_state.indexed_through`` and those in ``search_pending`` (case
  number changed, see the triggers) are scanned with the exact test instead, so a lagging index
  is only slower, never wrong. Grams of deleted or renumbered cases may linger: every candidate is
  re-tested with the exact condition, so they cost a lookup, not a wrong answer.

``catch_up`` runs when a database is opened (nothing to do most of the time) and after the
migration that created the index; an import may call it at the end of its transaction.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal_column, text

log = logging.getLogger("mediator.store.search")

# Trigrams of runs of digits: every substring of three or more digits of a case number contains one.
GRAM_LENGTH = 3
_DIGIT_RUN = re.compile(r"[0-9]{3,}")
# A name is indexed from these positions on (1 = the name itself, ix_investor_name).
NAME_INDEXED_FROM = (1, 2, 3)
LONG_NAME = 3  # names longer than this are scanned (partial index ix_investor_long_name)
TAIL_LENGTH = 4
# Case numbers are at most 60 characters (tables.CaseRow): positions where a trigram may start.
MAX_POSITION = 58
# Above this upper bound of a code point, no text sorts: "starts with x" is x <= s < x + TOP.
TOP = "\U0010ffff"
_BATCH = 50_000

_SQLITE_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_investor_name_2 ON investor (substr(name, 2))",
    "CREATE INDEX IF NOT EXISTS ix_investor_name_3 ON investor (substr(name, 3))",
    f"CREATE INDEX IF NOT EXISTS ix_investor_long_name ON investor (id) WHERE length(name) > {LONG_NAME}",
    f"CREATE INDEX IF NOT EXISTS ix_investor_id_tail ON investor (substr(id_number, -{TAIL_LENGTH}))",
    f"CREATE INDEX IF NOT EXISTS ix_investor_phone_tail ON investor (substr(phone, -{TAIL_LENGTH}))",
    """CREATE TRIGGER IF NOT EXISTS search_case_renumbered AFTER UPDATE OF case_number ON mediation_case
       BEGIN INSERT OR IGNORE INTO search_pending (case_id) VALUES (NEW.id); END""",
    # SQLite gives a new case the id of the last one if it was deleted: the index then stops at the
    # new maximum, so that id is scanned again. (Cases are never inserted with an explicit id below
    # the largest: the writers let the database number them.)
    """CREATE TRIGGER IF NOT EXISTS search_case_deleted AFTER DELETE ON mediation_case
       BEGIN UPDATE search_state SET indexed_through = min(indexed_through,
           (SELECT coalesce(max(id), 0) FROM mediation_case)); END""",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_case_deleted",
    "DROP TRIGGER IF EXISTS search_case_renumbered",
    "DROP INDEX IF EXISTS ix_investor_phone_tail",
    "DROP INDEX IF EXISTS ix_investor_id_tail",
    "DROP INDEX IF EXISTS ix_investor_long_name",
    "DROP INDEX IF EXISTS ix_investor_name_3",
    "DROP INDEX IF EXISTS ix_investor_name_2",
)
# PostgreSQL compares text by the database's collation; ranges by code point need "C".
_PG_DDL = (
    'CREATE INDEX IF NOT EXISTS ix_case_number_c ON mediation_case ((case_number COLLATE "C"))',
    'CREATE INDEX IF NOT EXISTS ix_investor_name_1 ON investor ((name COLLATE "C"))',
    'CREATE INDEX IF NOT EXISTS ix_investor_name_2 ON investor ((substr(name, 2) COLLATE "C"))',
    'CREATE INDEX IF NOT EXISTS ix_investor_name_3 ON investor ((substr(name, 3) COLLATE "C"))',
    f"CREATE INDEX IF NOT EXISTS ix_investor_long_name ON investor (id) WHERE length(name) > {LONG_NAME}",
    f"CREATE INDEX IF NOT EXISTS ix_investor_id_tail ON investor ((right(id_number, {TAIL_LENGTH})))",
    f"CREATE INDEX IF NOT EXISTS ix_investor_phone_tail ON investor ((right(phone, {TAIL_LENGTH})))",
    """CREATE OR REPLACE FUNCTION search_case_renumbered() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO search_pending (case_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER search_case_renumbered AFTER UPDATE OF case_number ON mediation_case
       FOR EACH ROW EXECUTE FUNCTION search_case_renumbered()""",
    """CREATE OR REPLACE FUNCTION search_case_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE search_state SET indexed_through = least(indexed_through,
             (SELECT coalesce(max(id), 0) FROM mediation_case));
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER search_case_deleted AFTER DELETE ON mediation_case
       FOR EACH STATEMENT EXECUTE FUNCTION search_case_deleted()""",
)
_PG_DROP = (
    "DROP TRIGGER IF EXISTS search_case_deleted ON mediation_case",
    "DROP FUNCTION IF EXISTS search_case_deleted()",
    "DROP TRIGGER IF EXISTS search_case_renumbered ON mediation_case",
    "DROP FUNCTION IF EXISTS search_case_renumbered()",
    "DROP INDEX IF EXISTS ix_investor_phone_tail",
    "DROP INDEX IF EXISTS ix_investor_id_tail",
    "DROP INDEX IF EXISTS ix_investor_long_name",
    "DROP INDEX IF EXISTS ix_investor_name_3",
    "DROP INDEX IF EXISTS ix_investor_name_2",
    "DROP INDEX IF EXISTS ix_investor_name_1",
    "DROP INDEX IF EXISTS ix_case_number_c",
)
# Objects of the index that the SQLModel tables do not describe (expression indexes, triggers):
# the schema comparison in tests leaves them out.
EXPRESSION_INDEXES = frozenset(
    {
        "ix_case_number_c",
        "ix_investor_name_1",
        "ix_investor_name_2",
        "ix_investor_name_3",
        "ix_investor_long_name",
        "ix_investor_id_tail",
        "ix_investor_phone_tail",
    }
)


def install(connection: Connection) -> None:
    """Create the expression indexes and triggers (the tables come from the migration)."""
    is_sqlite = connection.dialect.name == "sqlite"
    for statement in _SQLITE_DDL if is_sqlite else _PG_DDL:
        connection.execute(text(statement))
    connection.execute(text("INSERT INTO search_state (id, indexed_through) VALUES (1, 0)"))


def uninstall(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    for statement in _SQLITE_DROP if is_sqlite else _PG_DROP:
        connection.execute(text(statement))


def digit_grams(case_number: str) -> set[str]:
    """The digit trigrams of a case number: （2025）苏01民初3100号 → 202, 025, 310, 100."""
    grams: set[str] = set()
    for run in _DIGIT_RUN.findall(case_number):
        grams.update(run[i : i + GRAM_LENGTH] for i in range(len(run) - GRAM_LENGTH + 1))
    return grams


def needle_grams(needle: str) -> list[str]:
    """Digit trigrams a case number must hold to contain ``needle`` (empty: the index cannot help)."""
    return sorted(digit_grams(needle))


def lag(connection: Connection) -> tuple[int, int]:
    """(indexed_through, cases not yet indexed): the second is what ``catch_up`` would index."""
    mark = connection.execute(text("SELECT indexed_through FROM search_state WHERE id = 1")).scalar()
    mark = int(mark or 0)
    newer = connection.execute(
        text("SELECT count(*) FROM mediation_case WHERE id > :m"), {"m": mark}
    ).scalar()
    pending = connection.execute(text("SELECT count(*) FROM search_pending")).scalar()
    return mark, int(newer or 0) + int(pending or 0)


def catch_up(connection: Connection) -> int:
    """Index the digit grams of cases added or renumbered since the last run; returns how many.

    Set-based work in the caller's transaction (the database cuts the grams: no row comes to
    Python). On PostgreSQL it first waits (at most 2 s, else the index simply lags) for writers of
    cases to finish, so a case still being inserted cannot end up below the mark unindexed.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL lock_timeout = '2s'"))
        connection.execute(text("LOCK TABLE mediation_case IN SHARE MODE"))
    mark = int(
        connection.execute(text("SELECT indexed_through FROM search_state WHERE id = 1")).scalar() or 0
    )
    top = int(connection.execute(text("SELECT coalesce(max(id), 0) FROM mediation_case")).scalar() or 0)
    done = 0
    if top > mark:
        done += _insert_grams(connection, "c.id > :m AND c.id <= :t", {"m": mark, "t": top})
    pending = int(connection.execute(text("SELECT count(*) FROM search_pending")).scalar() or 0)
    if pending:
        done += _insert_grams(connection, "c.id IN (SELECT case_id FROM search_pending)", {})
        connection.execute(text("DELETE FROM search_pending"))
    connection.execute(text("UPDATE search_state SET indexed_through = :t WHERE id = 1"), {"t": top})
    if done:
        log.info("search index: %d cases indexed", done)
    return done


# Every position where three digits follow each other: the digit trigrams of digit_grams().
_SQLITE_GRAMS = f"""
WITH RECURSIVE position (p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM position WHERE p < {MAX_POSITION})
INSERT OR IGNORE INTO search_gram (gram, case_id)
SELECT DISTINCT substr(c.case_number, position.p, 3), c.id FROM mediation_case AS c, position
WHERE {{cases}} AND position.p <= length(c.case_number) - 2
  AND substr(c.case_number, position.p, 3) GLOB '[0-9][0-9][0-9]'
ORDER BY 1, 2"""
_PG_GRAMS = f"""
INSERT INTO search_gram (gram, case_id)
SELECT DISTINCT substr(c.case_number, p, 3), c.id
FROM mediation_case AS c, generate_series(1, {MAX_POSITION}) AS p
WHERE {{cases}} AND p <= length(c.case_number) - 2 AND substr(c.case_number, p, 3) ~ '^[0-9]{{{{3}}}}$'
ORDER BY 1, 2
ON CONFLICT DO NOTHING"""


def _insert_grams(connection: Connection, cases: str, parameters: dict[str, int]) -> int:
    template = _SQLITE_GRAMS if connection.dialect.name == "sqlite" else _PG_GRAMS
    connection.execute(text(template.format(cases=cases)), parameters)
    counted = connection.execute(text(f"SELECT count(*) FROM mediation_case AS c WHERE {cases}"), parameters)
    return int(counted.scalar() or 0)


def starts_with(expression: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``expression`` starts with ``prefix``, as an index range (by code point on both databases)."""
    return (expression >= prefix) & (expression < prefix + TOP)


def code_point_order(column: Any, *, postgres: bool) -> ColumnElement[str]:
    """``column`` compared by code point (PostgreSQL: COLLATE "C", as its expression index)."""
    expression: ColumnElement[str] = column.collate("C") if postgres else column
    return expression


def name_from(column: Any, position: int, *, postgres: bool) -> ColumnElement[str]:
    """The name from ``position`` on, exactly as the expression indexes spell it."""
    expression: ColumnElement[str] = (
        column if position == 1 else func.substr(column, literal_column(str(position)))
    )
    return expression.collate("C") if postgres else expression


def tail(column: Any, *, postgres: bool) -> ColumnElement[str]:
    """The last ``TAIL_LENGTH`` characters, exactly as the expression indexes spell it."""
    if postgres:
        return func.right(column, literal_column(str(TAIL_LENGTH)))
    return func.substr(column, literal_column(str(-TAIL_LENGTH)))
