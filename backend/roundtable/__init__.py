"""Roundtable: a live, collaborative checklist builder for policy workshops."""

__version__ = "0.1.0"
