"""The fingerprint's QR code: exactly the modules the ``qrcode`` package makes, about ten times
faster.

``qrcode`` computes the Reed-Solomon error correction with polynomial objects and places every
module through a mask function: about 2 ms per code, a sixth of an agreement's rendering. Here
the parts that never change for a version (finder, timing and alignment patterns, format
information for the fixed mask, the order in which data bits fill the grid) are computed once
per process with ``qrcode`` itself; each code then only packs its bits, runs a table-driven
Reed-Solomon encoder and flips the modules of its 1-bits. ``tests/services/documents/test_qr.py``
checks the result against ``qrcode`` module for module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from qrcode import base, constants, util
from qrcode.main import QRCode

ERROR_CORRECTION = constants.ERROR_CORRECT_M
# A fixed mask pattern skips qrcode's trial of all eight; any mask gives a valid code.
MASK_PATTERN = 2
# qrcode.QRCode.add_data's default: a run of at least 20 digits (or alphanumerics) gets its mode.
_OPTIMIZE = 20


class _Bits:
    """The bit buffer ``QRData.write`` expects, as one integer."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, number: int, length: int) -> None:
        self.value = (self.value << length) | (number & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.put(int(bit), 1)

    def __len__(self) -> int:
        return self.length


class _Recorder(QRCode):
    """A QRCode that notes, in order, the grid cells its data bits go to."""

    positions: list[tuple[int, int]]

    def map_data(self, data: Any, mask_pattern: Any) -> None:
        count = self.modules_count
        self.positions = []
        row, step = count - 1, -1
        # The same walk as qrcode's map_data: column pairs from the right, up and down in turn,
        # skipping the vertical timing pattern.
        for col in range(count - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if self.modules[row][c] is None:
                        self.positions.append((row, c))
                row += step
                if row < 0 or row >= count:
                    row -= step
                    step = -step
                    break
        super().map_data(data, mask_pattern)


@lru_cache(maxsize=8)
def _layout(version: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int], ...]]:
    """The grid of a version with all-zero data (mask applied) and the data bits' cells in order."""
    code = _Recorder(version=version, error_correction=ERROR_CORRECTION, border=0, mask_pattern=MASK_PATTERN)
    total = sum(block.total_count for block in base.rs_blocks(version, ERROR_CORRECTION))
    code.data_cache = [0] * total
    code.makeImpl(False, MASK_PATTERN)
    grid = tuple(tuple(bool(cell) for cell in row) for row in code.modules)
    return grid, tuple(code.positions)


_EXP = [1] * 512
_LOG = [0] * 256
for _i in range(1, 255):
    _EXP[_i] = _EXP[_i - 1] << 1 ^ (0x11D if _EXP[_i - 1] & 0x80 else 0)
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]
for _i in range(255):
    _LOG[_EXP[_i]] = _i


@lru_cache(maxsize=32)
def _generator_logs(degree: int) -> tuple[int, ...]:
    """log α of the generator polynomial's coefficients after the leading 1: ∏ (x − αⁱ), i < degree."""
    poly = [1]
    for i in range(degree):
        # multiply by (x + αⁱ)
        poly = [
            (poly[k] if k < len(poly) else 0) ^ (_EXP[_LOG[poly[k - 1]] + i] if k >= 1 and poly[k - 1] else 0)
            for k in range(len(poly) + 1)
        ]
    return tuple(_LOG[c] for c in poly[1:])


def _remainder(data: list[int], degree: int) -> list[int]:
    """The Reed-Solomon error-correction codewords of one block (long division in GF(256))."""
    logs = _generator_logs(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = remainder[1:]
        remainder.append(0)
        if factor:
            log_factor = _LOG[factor]
            for k in range(degree):
                remainder[k] ^= _EXP[log_factor + logs[k]]
    return remainder


@lru_cache(maxsize=64)
def _version_for(shape: tuple[tuple[int, int], ...]) -> int:
    """The smallest version that holds chunks of these (mode, length): qrcode's best fit."""
    for version in range(1, 41):
        bits = sum(4 + util.length_in_bits(mode, version) + _payload_bits(mode, n) for mode, n in shape)
        capacity = sum(b.data_count * 8 for b in base.rs_blocks(version, ERROR_CORRECTION))
        if bits <= capacity:
            return version
    raise ValueError("QR code data too long")


def _payload_bits(mode: int, length: int) -> int:
    if mode == util.MODE_NUMBER:
        return length // 3 * 10 + (0, 4, 7)[length % 3]
    if mode == util.MODE_ALPHA_NUM:
        return length // 2 * 11 + (length % 2) * 6
    return length * 8


def _codewords(chunks: list[Any], version: int) -> list[int]:
    """Data and error-correction codewords, interleaved by block (qrcode's create_data)."""
    bits = _Bits()
    for chunk in chunks:
        bits.put(chunk.mode, 4)
        bits.put(len(chunk), util.length_in_bits(chunk.mode, version))
        chunk.write(bits)
    blocks = base.rs_blocks(version, ERROR_CORRECTION)
    limit = sum(block.data_count * 8 for block in blocks)
    bits.put(0, min(limit - len(bits), 4))  # terminator
    if len(bits) % 8:
        bits.put(0, 8 - len(bits) % 8)
    padding = (limit - len(bits)) // 8
    for index in range(padding):
        bits.put(util.PAD0 if index % 2 == 0 else util.PAD1, 8)
    stream = bits.value.to_bytes(limit // 8, "big")
    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        chunk_data = list(stream[offset : offset + block.data_count])
        offset += block.data_count
        data_blocks.append(chunk_data)
        ec_blocks.append(_remainder(chunk_data, block.total_count - block.data_count))
    result: list[int] = []
    for group in (data_blocks, ec_blocks):
        for index in range(max(len(b) for b in group)):
            result.extend(b[index] for b in group if index < len(b))
    return result


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code modules of ``text`` (UTF-8, level M, mask 2, no quiet zone), as ``qrcode``
    makes them with ``QRCode(error_correction=M, border=0, mask_pattern=2)``."""
    chunks = list(util.optimal_data_chunks(text.encode("utf-8"), _OPTIMIZE))
    version = _version_for(tuple((chunk.mode, len(chunk)) for chunk in chunks))
    grid, positions = _layout(version)
    matrix = [list(row) for row in grid]
    index = 0
    for byte in _codewords(chunks, version):
        for shift in range(7, -1, -1):
            if byte >> shift & 1:
                row, column = positions[index]
                matrix[row][column] = not matrix[row][column]
            index += 1
    return matrix
