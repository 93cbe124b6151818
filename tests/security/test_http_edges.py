"""The HTTP edges: body size, unknown API paths, the metrics endpoint, the error shape the
OpenAPI document promises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from fastapi.testclient import TestClient

from roundtable.config import Settings
from roundtable.metrics import scrape_refusal
from tests.api.checks import refused
from tests.api.world import fingerprint
from tests.support import Api, AppFactory, ok, setup_workshop

MIB = 1024 * 1024


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked), as a slow or lying client would."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_request_bodies_past_the_limit_are_refused_and_change_nothing(
    apps: AppFactory, fac: Api
) -> None:
    ws = setup_workshop(fac, groups=1)
    items = f"/api/workshops/{ws['id']}/checklists/{ws['consolidated']}/items"
    engine = apps.app.state.services.engine
    before = fingerprint(engine, ws["id"])
    headers = {"X-CSRF-Token": fac.csrf or "", "Content-Type": "application/json"}
    oversized = json.dumps({"kind": "need", "title": "x", "detail": "y" * MIB}).encode()
    for content in (oversized, chunks(oversized)):
        response = fac.client.post(items, content=content, headers=headers)
        refused(response, 413, "too_large", "body: larger than the limit of 1048576 bytes")
        assert response.headers["content-security-policy"]
    assert fingerprint(engine, ws["id"]) == before

    # Just under the limit the request is read, and refused for what it says.
    fits = json.dumps({"kind": "need", "title": "x", "detail": "y" * (MIB - 100)}).encode()
    response = fac.client.post(items, content=chunks(fits), headers=headers)
    refused(response, 422, "invalid", "body.detail: ")
    ok(fac.post(items, json={"kind": "need", "title": "Still fine"}), 201)

    # An import carries a whole workshop: it has a larger limit.
    document = {"format": "roundtable/v1", "workshop": {"title": "Big"}, "padding": "z" * 2 * MIB}
    response = fac.post("/api/workshops/import", json=document)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid"


def test_unknown_api_paths_are_404_for_every_method(fac: Api) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        for path in ("/api/nothing-here", "/api/workshops/1/nothing", "/api/"):
            response = fac.request(method, path, json={} if method != "GET" else None)
            refused(response, 404, "not_found", "no API route /")
    # A known path asked with a method it does not take is 405, saying which it takes.
    response = fac.request("DELETE", "/api/workshops")
    refused(response, 405, "method_not_allowed", "/workshops does not take DELETE")
    assert response.headers["allow"] == "GET, POST"
    # Pages of the browser app are still served for any unknown non-API path.
    assert fac.get("/w/1/anything").status_code == 200


def test_metrics_need_the_token_or_this_machine(settings: Settings) -> None:
    no_token = {"authorization": "Bearer x"}
    assert scrape_refusal(None, {}, "127.0.0.1") is None
    assert scrape_refusal(None, {}, "::1") is None
    assert scrape_refusal(None, no_token, "127.0.0.1") is None  # no token configured
    refusal = scrape_refusal(None, {}, "10.0.0.5")
    assert refusal is not None and refusal[0] == 403 and "METRICS_TOKEN" in refusal[1]
    # Reached through a proxy on this machine: not local.
    for header in ("x-forwarded-for", "forwarded", "x-real-ip"):
        assert scrape_refusal(None, {header: "203.0.113.9"}, "127.0.0.1") is not None
    assert scrape_refusal("s3cret", {}, "127.0.0.1") is not None  # a token binds everyone
    assert scrape_refusal("s3cret", {"authorization": "Bearer s3cret"}, "10.0.0.5") is None
    assert scrape_refusal("s3cret", {"authorization": "bearer  s3cret "}, None) is None
    for wrong in ("Bearer s3cre", "Basic s3cret", "s3cret", "Bearer é"):
        assert scrape_refusal("s3cret", {"authorization": wrong}, "127.0.0.1") is not None

    from roundtable.app import create_app

    def scrape(app_settings: Settings, peer: str, **headers: str) -> int:
        app = create_app(app_settings)
        with TestClient(app, client=(peer, 40000)) as client:
            return client.get("/metrics", headers=headers).status_code

    assert scrape(settings, "127.0.0.1") == 200
    assert scrape(settings, "198.51.100.7") == 403
    assert scrape(settings, "127.0.0.1", **{"X-Forwarded-For": "198.51.100.7"}) == 403
    with_token = settings.model_copy(update={"metrics_token": "s3cret"})
    assert scrape(with_token, "198.51.100.7", Authorization="Bearer s3cret") == 200
    assert scrape(with_token, "127.0.0.1", Authorization="Bearer nope") == 401
    app = create_app(with_token)
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        response = client.get("/metrics")
        refused(response, 401, "unauthenticated", "Authorization: a bearer token")
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_the_openapi_document_promises_the_error_shape_that_is_sent(fac: Api) -> None:
    schema = ok(fac.get("/openapi.json"))
    assert "HTTPValidationError" not in json.dumps(schema)
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("401", "403", "404", "413", "422", "429"):
                assert status in responses, f"{method.upper()} {path} does not document {status}"
            ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path)


def test_deeply_nested_bodies_are_refused_everywhere(fac: Api) -> None:
    """Every operation that takes a body, found in the OpenAPI document: JSON nested past
    what the parser recurses through is a 4xx, never a 500."""
    ws = setup_workshop(fac, groups=1)
    ids = {"workshop_id": ws["id"], "checklist_id": ws["consolidated"], "group_id": 1}
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    schema = ok(fac.get("/openapi.json"))
    tried = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            url = re.sub(r"{(\w+)}", lambda m: str(ids.get(m.group(1), 1)), path)
            response = fac.request(
                method, url, content=deep, headers={"Content-Type": "application/json"}
            )
            assert 400 <= response.status_code < 500, (method, path, response.text)
            assert set(response.json()["error"]) <= {"code", "message", "field"}
            tried += 1
    assert tried > 20
