"""Assertions on the API's error bodies."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import Api, error_of

# A message that starts by naming a field: "body.title: ...", "args.themes: ...".
FIELD_PREFIX = re.compile(r"^((?:body|args|query|path|header)(?:\.[\w-]+)*|If-Match|code): ")


def refused(response: httpx.Response, status: int, code: str, message: str) -> dict[str, Any]:
    """The response is the error ``{code, message[, field]}``; ``message`` is its start.

    When the message starts by naming a field, ``field`` must name the same one; when it
    names a rule instead, there must be no ``field``.
    """
    error = error_of(response, status)
    assert set(error) <= {"code", "message", "field"}, error
    assert error["code"] == code, error
    assert error["message"].startswith(message), error
    named = FIELD_PREFIX.match(error["message"])
    assert error.get("field") == (named.group(1) if named else None), error
    return error


# (method, path, JSON body or None, "status code message-start")
Refusal = tuple[str, str, Any, str]


def refuse_all(api: Api, refusals: list[Refusal]) -> None:
    """Sends each request and checks its refusal with :func:`refused`."""
    for method, path, body, expected in refusals:
        status, code, message = expected.split(" ", 2)
        response = (
            api.request(method, path, json=body) if body is not None else api.request(method, path)
        )
        try:
            refused(response, int(status), code, message)
        except AssertionError as exc:
            raise AssertionError(f"{method} {path} {body!r}: {exc}") from None
