"""Column types. Money is stored as an integer number of fen so that SQLite (which has no
decimal type and would keep REAL) never rounds through float; it comes back as ``Decimal``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_FEN = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """A ``Decimal`` amount in yuan, stored as BIGINT fen."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        amount = Decimal(value).quantize(_FEN, rounding=ROUND_HALF_UP)
        return int(amount * 100)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # SUM() over BIGINT comes back as Decimal on PostgreSQL and int on SQLite.
        return (Decimal(int(value)) / 100).quantize(_FEN)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal
