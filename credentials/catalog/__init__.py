"""The attestation catalogue: credential types, their claim names and display metadata (PID first)."""
