"""Looking at a page in a real browser: headless Chromium run on a file, and the PNG it writes
decoded without an imaging library (tests/test_draw.py, tests/render/test_svg.py)."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np


def png_array(path: Path) -> np.ndarray:
    """The (height, width, 3) RGB pixels of an 8-bit RGB/RGBA PNG (what Chromium writes). Rows
    filtered with None, Sub or Up (most of a screenshot) are undone with NumPy, Average and Paeth
    rows byte by byte."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: each byte plus the one bpp before it, a running sum per channel
            row = (np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64) % 256).astype(np.uint8).reshape(stride)
        elif kind == 2:
            row = line + prev
        else:
            row, above = bytearray(line.tobytes()), prev.tobytes()
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b, c = above[i], above[i - bpp] if i >= bpp else 0
                if kind == 3:
                    row[i] = (row[i] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            row = np.frombuffer(bytes(row), dtype=np.uint8)
        out[y] = row
        prev = row
    return out.reshape(height, width, bpp)[:, :, :3]


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of a PNG (png_array's pixels, a row as bytes)."""
    pixels = png_array(path)
    return pixels.shape[1], pixels.shape[0], [row.tobytes() for row in pixels]


def chromium_run(chromium: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)
