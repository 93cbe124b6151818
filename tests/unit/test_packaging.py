"""What can be checked of the container build without a Docker engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def _copy_sources() -> list[str]:
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            sources.extend(line.split()[1:-1])
    return sources


def test_every_path_the_dockerfile_copies_exists() -> None:
    sources = _copy_sources()
    assert "backend/" in sources and "migrations/" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_entrypoint_runs_migrations_and_the_app_imports() -> None:
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "roundtable migrate" in entrypoint and 'exec "$@"' in entrypoint
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import roundtable.asgi, roundtable.cli; print(roundtable.asgi.app.title)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "Roundtable"


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER roundtable$", text, re.M)
    assert "HEALTHCHECK" in text and "/api/health" in text


def test_compose_names_the_image_the_database_and_a_websocket_proxy() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["app"]["image"].startswith("roundtable")
    assert services["app"]["deploy"]["replicas"] >= 2
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert services["db"]["image"].startswith("postgres")
    proxy_conf = services["proxy"]["volumes"][0].split(":")[0]
    nginx = (ROOT / proxy_conf).read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in nginx and "location /api/ws" in nginx


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    out = subprocess.run(
        [sys.executable, "-m", "roundtable.cli", "serve", "--workers", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 2
    assert "--workers" in out.stderr and "PostgreSQL" in out.stderr
