"""Control and bidi-override characters are refused in names and addresses, and shown as visible
escapes when printed; overlong names are refused with their limit."""

from __future__ import annotations

import pytest

from mediator.domain.parties import check_company_name
from mediator.domain.validators import printable, refuse_unsafe_characters, validate_person_name
from mediator.errors import ValidationError


@pytest.mark.parametrize("text", ["张\x1b[2J三", "李\u202e四", "王\u2066五", "赵\x00六", "钱\u200f七"])
def test_a_name_with_control_or_bidi_characters_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="控制字符或文字方向控制符") as refused:
        validate_person_name(text)
    assert "\x1b" not in str(refused.value) and "\u202e" not in str(refused.value)


def test_line_breaks_and_tabs_of_a_cell_are_only_spaces() -> None:
    assert validate_person_name("\t赵 六\n") == "赵 六"


def test_company_names_and_addresses_refuse_them_too() -> None:
    with pytest.raises(ValidationError, match="控制字符"):
        check_company_name("金陵\u2067智造")
    with pytest.raises(ValidationError, match="控制字符"):
        refuse_unsafe_characters("南京市\x1b]0;owned\x07鼓楼区", "address", "地址")


def test_printable_shows_escapes_and_keeps_what_it_is_told() -> None:
    assert printable("张\x1b[31m三\u202e") == "张\\x1b[31m三\\u202e"
    assert printable("第一行\n第二行", keep="\n") == "第一行\n第二行"


def test_an_overlong_name_is_refused_with_its_limit() -> None:
    with pytest.raises(ValidationError, match="最多50个字，现有60个"):
        validate_person_name("张" * 60)
