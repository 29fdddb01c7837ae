"""A small QR code reader for tests: from a PDF page's vector drawing or a segno SVG to the text.

No camera image processing: the symbol is read back from the rectangles or
path the document draws, then decoded after ISO/IEC 18004 (format
information, unmasking, the zigzag placement, de-interleaving the blocks,
numeric/alphanumeric/byte segments). Error correction is not applied, so a
symbol decodes only when every data module is right. The block table comes
from segno's constants (data of the standard, not the encoder's logic).
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from pypdf import PdfReader
from pypdf.generic import ContentStream
from segno import consts

Matrix = list[list[bool]]

LEVELS = {1: "L", 0: "M", 3: "Q", 2: "H"}  # the two format bits of each level
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


# --- from documents to a module matrix ------------------------------------------------


def _grid(runs: list[tuple[float, float, float, float]]) -> Matrix:
    """Dark runs ``(left, top, width, height)`` in y-down coordinates -> the matrix (no quiet zone)."""
    box = min(h for _, _, _, h in runs)
    left, top = min(r[0] for r in runs), min(r[1] for r in runs)
    size = round((max(r[0] + r[2] for r in runs) - left) / box)
    matrix = [[False] * size for _ in range(size)]
    for x, y, w, _h in runs:
        row, col = round((y - top) / box), round((x - left) / box)
        for i in range(round(w / box)):
            matrix[row][col + i] = True
    return matrix


def matrix_from_pdf(pdf: bytes, page: int = 0) -> Matrix:
    """The QR symbol drawn on a page: the black filled rectangles, with the page's transformations."""
    reader = PdfReader(io.BytesIO(pdf))
    operations = ContentStream(reader.pages[page].get_contents(), reader).operations
    ctm, stack, fill, pending = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], None, []
    runs = []
    for operands, operator in operations:
        if operator == b"q":
            stack.append((ctm, fill))
        elif operator == b"Q":
            ctm, fill = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif operator in (b"rg", b"g"):
            fill = tuple(round(float(v), 3) for v in operands)
        elif operator == b"re":
            pending.append(tuple(float(v) for v in operands))
        elif operator in (b"f", b"f*", b"B", b"b", b"n", b"S"):
            if operator in (b"f", b"f*") and fill in ((0.0, 0.0, 0.0), (0.0,)):
                A, B, C, D, E, F = ctm
                for x, y, w, h in pending:
                    xs = (x * A + y * C + E, (x + w) * A + (y + h) * C + E)
                    ys = (x * B + y * D + F, (x + w) * B + (y + h) * D + F)
                    runs.append((min(xs), -max(ys), max(xs) - min(xs), max(ys) - min(ys)))
            pending = []
    if not runs:
        raise ValueError("no black rectangles on the page")
    return _grid(runs)


def matrix_from_svg(svg: str) -> Matrix:
    """segno's SVG: one path of horizontal strokes (``M``/``m`` moves, ``h`` runs) along module centres."""
    root = ET.fromstring(svg)
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None, "no path in the SVG"
    x = y = 0.0
    runs = []
    for command, dx, dy in re.findall(r"([MmHhVv])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.attrib["d"]):
        if command == "M":
            x, y = float(dx), float(dy)
        elif command == "m":
            x, y = x + float(dx), y + float(dy)
        elif command == "h":
            runs.append((x, y - 0.5, float(dx), 1.0))
            x += float(dx)
        else:
            raise ValueError(f"unexpected path command {command}")
    return _grid(runs)


# --- from the matrix to the text -------------------------------------------------------


def _function_modules(version: int, size: int) -> Matrix:
    used = [[False] * size for _ in range(size)]

    def mark(rows: range, cols: range) -> None:
        for r in rows:
            for c in cols:
                if 0 <= r < size and 0 <= c < size:
                    used[r][c] = True

    mark(range(0, 9), range(0, 9))  # finders, separators and format information
    mark(range(0, 9), range(size - 8, size))
    mark(range(size - 8, size), range(0, 9))  # includes the dark module
    mark(range(size), range(6, 7))  # timing
    mark(range(6, 7), range(size))
    centres = consts.ALIGNMENT_POS[version - 2] if version > 1 else ()  # the table starts at version 2
    for r in centres:
        for c in centres:
            if (r, c) in ((6, 6), (6, size - 7), (size - 7, 6)):
                continue
            mark(range(r - 2, r + 3), range(c - 2, c + 3))
    if version >= 7:
        mark(range(0, 6), range(size - 11, size - 8))
        mark(range(size - 11, size - 8), range(0, 6))
    return used


def _format(matrix: Matrix) -> tuple[str, int]:
    positions = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, 14 - i) for i in range(9, 15)]
    bits = sum(1 << i for i, (r, c) in enumerate(positions) if matrix[r][c]) ^ 0x5412
    data = bits >> 10
    remainder = data << 10
    for shift in range(14, 9, -1):
        if remainder >> shift & 1:
            remainder ^= 0x537 << (shift - 10)
    if remainder != bits & 0x3FF:
        raise ValueError("damaged format information")
    return LEVELS[data >> 3], data & 7


def _codewords(matrix: Matrix, version: int, mask: int) -> list[int]:
    size = len(matrix)
    used = _function_modules(version, size)
    bits = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = (right + 1) & 2 == 0
        for vert in range(size):
            row = size - 1 - vert if upward else vert
            for col in (right, right - 1):
                if not used[row][col]:
                    bits.append(matrix[row][col] ^ MASKS[mask](row, col))
        right -= 2
    return [int("".join("1" if b else "0" for b in bits[i:i + 8]), 2) for i in range(0, len(bits) - 7, 8)]


def _data(codewords: list[int], version: int, level: str) -> list[int]:
    groups = consts.ECC[version][{"L": 1, "M": 0, "Q": 3, "H": 2}[level]]
    sizes = [group.num_data for group in groups for _ in range(group.num_blocks)]
    blocks: list[list[int]] = [[] for _ in sizes]
    position = 0
    for i in range(max(sizes)):
        for b, size in enumerate(sizes):
            if i < size:
                blocks[b].append(codewords[position])
                position += 1
    return [word for block in blocks for word in block]


def _segments(data: list[int], version: int) -> str:
    bits = "".join(f"{word:08b}" for word in data)
    at = 0

    def take(n: int) -> int:
        nonlocal at
        value = int(bits[at:at + n], 2)
        at += n
        return value

    band = 0 if version <= 9 else 1 if version <= 26 else 2
    out = []
    while at + 4 <= len(bits):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0111:  # ECI: the byte segments that follow are UTF-8 here
            take(8)
        elif mode == 0b0001:
            count = take((10, 12, 14)[band])
            digits = ""
            while len(digits) < count:
                n = min(3, count - len(digits))
                digits += f"{take((4, 7, 10)[n - 1]):0{n}d}"
            out.append(digits)
        elif mode == 0b0010:
            count = take((9, 11, 13)[band])
            chars = ""
            while len(chars) < count:
                if count - len(chars) >= 2:
                    pair = take(11)
                    chars += ALPHANUMERIC[pair // 45] + ALPHANUMERIC[pair % 45]
                else:
                    chars += ALPHANUMERIC[take(6)]
            out.append(chars)
        elif mode == 0b0100:
            count = take((8, 16, 16)[band])
            out.append(bytes(take(8) for _ in range(count)).decode("utf-8"))
        else:
            raise ValueError(f"unsupported segment mode {mode:04b}")
    return "".join(out)


def decode(matrix: Matrix) -> str:
    size = len(matrix)
    version = (size - 17) // 4
    if size != 17 + 4 * version or not 1 <= version <= 40:
        raise ValueError(f"{size} modules is not a QR code size")
    level, mask = _format(matrix)
    return _segments(_data(_codewords(matrix, version, mask), version, level), version)
