"""The fast fingerprint QR code is the ``qrcode`` package's code, module for module."""

from __future__ import annotations

import hashlib

import pytest
import qrcode

from mediator.services.documents.qr import qr_matrix


def reference(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


FINGERPRINTS = [
    f"苏证调〔2025〕第{n:04d}号 {hashlib.sha256(str(n).encode()).hexdigest()}" for n in range(1, 40)
]


@pytest.mark.parametrize(
    "text",
    [
        *FINGERPRINTS,
        "x",
        "12345678901234567890123456 digits in numeric mode",
        "HELLO WORLD 0123456789ABCDEFGHIJ alphanumeric run",
        "张䶮" * 120,  # a larger version (version information blocks from 7 up)
        "a" * 1200,
    ],
)
def test_same_modules_as_qrcode(text: str) -> None:
    assert qr_matrix(text) == reference(text)
