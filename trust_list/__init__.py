"""Trust: X.509 chain validation, the development PKI, and signed lists of trusted entities (LoTE)."""
