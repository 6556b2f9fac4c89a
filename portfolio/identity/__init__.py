"""Identifiers (ID numbers, credit codes, occupation and region codes), masking, protection."""
