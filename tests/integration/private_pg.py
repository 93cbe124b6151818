"""A PostgreSQL server of our own, for tests that stop and start it.

The shared server on 5432 serves everyone's tests, so it is never restarted; this one
is made with ``initdb`` in a temporary directory, owned by the ``postgres`` user when
we run as root (PostgreSQL refuses to run as root), and listens on a free port.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support import free_port

BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/bin")


def pg_tool(name: str) -> str | None:
    for folder in BIN_DIRS:
        path = Path(folder) / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return shutil.which(name)


@dataclass
class PrivatePostgres:
    data: Path
    port: int
    as_user: list[str]  # ``runuser -u postgres --`` when we are root

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.as_user, pg_tool("pg_ctl") or "pg_ctl", "-D", str(self.data), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: every session is terminated, as in a restart for an upgrade."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    initdb, pg_ctl = pg_tool("initdb"), pg_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("initdb and pg_ctl are needed for a private PostgreSQL server")
    root = Path(tempfile.mkdtemp(prefix="rt-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        server = PrivatePostgres(data, free_port(), as_user)
        server.start()
        try:
            yield server
        finally:
            with suppress(subprocess.SubprocessError):
                server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def wait_for_postgres(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
