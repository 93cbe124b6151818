"""Running the tests on several processes (pytest-xdist: ``make test`` runs
``pytest -n 3 --dist loadgroup``), and which tests must not be spread over them.

A group of tests runs whole on one worker, one test after another:

* ``slow`` tests (they start several processes, kill them, wait out timeouts, or run a
  bench) form one group, so no two of them run at once;
* the tests of a module that share a module-scoped fixture form a group, so the fixture
  (often a live server) is set up once;
* ``@pytest.mark.xdist_group("name")`` puts a test in the group ``name``.

Browser tests are never grouped: they run last on whichever worker takes them (see
``pytest_collection_modifyitems`` in ``conftest.py``), and a group is handed out ahead of
the single tests.

xdist's own ``loadgroup`` marks a group by renaming the test's node id, which pytest 9
no longer allows, so the workers write each test's group to a file the controller's
scheduler reads (``GROUPS_ENV`` names the folder).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

GROUPS_ENV = "ROUNDTABLE_XDIST_GROUPS"


def group_of(item: pytest.Item) -> str | None:
    if item.nodeid.startswith("tests/e2e/"):
        return None
    chosen = item.get_closest_marker("xdist_group")
    if chosen is not None:
        return str(chosen.args[0] if chosen.args else chosen.kwargs.get("name", "default"))
    if item.get_closest_marker("slow") is not None:
        return "slow"
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for name in info.names_closure:
            for fixturedef in info.name2fixturedefs.get(name, ()):
                if fixturedef.scope == "module":
                    return item.nodeid.split("::", 1)[0]
    return None


def controller_starts(config: pytest.Config) -> None:
    """On the controller, before the workers start: a folder for their group files."""
    if config.getoption("dist", "no") == "loadgroup" and not hasattr(config, "workerinput"):
        folder = tempfile.mkdtemp(prefix="rt-xdist-groups-")
        os.environ[GROUPS_ENV] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def worker_collected(items: list[pytest.Item]) -> None:
    """On a worker: the group of every test it collected, for the controller."""
    folder = os.environ.get(GROUPS_ENV)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not folder or not worker:
        return
    groups = {item.nodeid: group for item in items if (group := group_of(item)) is not None}
    path = Path(folder) / f"{worker}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(groups))
    partial.replace(path)  # whole or not at all


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", "no") != "loadgroup" or not os.environ.get(GROUPS_ENV):
        return None
    from xdist.scheduler import LoadScopeScheduling

    folder = Path(os.environ[GROUPS_ENV])

    class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """Load scheduling in which a scope is a test's group, or the test alone."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                # Called once every worker has finished collecting (and written its file);
                # they all collected the same tests, so any file will do.
                files = sorted(folder.glob("*.json"))
                assert files, f"no worker wrote its test groups to {folder}"
                self.groups = json.loads(files[0].read_text())
            group = self.groups.get(nodeid)
            return nodeid if group is None else f"group:{group}"

    return GroupScheduling(config, log)
