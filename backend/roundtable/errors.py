"""Domain errors: each names the broken rule; routes and the live protocol map them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

HTTP_STATUS = {
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "over_budget": 409,
    "stale": 412,
    "invalid": 422,
    "unknown_op": 422,
    "rate_limited": 429,
    "unavailable": 503,
}


class OpRejected(Exception):
    """An op (or request) that was refused; nothing it asked for was applied."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def to_dict(self) -> dict[str, str]:
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


def forbidden(message: str) -> OpRejected:
    return OpRejected("forbidden", message)


def not_found(what: str, ident: object) -> OpRejected:
    return OpRejected("not_found", f"{what} {ident} does not exist in this workshop")


def invalid(field: str, message: str) -> OpRejected:
    return OpRejected("invalid", f"{field}: {message}", field=field)


class RateLimited(OpRejected):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


def changed_fields(
    args: BaseModel,
    *,
    exclude: frozenset[str] = frozenset(),
    nullable: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The fields an update op sets, refusing an empty update and a null where none fits."""
    fields = args.model_dump(exclude_unset=True, exclude=set(exclude))
    if not fields:
        raise invalid("args", "name at least one field to change")
    for name, value in fields.items():
        if value is None and name not in nullable:
            raise invalid(f"args.{name}", "may not be null")
    return fields
