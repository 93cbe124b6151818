"""Ids that clients may mint themselves (items, comments): 8-40 URL-safe characters."""

from __future__ import annotations

import re
import secrets

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,40}$"
_ID_RE = re.compile(CLIENT_ID_PATTERN)


def new_id() -> str:
    return secrets.token_urlsafe(12)


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))
