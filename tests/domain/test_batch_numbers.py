"""One parser for batch numbers, whether a user types them or a court list's title carries them."""

from __future__ import annotations

import pytest

from mediator.domain.batch_numbers import batch_number_in, parse_batch_number
from mediator.errors import UserError


@pytest.mark.parametrize(
    ("typed", "number"),
    [("第15批", 15), ("15", 15), (" 第１５批 ", 15), ("第十五批", 15), ("第一百零二批", 102), (7, 7)],
)
def test_a_batch_is_named_as_the_court_writes_it(typed: str | int, number: int) -> None:
    assert parse_batch_number(typed) == number


@pytest.mark.parametrize("typed", ["十五", "第0批", "第批", "15号", "", "第十五"])
def test_anything_else_is_refused_with_the_accepted_forms(typed: str) -> None:
    with pytest.raises(UserError, match="第15批"):
        parse_batch_number(typed)


def test_titles_carry_the_number_in_digits_or_chinese_numerals() -> None:
    assert batch_number_in("南京市中级人民法院委派调解案件清单（第十五批）") == 15
    assert batch_number_in("委派清单 第 3 批") == 3
    assert batch_number_in("委派调解案件清单") is None
