"""Log files never carry ID or phone numbers, not even inside a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from mediator.logs import PersonalDataFilter

ID_NUMBER = "32010219800312011X"
PHONE = "13812345678"


def _log_to(path: Path) -> logging.Logger:
    logger = logging.getLogger(f"mediator.test.{path.name}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(PersonalDataFilter())
    logger.addHandler(handler)
    return logger


def test_numbers_in_messages_are_masked(tmp_path: Path) -> None:
    log_file = tmp_path / "m.log"
    _log_to(log_file).warning("case of %s reached on %s", ID_NUMBER, PHONE)
    text = log_file.read_text(encoding="utf-8")
    assert ID_NUMBER not in text
    assert PHONE not in text
    assert "320***************" in text
    assert "138********" in text


def test_numbers_in_a_traceback_are_masked(tmp_path: Path) -> None:
    log_file = tmp_path / "t.log"
    logger = _log_to(log_file)
    try:
        raise ValueError(f"身份证号码 {ID_NUMBER} 校验位错误")
    except ValueError:
        logger.exception("import failed")
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "校验位错误" in text
    assert ID_NUMBER not in text


def test_case_numbers_and_amounts_are_left_alone(tmp_path: Path) -> None:
    log_file = tmp_path / "a.log"
    _log_to(log_file).info("（2025）苏01民初3100号 agreed 30105000.00")
    assert "（2025）苏01民初3100号 agreed 30105000.00" in log_file.read_text(encoding="utf-8")
