from __future__ import annotations

import pytest

from common.qr import qr_text

zxingcpp = pytest.importorskip("zxingcpp")


def decode_terminal_qr(text: str) -> list[str]:
    """Render the half-block drawing as a person's screen shows it (blocks light) and decode it."""
    from PIL import Image

    rows: list[list[bool]] = []
    for line in text.split("\n"):
        rows.append([ch in "█▀" for ch in line])
        rows.append([ch in "█▄" for ch in line])
    scale = 6
    image = Image.new("L", (len(rows[0]) * scale, len(rows) * scale), 0)
    pixels = image.load()
    assert pixels is not None
    for y, row in enumerate(rows):
        for x, light in enumerate(row):
            if light:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[x * scale + dx, y * scale + dy] = 255
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(
    "link",
    [
        "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcredential-offer%2Fabc",
        "openid4vp://?client_id=x509_san_dns%3Alocalhost&request_uri=http%3A%2F%2Flocalhost%3A9%2Frequest%2F"
        + "x" * 200,
    ],
)
def test_terminal_qr_decodes_to_the_link(link: str) -> None:
    assert decode_terminal_qr(qr_text(link)) == [link]
