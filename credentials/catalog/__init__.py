"""The attestation catalogue: types, claim names and display metadata (PID first)."""
