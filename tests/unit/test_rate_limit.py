from __future__ import annotations

import time

from roundtable.security import RateLimiter, normalise_join_code, origin_allowed


def test_refuses_after_the_limit_and_recovers_after_the_window() -> None:
    limiter = RateLimiter(limit=3, window_s=0.3)
    for _ in range(3):
        assert limiter.retry_after("ip:1") is None
        limiter.record_failure("ip:1")
    wait = limiter.retry_after("ip:1")
    assert wait is not None and wait >= 1
    assert limiter.retry_after("ip:2") is None  # other addresses are not affected
    time.sleep(0.35)
    assert limiter.retry_after("ip:1") is None


def test_join_codes_are_forgiving_about_case_and_spacing() -> None:
    assert normalise_join_code(" ab-c d2 ") == "ABCD2"


def test_origin_same_host_or_allow_list() -> None:
    assert origin_allowed("http://h:1", [], host="h:1")
    assert origin_allowed("https://app.example/", ["https://app.example"])
    assert not origin_allowed("https://evil.example", ["https://app.example"], host="h:1")
    assert not origin_allowed(None, ["https://app.example"])
