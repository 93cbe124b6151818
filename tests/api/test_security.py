"""Signing in and out, joining, cookies, CSRF, origins, rate limits, security headers."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import httpx
import pytest

from roundtable.security import RateLimiter
from roundtable.workshops import routes as workshop_routes
from tests.api.checks import refused
from tests.api.world import person
from tests.support import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    Api,
    AppFactory,
    create_facilitator_account,
    error_of,
    ok,
    setup_workshop,
)


def cookie_attributes(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {k: v for k, v in morsel.items() if v}
    return found


def test_login_me_logout(apps: AppFactory, fac: Api) -> None:
    visitor = person(apps, fac)
    error = error_of(visitor.get("/api/auth/me"), 401)
    assert error["code"] == "unauthenticated" and "sign in" in error["message"]

    response = visitor.login()
    me = ok(response)
    assert me["account_email"] == FACILITATOR_EMAIL and me["member"] is None
    cookies = cookie_attributes(response)
    session, csrf = cookies["rt_session"], cookies["rt_csrf"]
    assert session["httponly"] is True and str(session["samesite"]).lower() == "lax"
    assert "httponly" not in csrf and str(csrf["samesite"]).lower() == "lax"
    assert visitor.csrf == me["csrf_token"] != visitor.client.cookies.get("rt_session")
    assert ok(visitor.get("/api/auth/me"))["account_email"] == FACILITATOR_EMAIL

    # The e-mail is matched without regard to case or surrounding spaces.
    assert ok(visitor.login(f"  {FACILITATOR_EMAIL.upper()} "))["account_email"]

    assert visitor.post("/api/auth/logout").status_code == 204
    assert error_of(visitor.get("/api/auth/me"), 401)["code"] == "unauthenticated"
    assert error_of(visitor.get("/api/workshops"), 401)["code"] == "unauthenticated"
    # Logging out without a session is harmless.
    assert visitor.post("/api/auth/logout").status_code == 204

    wrong = error_of(visitor.login(password="not the password"), 401)
    assert wrong == {"code": "unauthenticated", "message": "email or password is wrong"}
    unknown = error_of(visitor.login(email="nobody@example.org"), 401)
    assert unknown == wrong  # the same answer: whether an account exists is not told

    missing = error_of(visitor.post("/api/auth/login", json={"email": "a@b.c"}), 422)
    assert missing["field"] == "body.password" and missing["message"].startswith("body.password:")
    typed = error_of(visitor.post("/api/auth/login", json={"email": 5, "password": "x"}), 422)
    assert typed["message"].startswith("body.email:")


def test_passwords_are_compared_as_typed(apps: AppFactory, fac: Api) -> None:
    create_facilitator_account(apps.settings.database_url, "spaces@example.org", "  padded pass  ")
    visitor = person(apps, fac)
    assert ok(visitor.login("spaces@example.org", "  padded pass  "))
    error_of(visitor.login("spaces@example.org", "padded pass"), 401)


def test_csrf_and_origin_guard_every_change(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    wid = ws["id"]
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    checklist = ws["groups"][0]["checklist_id"]
    head = ok(fac.get(f"/api/workshops/{wid}"))["head_seq"]

    raw = fac.client  # no automatic X-CSRF-Token
    attempts = [
        ("PATCH", f"/api/workshops/{wid}", {"title": "Hijacked"}),
        ("POST", f"/api/workshops/{wid}/groups", {"name": "Hijacked"}),
        ("POST", "/api/workshops", {"title": "Hijacked"}),
        ("POST", "/api/auth/logout", None),
    ]
    for method, path, body in attempts:
        for headers in (
            {},
            {"X-CSRF-Token": "wrong"},
            {"X-CSRF-Token": "é".encode("latin-1")},  # type: ignore[dict-item]
            {"X-CSRF-Token": ""},
        ):
            error = error_of(raw.request(method, path, json=body, headers=headers), 403)
            assert error["code"] == "forbidden" and "X-CSRF-Token" in error["message"]
        foreign = {"Origin": "https://evil.example", "X-CSRF-Token": fac.csrf or ""}
        error = error_of(raw.request(method, path, json=body, headers=foreign), 403)
        assert "Origin 'https://evil.example' is not allowed" in error["message"]

    # A participant's session is guarded the same way.
    item = {"kind": "need", "title": "Forged"}
    path = f"/api/workshops/{wid}/checklists/{checklist}/items"
    error_of(ana.client.post(path, json=item), 403)
    error_of(ana.post(path, json=item, headers={"Origin": "null"}), 403)
    # Joining and signing in check the Origin too (there is no session to bind a token to).
    evil = {"Origin": "https://evil.example"}
    joining = {"code": ws["groups"][0]["join_code"], "display_name": "Mallory"}
    error_of(ana.post("/api/join", json=joining, headers=evil), 403)
    body = {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
    error_of(ana.post("/api/auth/login", json=body, headers=evil), 403)

    # Nothing above changed anything, and the session still works.
    assert ok(fac.get(f"/api/workshops/{wid}"))["head_seq"] == head
    assert ok(fac.get(f"/api/workshops/{wid}"))["title"] == "Test roundtable"
    assert ok(fac.get(f"/api/workshops/{wid}/checklists/{checklist}/items")) == []
    assert len(ok(fac.get("/api/workshops"))) == 1

    # The same-origin and allow-listed origins pass.
    for origin in ("http://testserver", apps.settings.allowed_origins[0]):
        patch = fac.patch(
            f"/api/workshops/{wid}", json={"venue": origin}, headers={"Origin": origin}
        )
        assert ok(patch)["venue"] == origin


def test_failed_logins_and_join_codes_are_rate_limited(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=1)
    code = ws["groups"][0]["join_code"]
    visitor = person(apps, fac)
    for attempt in range(10):
        error = error_of(visitor.login(password=f"guess {attempt}"), 401)
        assert error["code"] == "unauthenticated"
    refused = visitor.login()  # the right password, too late
    error = error_of(refused, 429)
    assert error["code"] == "rate_limited" and "try again in" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert visitor.client.cookies.get("rt_session") is None

    for attempt in range(10):
        wrong = visitor.post("/api/join", json={"code": f"ZZZZ{attempt:02d}", "display_name": "M"})
        error = error_of(wrong, 404)
        assert error == {
            "code": "not_found",
            "message": "code: no group has this join code",
            "field": "code",
        }
    refused = visitor.post("/api/join", json={"code": code, "display_name": "Mallory"})
    assert error_of(refused, 429)["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    members = ok(fac.get(f"/api/workshops/{ws['id']}/members"))
    assert [m["display_name"] for m in members] == ["Facilitator"]


def test_security_headers_on_every_kind_of_response(
    apps: AppFactory, fac: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = setup_workshop(fac, groups=1)
    # An unexpected failure: a plain error body, nothing about the failure's insides.
    unlucky = person(apps, fac, raise_server_exceptions=False)
    unlucky.login()

    def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(workshop_routes, "_public", broken)
    crashed = unlucky.get(f"/api/workshops/{ws['id']}")
    monkeypatch.undo()
    refused(crashed, 500, "internal", "something went wrong on our side")
    assert "secret" not in crashed.text
    responses = [
        crashed,
        fac.get("/api/health"),
        fac.get(f"/api/workshops/{ws['id']}"),
        fac.get("/api/workshops/999999"),
        fac.get("/api/workshops/x"),
        fac.get("/api/nothing-here"),
        fac.get("/"),
        person(apps, fac).get("/api/auth/me"),
    ]
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, response.url
        assert "script-src 'self';" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "camera=()" in headers["permissions-policy"]
        if response.url.path.startswith("/api/"):
            assert headers["cache-control"] == "no-store"


def test_join_and_join_codes(apps: AppFactory, fac: Api) -> None:
    ws = setup_workshop(fac, groups=2)
    wid = ws["id"]
    group_a, group_b = ws["groups"]
    code = group_a["join_code"]
    assert len(code) == 6 and code.isalnum() and code.isupper()

    ana = person(apps, fac)
    spaced = f"{code[:3].lower()}-{code[3:].lower()}"  # typed loosely off a projector
    response = ana.post(
        "/api/join", json={"code": spaced, "display_name": "  Ana  ", "affiliation": "NGO"}
    )
    me = ok(response, 201)
    assert me["workshop_id"] == wid and me["csrf_token"] == ana.csrf
    assert me["member"]["display_name"] == "Ana" and me["member"]["role"] == "participant"
    assert me["member"]["group_id"] == group_a["id"] and me["member"]["affiliation"] == "NGO"
    assert cookie_attributes(response)["rt_session"]["httponly"] is True
    assert ok(ana.get("/api/auth/me"))["member"]["id"] == me["member"]["id"]

    olga = person(apps, fac)
    watching = olga.join(group_b["join_code"], "Olga", observer=True)["member"]
    assert watching["role"] == "observer" and watching["group_id"] == group_b["id"]

    # Join codes are for facilitators' eyes only.
    for viewer in (ana, olga):
        for group in ok(viewer.get(f"/api/workshops/{wid}/groups")):
            assert group["join_code"] is None
        assert "join_code" not in str(ok(viewer.get(f"/api/workshops/{wid}/events")))
    codes = [g["join_code"] for g in ok(fac.get(f"/api/workshops/{wid}/groups"))]
    assert codes == [group_a["join_code"], group_b["join_code"]]

    # Rotating a code retires the old one.
    rotated = ok(fac.post(f"/api/workshops/{wid}/groups/{group_a['id']}/rotate-code"))
    assert rotated["join_code"] != code and rotated["id"] == group_a["id"]
    late = person(apps, fac)
    error_of(late.post("/api/join", json={"code": code, "display_name": "Late"}), 404)
    assert late.join(rotated["join_code"], "Late")["member"]["group_id"] == group_a["id"]

    bad = [
        ({"code": "ABC", "display_name": "X"}, "body.code"),
        ({"code": rotated["join_code"], "display_name": "   "}, "body.display_name"),
        ({"code": rotated["join_code"], "display_name": "X" * 81}, "body.display_name"),
        ({"code": rotated["join_code"], "display_name": "X", "role": "facilitator"}, "body.role"),
        ({"code": rotated["join_code"], "display_name": "X", "observer": "maybe"}, "body.observer"),
    ]
    for body, field in bad:
        error = error_of(late.post("/api/join", json=body), 422)
        assert error["field"] == field and error["message"].startswith(f"{field}: "), error

    # Deleted groups and published workshops take no one.
    ok(fac.delete(f"/api/workshops/{wid}/groups/{group_b['id']}"), 204)
    error_of(late.post("/api/join", json={"code": group_b["join_code"], "display_name": "Y"}), 404)
    ok(fac.patch(f"/api/workshops/{wid}", json={"phase": "published"}))
    body = {"code": rotated["join_code"], "display_name": "Z"}
    error_of(late.post("/api/join", json=body), 404)
    names = [m["display_name"] for m in ok(fac.get(f"/api/workshops/{wid}/members"))]
    assert names == ["Facilitator", "Ana", "Olga", "Late"]


def test_rate_limits_count_the_address_the_proxy_saw(
    apps: AppFactory, fac: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = setup_workshop(fac, groups=1)
    monkeypatch.setattr(apps.settings, "trust_forwarded_for", True)
    visitor = person(apps, fac)
    guess = {"code": "ZZZZZZ", "display_name": "Mallory"}
    for n in range(10):
        # The first entries are the client's own words; the proxy appends the real one.
        spoofed = {"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.9"}
        error_of(visitor.post("/api/join", json=guess, headers=spoofed), 404)
    again = {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}
    refused(visitor.post("/api/join", json=guess, headers=again), 429, "rate_limited", "too many")
    elsewhere = {"X-Forwarded-For": "203.0.113.10"}
    right = {"code": ws["groups"][0]["join_code"], "display_name": "Ana"}
    ok(visitor.post("/api/join", json=right, headers=elsewhere), 201)


def test_rate_limiter_forgets_quiet_keys() -> None:
    limiter = RateLimiter(limit=2, window_s=0.05)
    for n in range(100):
        limiter.record_failure(f"email:{n}@example.org")
    assert len(limiter) == 100
    time.sleep(0.06)
    limiter.record_failure("email:last@example.org")
    assert len(limiter) == 1
    assert limiter.retry_after("email:0@example.org") is None
