"""OpenID4VCI 1.0, OpenID4VP 1.0 and DCQL: protocol messages and their rules. No I/O, no clock."""
