"""Kernel helpers shared by every domain: errors, money, clock, identifiers, personal data."""
