"""Settings read from the environment (prefix ``ROUNDTABLE_`` or the bare names below).

Nothing here is created at import time: ``Settings()`` is built by the CLI or by
``create_app`` and handed down, so tests can run many differently configured apps in
one process.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("var") / "roundtable.sqlite3"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, f"ROUNDTABLE_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DB_PATH}", validation_alias=_env("DATABASE_URL")
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32), validation_alias=_env("SECRET_KEY")
    )
    allowed_origins: list[str] = Field(
        default=["http://127.0.0.1:8000", "http://localhost:8000"],
        validation_alias=_env("ALLOWED_ORIGINS"),
    )
    cookie_secure: bool = Field(default=False, validation_alias=_env("COOKIE_SECURE"))
    session_hours: int = Field(default=24 * 14, validation_alias=_env("SESSION_HOURS"))
    # "json": one JSON object per log line (``roundtable serve``); "text": uvicorn's default
    log_format: str = Field(default="text", validation_alias=_env("LOG_FORMAT"))

    # How long a thread that wants the GIL waits for the one holding it to let go
    # (``sys.setswitchinterval``; Python's default is 5,000 µs), set while the app runs
    gil_switch_interval_us: int = Field(
        default=200, ge=50, le=5000, validation_alias=_env("GIL_SWITCH_INTERVAL_US")
    )

    # SQLite: how long a write waits for another connection's lock before failing
    sqlite_busy_timeout_s: float = Field(default=30.0, validation_alias=_env("SQLITE_BUSY_TIMEOUT"))

    # Live protocol
    ws_max_message_bytes: int = 64 * 1024
    ws_send_timeout_s: float = 10.0
    ws_heartbeat_s: float = 25.0
    # WebSocket keepalive (``roundtable serve``): a ping every interval; a connection whose
    # pong has not come back within the timeout is closed (uvicorn's defaults, 20 s each)
    ws_ping_interval_s: float = Field(default=20.0, validation_alias=_env("WS_PING_INTERVAL"))
    ws_ping_timeout_s: float = Field(default=20.0, validation_alias=_env("WS_PING_TIMEOUT"))
    snapshot_threshold: int = 500
    hub_buffer_events: int = 4096
    poll_interval_s: float = Field(default=2.0, validation_alias=_env("POLL_INTERVAL"))
    # How often open sockets are checked against their sessions (signed out, expired)
    session_check_s: float = Field(default=30.0, validation_alias=_env("SESSION_CHECK"))

    # Abuse limits: attempts per window per client address
    join_failures_per_minute: int = 10
    login_failures_per_minute: int = 10
    trust_forwarded_for: bool = Field(default=False, validation_alias=_env("TRUST_FORWARDED_FOR"))

    # ``GET /metrics``: with a token, only ``Authorization: Bearer <token>`` may read it;
    # without one, only requests from this machine that no proxy forwarded.
    metrics_token: str | None = Field(default=None, validation_alias=_env("METRICS_TOKEN"))

    # Content limits. A request body past its limit is refused with 413 before it is read
    # whole; imports carry a whole workshop and get the larger one.
    max_body_bytes: int = Field(default=1024 * 1024, validation_alias=_env("MAX_BODY_BYTES"))
    max_import_bytes: int = Field(
        default=16 * 1024 * 1024, validation_alias=_env("MAX_IMPORT_BYTES")
    )
    max_title_chars: int = 500
    max_detail_chars: int = 10_000

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
