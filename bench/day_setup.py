"""The roundtable day's workshops, people and side activities, for ``roundtable_day.py``.

Two workshops on one server, both set up through the REST API as a facilitator would
(``fanout_setup.seed_workshop``):

- **the day**: groups in breakout, each with its participants joined by code and an item
  per participant (the writers retitle theirs);
- **the consolidation**: yesterday's groups with their items, in the consolidation phase,
  where the facilitators merge items into the consolidated checklist while the day runs.
  (Merging needs the consolidation phase and participants write only in breakout, so one
  workshop cannot do both at once.)

The facilitators are sessions of the bench's facilitator account, each signed in on its
own. Newcomers join a group with its code and open their connection (the "300 joins in
2 s"); dashboards are the REST reads the facilitator's dashboard makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from fanout_load import percentile
from fanout_setup import FACILITATOR, Workshop, seed_workshop


@dataclass(frozen=True)
class Day:
    live: Workshop  # the day's groups: rooms, one item per member, members' cookies
    consolidation: Workshop  # yesterday's groups, no members: the merges' sources
    join_codes: list[tuple[int, str]]  # (checklist id, code) per group of the day
    facilitators: list[str]  # one session cookie per facilitator


def _cookie_header(client: httpx.Client | httpx.AsyncClient) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def sign_in(base_url: str) -> tuple[str, str]:
    """A new facilitator session: (Cookie header, CSRF token)."""
    with httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=30) as fac:
        email, password = FACILITATOR
        reply = fac.post("/api/auth/login", json={"email": email, "password": password})
        reply.raise_for_status()
        return _cookie_header(fac), fac.cookies["rt_csrf"]


def seed_days(
    base_url: str, *, groups: int, members: int, sources: int, facilitators: int, count: int
) -> list[Day]:
    """One day's workshop shared by ``count`` days (each trial's newcomers stay members of
    it, not connected), each with a consolidation workshop of its own (merges use it up)."""
    live = seed_workshop(base_url, rooms=groups, members=members, writers=members)
    return [
        seed_day(base_url, live, groups=groups, sources=sources, facilitators=facilitators)
        for _ in range(count)
    ]


def seed_day(base_url: str, live: Workshop, *, groups: int, sources: int, facilitators: int) -> Day:
    consolidation = seed_workshop(base_url, rooms=groups, members=0, writers=sources)
    cookie, csrf = sign_in(base_url)
    headers = {"Origin": base_url, "Cookie": cookie, "X-CSRF-Token": csrf}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as fac:
        patch = fac.patch(f"/api/workshops/{consolidation.id}", json={"phase": "consolidation"})
        patch.raise_for_status()
        listed = fac.get(f"/api/workshops/{live.id}/groups")
        listed.raise_for_status()
        codes = [(int(g["checklist_id"]), str(g["join_code"])) for g in listed.json()]
    return Day(live, consolidation, codes, [sign_in(base_url)[0] for _ in range(facilitators)])


# -- side activities during the day ---------------------------------------------------
class Rest:
    """The load client's REST calls, over one connection pool.

    httpx builds an SSL context for every client it makes without a transport (some
    20 ms of CPU); 300 newcomers would spend seconds of the load client's loop on it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.transport = httpx.AsyncHTTPTransport()

    def client(self, cookie: str = "", timeout: float = 60) -> httpx.AsyncClient:
        """A client with its own cookie jar; the pool is closed by :meth:`aclose`."""
        headers = {"Origin": self.base_url} | ({"Cookie": cookie} if cookie else {})
        return httpx.AsyncClient(
            base_url=self.base_url, headers=headers, timeout=timeout,
            transport=self.transport, trust_env=False,
        )  # fmt: skip

    async def aclose(self) -> None:
        await self.transport.aclose()


@dataclass
class Timings:
    """Durations (s) of REST calls by name, and the calls that did not answer 2xx."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, started: float, response: httpx.Response | None) -> None:
        self.seconds.setdefault(name, []).append(time.perf_counter() - started)
        if response is None or not response.is_success:
            status = "no answer" if response is None else str(response.status_code)
            self.failures.append(f"{name}: {status}")

    def summary(self) -> dict[str, Any]:
        return {
            name: {
                "count": len(v),
                "p50_ms": percentile(v, 50) * 1000,
                "p99_ms": percentile(v, 99) * 1000,
                "max_ms": max(v) * 1000,
            }
            for name, v in self.seconds.items()
        } | {"failures": self.failures}


async def watch_dashboard(
    rest: Rest, cookie: str, workshop_id: int, every_s: float, timings: Timings,
    stop: asyncio.Event,
) -> None:  # fmt: skip
    """What a facilitator's dashboard reads while it is open, every ``every_s``."""
    paths = {
        "dashboard: workshop": f"/api/workshops/{workshop_id}",
        "dashboard: groups": f"/api/workshops/{workshop_id}/groups",
        "dashboard: membership": f"/api/workshops/{workshop_id}/me",
    }
    client = rest.client(cookie)
    while not stop.is_set():
        for name, path in paths.items():
            started = time.perf_counter()
            try:
                response: httpx.Response | None = await client.get(path)
            except httpx.HTTPError:
                response = None
            timings.add(name, started, response)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def export_during_load(rest: Rest, cookie: str, day: Day, timings: Timings) -> None:
    """The consolidated checklist as PDF (worker process) and the day's workshop as
    ``roundtable/v1`` JSON (read in the server), at once."""
    exports = {
        "export: consolidated checklist, pdf": (
            f"/api/workshops/{day.consolidation.id}/export/pdf"
        ),
        "export: the day's workshop, json": f"/api/workshops/{day.live.id}/export.json",
    }

    async def fetch(client: httpx.AsyncClient, name: str, path: str) -> None:
        started = time.perf_counter()
        try:
            response: httpx.Response | None = await client.get(path)
        except httpx.HTTPError:
            response = None
        timings.add(name, started, response)

    client = rest.client(cookie, timeout=120)
    await asyncio.gather(*(fetch(client, name, path) for name, path in exports.items()))


async def join_by_code(rest: Rest, code: str, name: str) -> str:
    """``POST /api/join`` as a newcomer; returns the session's Cookie header."""
    client = rest.client()
    reply = await client.post("/api/join", json={"code": code, "display_name": name})
    if reply.status_code != 201:
        raise RuntimeError(f"join {code}: {reply.status_code} {reply.text[:200]}")
    return _cookie_header(client)


async def live_connections(rest: Rest) -> int:
    """The server's open live connections, from ``/metrics`` (readable from this machine)."""
    reply = await rest.client(timeout=10).get("/metrics")
    reply.raise_for_status()
    for line in reply.text.splitlines():
        if line.startswith("roundtable_connections "):
            return int(float(line.split()[1]))
    raise RuntimeError("/metrics has no roundtable_connections")
