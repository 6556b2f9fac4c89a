"""Principals (accounts), roles, passwords, tokens and signing keys."""
