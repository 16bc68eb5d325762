"""Draws images/icon.png (128x128): a draft page with a squiggle and a question badge.

Standard library only (a minimal PNG encoder over zlib), 4x4 supersampling for smooth edges.
Run: python3 scripts/make_icon.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZE = 128
SAMPLES = 4
OUT = Path(__file__).resolve().parent.parent / "images" / "icon.png"

BACKGROUND = (36, 41, 64)
PAGE = (245, 243, 236)
TEXT = (150, 156, 176)
SQUIGGLE = (232, 93, 63)
BADGE = (242, 178, 51)
MARK = (36, 41, 64)

Color = tuple[int, int, int]


def rounded_rect(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def page(x: float, y: float) -> bool:
    """A sheet with its top-right corner folded."""
    if not rounded_rect(x, y, 24, 16, 92, 112, 5):
        return False
    return (x - 76) - (y - 16) <= 0


def fold(x: float, y: float) -> bool:
    return 76 <= x <= 92 and 16 <= y <= 32 and (x - 76) - (y - 16) >= 0


def text_line(x: float, y: float) -> bool:
    for top, right in ((38, 70), (52, 80), (66, 80), (94, 62)):
        if rounded_rect(x, y, 34, top, right, top + 5, 2.5):
            return True
    return False


def squiggle(x: float, y: float) -> bool:
    if not 34 <= x <= 82:
        return False
    centre = 82 + 3 * math.sin((x - 34) / 48 * 4 * math.pi)
    return abs(y - centre) <= 2.2


def badge(x: float, y: float) -> bool:
    return (x - 92) ** 2 + (y - 92) ** 2 <= 24**2


def question_mark(x: float, y: float) -> bool:
    """A question mark centred in the badge: an open ring, a stem and a dot."""
    cx, cy = 92.0, 84.0
    dx, dy = x - cx, y - cy
    dist = math.hypot(dx, dy)
    angle = math.degrees(math.atan2(dy, dx))
    if 5.5 <= dist <= 11.5 and -165 <= angle <= 90:
        return True
    if 88.7 <= x <= 95.3 and cy + 6 <= y <= 98:
        return True
    return (x - 92) ** 2 + (y - 105) ** 2 <= 4.2**2


def color_at(x: float, y: float) -> tuple[Color, float]:
    """The colour and opacity of one sample."""
    if not rounded_rect(x, y, 0, 0, SIZE, SIZE, 22):
        return BACKGROUND, 0.0
    if badge(x, y):
        return (MARK if question_mark(x, y) else BADGE), 1.0
    if fold(x, y):
        return TEXT, 1.0
    if page(x, y):
        if squiggle(x, y):
            return SQUIGGLE, 1.0
        return (TEXT if text_line(x, y) else PAGE), 1.0
    return BACKGROUND, 1.0


def render() -> bytes:
    rows = bytearray()
    step = 1 / SAMPLES
    for py in range(SIZE):
        rows.append(0)
        for px in range(SIZE):
            r = g = b = a = 0.0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    (cr, cg, cb), alpha = color_at(px + (sx + 0.5) * step, py + (sy + 0.5) * step)
                    r += cr * alpha
                    g += cg * alpha
                    b += cb * alpha
                    a += alpha
            n = SAMPLES * SAMPLES
            if a:
                rows += bytes((round(r / a), round(g / a), round(b / a), round(255 * a / n)))
            else:
                rows += bytes(4)
    return bytes(rows)


def png(width: int, height: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png(SIZE, SIZE, render()))
    print(f"wrote {OUT}")
