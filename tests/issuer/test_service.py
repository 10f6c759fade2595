"""The issuer service's own rules that its HTTP tests cannot reach at will."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from issuer.service import issuance_time
from trust_list.pki import make_dev_pki

DAY = 86_400
NOW = 1_790_000_000  # 14:13:20 UTC


@pytest.mark.parametrize(
    ("certified", "expected"),
    [
        (NOW - 30 * DAY, NOW - NOW % DAY),  # an older signer: the start of the day
        (NOW - 3_600, NOW - 3_600),  # certified this morning: not before the certificate
    ],
)
def test_an_sd_jwt_vc_is_issued_at_the_start_of_the_day(certified: int, expected: int) -> None:
    # RFC 9901 section 10.1: batch copies rounded alike, the moment of issuance hidden within the day
    pki = make_dev_pki(now=datetime.fromtimestamp(certified, UTC) + timedelta(hours=1))
    signer = pki.issuer_cert
    assert int(signer.not_valid_before_utc.timestamp()) == certified
    assert issuance_time(NOW, signer) == expected
