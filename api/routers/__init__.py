"""Routers, one module per audience or area."""
