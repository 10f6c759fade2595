"""Credential formats: SD-JWT (RFC 9901), SD-JWT VC, and the attestation catalogue. No I/O, no clock."""
