"""OpenID4VCI 1.0, OpenID4VP 1.0 and DCQL: protocol messages and their rules. No I/O, no clock.

Import from :mod:`openid4vc.issuance` (issuer and wallet, issuance side), :mod:`openid4vc.presentation`
(verifier and wallet, presentation side), :mod:`openid4vc.dcql` and :mod:`openid4vc.errors`.
"""
