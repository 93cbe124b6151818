"""schemathesis against the OpenAPI document of a real server, as every role.

Every operation the document lists is fuzzed (routes added later are picked up without
editing this file), as nobody, a participant, an observer, a member of another workshop
and a facilitator, with valid and with invalid data, half the time aimed at real ids of the
workshop. Every answer must be no server error, a documented status, and a body that
matches the document. Examples per operation and role are few and derandomized so CI is
quick and repeatable; ``ROUNDTABLE_FUZZ_EXAMPLES=50`` (a multiplier) digs deeper.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.realtime.clients import open_database
from tests.security.scene import Scene, build_scene
from tests.support import LiveServer

# Examples per operation, by role: those turned away at the door need fewer.
# ``ROUNDTABLE_FUZZ_EXAMPLES=N`` multiplies them.
SCALE = int(os.environ.get("ROUNDTABLE_FUZZ_EXAMPLES", "1"))
EXAMPLES = {"anon": 1, "outsider": 2, "observer": 2, "participant": 4, "fac": 5}
# Who fuzzes, in this order: the facilitator last, as it may remove people and end phases.
ROLES = tuple(EXAMPLES)


def security_headers(ctx: Any, response: Any, case: Any) -> None:
    """Every answer, errors included, carries the security headers and is not cached."""
    headers = {k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()}
    assert "default-src 'self'" in headers.get("content-security-policy", ""), headers
    assert headers.get("x-content-type-options") == "nosniff", headers
    assert headers.get("x-frame-options") == "DENY", headers
    assert "no-store" in headers.get("cache-control", "") or case.path.endswith(".json"), headers


CHECKS = [
    security_headers,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations that end the session they are sent with run after the others.
ENDS_SESSION = ("/api/auth/logout",)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """SQLite in CI; ``ROUNDTABLE_FUZZ_DATABASE=postgres`` fuzzes on PostgreSQL."""
    with ExitStack() as stack:
        kind = os.environ.get("ROUNDTABLE_FUZZ_DATABASE", "sqlite")
        url = open_database(kind, tmp_path_factory.mktemp("fuzz"), stack)
        server = LiveServer(url).start(timeout=90)
        stack.callback(server.stop)
        yield build_scene(server, url)


def operations(scene: Scene) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{scene.server.base_url}/openapi.json")
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: op.path in ENDS_SESSION)


def cases(operation: Any, known: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid and invalid requests, with generated ids or the workshop's real ones."""
    names = {p.name for p in operation.path_parameters}
    real = {name: value for name, value in known.items() if name in names}
    strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    if real:
        strategies.append(operation.as_strategy(path_parameters=real))
    return st.one_of(strategies)


def fuzz(operation: Any, session: requests.Session, scene: Scene, examples: int) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, scene.victim))
    def run(case: Any) -> None:
        try:
            response = case.call(base_url=scene.server.base_url, session=session, timeout=30)
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # one report per operation is enough to act on
            if not failures:
                failures.append(f"{operation.method.upper()} {operation.path}: {exc!r} {exc}")

    run()
    return failures


def test_the_checks_catch_what_they_should(scene: Scene) -> None:
    """The fuzzing below would notice: a 500, an undocumented status, a body off its schema.
    (It runs first: the fuzzing signs its people out in the end.)"""
    schema = schemathesis.openapi.from_url(f"{scene.server.base_url}/openapi.json")
    operation = schema["/api/workshops/{workshop_id}"]["GET"]
    case = operation.Case(path_parameters={"workshop_id": scene.victim["workshop_id"]})
    response = case.call(base_url=scene.server.base_url, session=scene.session("participant"))
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)

    def tampered(status: int, body: bytes) -> requests.Response:
        fake = requests.Response()
        fake.status_code = status
        fake._content = body
        fake.headers.update({"Content-Type": "application/json"})
        fake.request = requests.Request("GET", response.request.url).prepare()
        fake.url = str(response.request.url)
        return fake

    for status, body in (
        (500, b'{"error": {"code": "internal", "message": "boom"}}'),
        (418, b'{"error": {"code": "teapot", "message": "short and stout"}}'),
        (200, b'{"id": "not a number"}'),
        (404, b'{"detail": "Not Found"}'),
    ):
        with pytest.raises(FailureGroup):
            case.validate_response(tampered(status, body), checks=CHECKS)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation(scene: Scene, role: str) -> None:
    failures: list[str] = []
    ops = operations(scene)
    assert len(ops) > 40, [op.path for op in ops]
    session = scene.session(role)
    for operation in ops:
        failures += fuzz(operation, session, scene, EXAMPLES[role] * SCALE)
    log = Path(scene.server.log_path).read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
    assert not failures, f"{len(failures)} failing operations:\n" + "\n\n".join(failures)
