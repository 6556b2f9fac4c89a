"""Principals (accounts), roles, passwords, tokens and signing keys.

The public face of the area: what other areas may use (they import from ``portfolio.accounts``,
never from its modules). Every service of every area takes an ``Actor``.
"""

from portfolio.accounts.principal import Actor, Role, region_range

__all__ = ["Actor", "Role", "region_range"]
