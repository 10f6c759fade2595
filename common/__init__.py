"""Shared foundations: the error root, the clock, JOSE helpers and the one bounded HTTP fetch."""
