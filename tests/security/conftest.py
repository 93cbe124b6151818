from __future__ import annotations

import pytest


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite unless a test asks for more: the guards here sit in front of the database."""
    return sqlite_url
