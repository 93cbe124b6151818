from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable.ordering import is_valid_key, key_between, keys_after


def test_first_keys_are_short_and_sorted() -> None:
    keys = keys_after(None, 50)
    assert keys == sorted(keys)
    assert all(is_valid_key(k) for k in keys)
    assert max(len(k) for k in keys) <= 10


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, "V"),
        ("V", None, "W"),
        ("z", None, "z1"),
        (None, "V", "F"),
        ("V", "W", "VV"),
        ("1", "2", "1V"),
    ],
)
def test_known_midpoints(a: str | None, b: str | None, expected: str) -> None:
    assert key_between(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b"), [("b", "a"), ("a", "a"), ("a0", None), ("", None), ("a!", None)]
)
def test_bad_bounds_are_refused(a: str, b: str | None) -> None:
    with pytest.raises(ValueError):
        key_between(a, b)


@settings(max_examples=300)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_inserting_anywhere_keeps_a_strict_order(positions: list[int]) -> None:
    keys: list[str] = []
    for p in positions:
        i = p % (len(keys) + 1)
        before = keys[i - 1] if i > 0 else None
        after = keys[i] if i < len(keys) else None
        key = key_between(before, after)
        assert is_valid_key(key)
        assert (before is None or before < key) and (after is None or key < after)
        keys.insert(i, key)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_no_key_longer_than_the_limit_is_ever_made() -> None:
    with pytest.raises(ValueError, match="no ordering key fits"):
        key_between("z" * 64, None)
