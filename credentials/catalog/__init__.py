"""The attestation catalogue: types in both formats, claim names, labels (en, nl), checks.

PID (``pid``), age verification (``age``), diploma (``diploma``) and the mobile driving licence
(``mdl``); :data:`CATALOGUE` lists them by key.
"""

from __future__ import annotations

from credentials.catalog.age import AV_TYPE
from credentials.catalog.attestation import AttestationType
from credentials.catalog.diploma import DIPLOMA_TYPE
from credentials.catalog.mdl import MDL_TYPE
from credentials.catalog.pid import PID_TYPE

__all__ = ["CATALOGUE"]

CATALOGUE: dict[str, AttestationType] = {t.key: t for t in (PID_TYPE, AV_TYPE, DIPLOMA_TYPE, MDL_TYPE)}
