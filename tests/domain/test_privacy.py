import pytest

from mediator.domain.privacy import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("32010219900307123X", "320***********123X"),
        ("320102199003071239", "320***********1239"),
        ("32010219900307123x", "320***********123X"),
        ("３２０１０２１９９００３０７１２３Ｘ", "320***********123X"),
        ("320102 19900307 1239", "320***********1239"),
        ("E12345678", "E12**5678"),  # a passport number: same rule
        ("1234567", "1*****7"),  # too short to show 7 characters of it
        ("12", "**"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_id_number(value: str | None, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0086-138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("025-83334567", "025*****4567"),  # a landline keeps the same ends
        ("12345", "1***5"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_phone(value: str | None, expected: str) -> None:
    assert mask_phone(value) == expected
