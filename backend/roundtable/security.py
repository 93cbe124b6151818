"""Passwords, session tokens, CSRF, origin checks and rate limits.

Sessions: the cookie carries a random token; the database keeps only its SHA-256. A
second, script-readable cookie carries the CSRF token, which state-changing requests
must echo in ``X-CSRF-Token`` (double submit, bound to the session row).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_COOKIE = "rt_session"
CSRF_COOKIE = "rt_csrf"
CSRF_HEADER = "x-csrf-token"

_hasher = PasswordHasher()
# A hash to verify against when the e-mail is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not a real password")

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_equal(a: str | None, b: str | None) -> bool:
    # Bytes: ``compare_digest`` refuses non-ASCII str, and a header may carry any Latin-1.
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def new_join_code(length: int = 6) -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def normalise_join_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def origin_allowed(origin: str | None, allowed: list[str], host: str | None = None) -> bool:
    """Same-origin (the Origin names the Host we were reached at) or on the allow-list."""
    if origin is None:
        return False
    origin = origin.rstrip("/")
    if host and origin in (f"http://{host}", f"https://{host}"):
        return True
    return origin in {o.rstrip("/") for o in allowed}


class RateLimiter:
    """Counts failures per key in a sliding window; refuses once ``limit`` is reached.

    In memory and per process: with N processes an address gets at most N x limit
    tries a window, which still makes guessing a join code hopeless.
    """

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def _trim(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int | None:
        """Seconds to wait when ``key`` is over its limit, else ``None``."""
        now = time.monotonic()
        with self._lock:
            hits = self._trim(key, now)
            if len(hits) < self.limit:
                if not hits:
                    self._hits.pop(key, None)
                return None
            return max(1, math.ceil(hits[0] + self.window_s - now))

    def record_failure(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._trim(key, now).append(now)
            if now - self._swept > self.window_s:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forgets keys with no failure inside the window. Keys are chosen by clients
        (any e-mail address), so without this the table would only ever grow."""
        self._swept = now
        for key in list(self._hits):
            if not self._trim(key, now):
                del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)
