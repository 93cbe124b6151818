from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from roundtable.metrics import Registry
from tests.observability.checks import parse
from tests.observability.conftest import METRICS_TOKEN
from tests.support import (
    Api,
    AppFactory,
    LiveServer,
    WsClient,
    create_facilitator_account,
    error_of,
    ok,
    setup_workshop,
)


def scrape(api: Api) -> dict[str, float]:
    r = api.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(r.text)


def test_every_metric_is_exposed_and_parses(fac: Api) -> None:
    samples = scrape(fac)
    for name in (
        "roundtable_connections",
        "roundtable_ops_applied_total",
        "roundtable_notifier_reconnects_total",
        "roundtable_direct_frames_total",
        "roundtable_shared_frames_built_total",
        "roundtable_presence_frames_total",
        "roundtable_presence_frames_built_total",
        "roundtable_export_queue_length",
        "roundtable_fanout_lag_seconds_count",
        'roundtable_fanout_lag_seconds_bucket{le="+Inf"}',
        "roundtable_export_duration_seconds_sum",
    ):
        assert name in samples, name
    assert samples["roundtable_connections"] == 0
    assert samples["roundtable_export_queue_length"] == 0


def test_ops_applied_and_refused_are_counted(fac: Api) -> None:
    ws = setup_workshop(fac)
    before = scrape(fac)
    ok(
        fac.post(
            f"/api/workshops/{ws['id']}/checklists/{ws['consolidated']}/items",
            json={"kind": "need", "title": "Clean water"},
        ),
        201,
    )
    error_of(
        fac.post(
            f"/api/workshops/{ws['id']}/checklists/999999/items",
            json={"kind": "need", "title": "Nowhere"},
        ),
        404,
    )
    after = scrape(fac)
    applied = "roundtable_ops_applied_total"
    assert after[applied] == before[applied] + 1
    refused = 'roundtable_ops_rejected_total{code="not_found"}'
    assert after[refused] == before.get(refused, 0) + 1


def test_a_registry_renders_counters_gauges_and_histograms() -> None:
    registry = Registry()
    counter = registry.counter("t_refused_total", "Refusals.", labelnames=("code",))
    counter.inc(code="invalid")
    counter.inc(2, code='we"ird\\')
    gauge = registry.gauge("t_level", "A level.")
    gauge.set(2.5)
    gauge.dec()
    histogram = registry.histogram("t_seconds", "Durations.", (0.1, 1.0))
    for value in (0.05, 0.1, 0.5):
        histogram.observe(value)
    histogram.observe(3.0, times=2)  # two samples of one value
    samples = parse(registry.render())
    assert samples['t_refused_total{code="invalid"}'] == 1
    assert samples['t_refused_total{code="we\\"ird\\\\"}'] == 2
    assert samples["t_level"] == 1.5
    assert samples['t_seconds_bucket{le="0.1"}'] == 2  # le: less than or equal
    assert samples['t_seconds_bucket{le="1"}'] == 3
    assert samples['t_seconds_bucket{le="+Inf"}'] == 5
    assert samples["t_seconds_count"] == 5
    assert samples["t_seconds_sum"] == pytest.approx(6.65)
    with pytest.raises(ValueError):
        registry.gauge("t_level", "again")


def test_two_apps_keep_their_own_counts(apps: AppFactory, fac: Api) -> None:
    other = AppFactory(apps.settings)
    try:
        api = other.client()
        ok(api.login())
        ws = setup_workshop(api)
        items = f"/api/workshops/{ws['id']}/checklists/{ws['consolidated']}/items"
        ok(api.post(items, json={"kind": "need", "title": "Shade"}), 201)
        assert scrape(api)["roundtable_ops_applied_total"] > 0
        assert scrape(fac)["roundtable_ops_applied_total"] == 0
    finally:
        other.close()


# -- on a real server ---------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from tests.support import create_schema

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'roundtable.sqlite3'}"
    create_schema(url)
    create_facilitator_account(url)
    srv = LiveServer(url).start()
    yield srv
    srv.stop()


def wait_for(api: Api, check: str, predicate: object, timeout: float = 5.0) -> float:
    deadline = time.monotonic() + timeout
    while True:
        value = scrape(api).get(check, 0.0)
        if predicate(value):  # type: ignore[operator]
            return value
        assert time.monotonic() < deadline, f"{check} stayed at {value}"
        time.sleep(0.05)


def test_connections_gauge_and_fanout_lag_follow_live_clients(server: LiveServer) -> None:
    fac = server.api()
    ok(fac.login())
    ws = setup_workshop(fac)
    group = ws["groups"][0]
    ana, ben = server.api(), server.api()
    ana.join(group["join_code"], "Ana")
    ben.join(group["join_code"], "Ben")
    assert scrape(fac)["roundtable_connections"] == 0
    lag = "roundtable_fanout_lag_seconds_count"
    lag_before = scrape(fac)[lag]

    async def scenario() -> None:
        a, b = WsClient(server, ana, ws["id"]), WsClient(server, ben, ws["id"])
        await a.connect()
        await a.recv_until(lambda m: m["type"] == "snapshot")
        await b.connect()
        await b.recv_until(lambda m: m["type"] == "snapshot")
        wait_for(fac, "roundtable_connections", lambda v: v == 2)
        await a.send(
            {
                "type": "op",
                "op_id": 1,
                "kind": "item.create",
                "args": {"checklist_id": group["checklist_id"], "kind": "need", "title": "Tea"},
            }
        )
        await b.recv_until(lambda m: m["type"] == "events")
        await a.recv_until(lambda m: m["type"] == "events")
        # Both connections sent the batch: two observations.
        wait_for(fac, lag, lambda v: v >= lag_before + 2)
        await a.close()
        wait_for(fac, "roundtable_connections", lambda v: v == 1)
        await b.close()
        wait_for(fac, "roundtable_connections", lambda v: v == 0)

    asyncio.run(scenario())
    samples = scrape(fac)
    assert samples["roundtable_ops_applied_total"] >= 1
    assert samples["roundtable_fanout_lag_seconds_sum"] >= 0
