"""The wallet core: the headless agent (issuance and presentation clients), its store and log.

The terminal UI (``wallet/tui``, a later issue) only draws what this core does; the core never
imports it.
"""
