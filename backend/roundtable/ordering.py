"""Fractional ordering keys: strings that sort between any two others.

A key is a non-empty string of base-62 digits (``0-9A-Za-z``, in ASCII order) that never
ends in ``0``, so there is always room before and after it. ``key_between(a, b)`` returns
a key strictly between ``a`` and ``b`` (``None`` = open end). The same algorithm lives in
``frontend/src/sync/ordering.ts``; both are tested against each other's fixtures.
"""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(DIGITS)}
BASE = len(DIGITS)
MAX_KEY_LENGTH = 64


def is_valid_key(key: object) -> bool:
    return (
        isinstance(key, str)
        and 0 < len(key) <= MAX_KEY_LENGTH
        and not key.endswith("0")
        and all(c in _INDEX for c in key)
    )


def key_between(a: str | None, b: str | None) -> str:
    if a is not None and not is_valid_key(a):
        raise ValueError(f"invalid ordering key {a!r}")
    if b is not None and not is_valid_key(b):
        raise ValueError(f"invalid ordering key {b!r}")
    if a is not None and b is not None and a >= b:
        raise ValueError(f"ordering keys out of order: {a!r} >= {b!r}")
    key = _step_after(a) if b is None and a else _midpoint(a or "", b)
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"no ordering key fits after {a!r} within {MAX_KEY_LENGTH} characters")
    return key


def _step_after(a: str) -> str:
    """A short key after ``a``: the next first digit while there is one.

    Appending is the common case; halving the room each time would add a character every
    six appends; stepping adds one every sixty.
    """
    low = _INDEX[a[0]]
    if low < BASE - 1:
        return DIGITS[low + 1]
    return a[0] + (_step_after(a[1:]) if len(a) > 1 else DIGITS[1])


def _midpoint(a: str, b: str | None) -> str:
    """Digits strictly between fraction ``a`` and ``b`` (``None`` = 1.0)."""
    if b is not None:
        # Skip the common prefix (``a`` padded with zeros).
        n = 0
        while n < len(b) and (a[n] if n < len(a) else "0") == b[n]:
            n += 1
        if n > 0:
            return b[:n] + _midpoint(a[n:], b[n:])
    low = _INDEX[a[0]] if a else 0
    high = _INDEX[b[0]] if b is not None else BASE
    if high - low > 1:
        return DIGITS[(low + high) // 2]
    # Neighbouring first digits.
    if b is not None and len(b) > 1:
        return b[0]
    return DIGITS[low] + _midpoint(a[1:], None)


def keys_after(a: str | None, count: int) -> list[str]:
    keys: list[str] = []
    last = a
    for _ in range(count):
        last = key_between(last, None)
        keys.append(last)
    return keys
