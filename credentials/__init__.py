"""Credential formats: SD-JWT (RFC 9901), SD-JWT VC (draft -24), and the attestation catalogue.

Pure library: no network, no disk, no clock (time is passed in), randomness injectable.
"""
