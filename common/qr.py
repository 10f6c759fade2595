"""QR codes drawn in a terminal, two modules per character cell with half blocks."""

from __future__ import annotations

import qrcode
import qrcode.constants

__all__ = ["qr_matrix", "qr_text"]


def qr_matrix(data: str, *, border: int = 2) -> list[list[bool]]:
    """The module matrix (True = dark) at the smallest version that holds ``data``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=border)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_text(data: str, *, border: int = 2) -> str:
    """Draw ``data`` as light modules on a dark terminal: dark modules are spaces.

    Each character cell carries two rows: upper half block, lower half block, full block or space.
    Light modules are drawn so that the code reads on the usual dark terminal background.
    """
    matrix = qr_matrix(data, border=border)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    glyphs = {(False, False): "█", (False, True): "▀", (True, False): "▄", (True, True): " "}
    lines = []
    for top, bottom in zip(matrix[::2], matrix[1::2], strict=True):
        lines.append("".join(glyphs[(a, b)] for a, b in zip(top, bottom, strict=True)))
    return "\n".join(lines)
