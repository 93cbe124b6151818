"""The shared breakout timer and the announcement: facilitators set them, everyone sees them.

The timer is ``breakout_ends_at`` on the workshop (``PATCH``, op ``workshop.update``); the
announcement is ``PUT .../announcement`` (op ``workshop.announce``), an empty text clears it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.api.checks import refuse_all, refused
from tests.support import Api, AppFactory, ok, setup_workshop


def _people(apps: AppFactory, fac: Api) -> tuple[str, Api, Api]:
    ws = setup_workshop(fac)
    code = ws["groups"][0]["join_code"]
    part, obs = apps.client(), apps.client()
    part.join(code, "Pat Participant")
    obs.join(code, "Olga Observer", observer=True)
    return f"/api/workshops/{ws['id']}", part, obs


def test_facilitator_sets_the_timer_and_announces(apps: AppFactory, fac: Api) -> None:
    base, part, _ = _people(apps, fac)
    ends = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
    # Any offset is accepted and kept as UTC to the second.
    local = ends.astimezone(timezone(timedelta(hours=7))).isoformat()
    changed = ok(fac.patch(base, json={"breakout_ends_at": local}))
    assert changed["breakout_ends_at"] == ends.isoformat().replace("+00:00", "Z")
    assert changed["announcement"] == "" and changed["announced_at"] is None

    announced = ok(fac.put(f"{base}/announcement", json={"text": "  Back in the hall at 3  "}))
    assert announced["announcement"] == "Back in the hall at 3"
    when = datetime.fromisoformat(announced["announced_at"])
    assert abs(when - datetime.now(UTC)) < timedelta(minutes=1)

    seen = ok(part.get(base))  # participants read both
    assert seen["breakout_ends_at"] == changed["breakout_ends_at"]
    assert seen["announcement"] == "Back in the hall at 3"
    events = ok(part.get(f"{base}/events"))
    assert events[-1]["kind"] == "workshop.announce"
    assert events[-1]["changes"][0]["values"] == {
        "announcement": "Back in the hall at 3",
        "announced_at": announced["announced_at"],
    }
    assert events[-2]["changes"][0]["values"] == {"breakout_ends_at": seen["breakout_ends_at"]}

    cleared = ok(fac.put(f"{base}/announcement", json={"text": ""}))
    assert cleared["announcement"] == "" and cleared["announced_at"] is None
    stopped = ok(fac.patch(base, json={"breakout_ends_at": None}))
    assert stopped["breakout_ends_at"] is None


def test_only_facilitators_may(apps: AppFactory, fac: Api) -> None:
    base, part, obs = _people(apps, fac)
    head = ok(fac.get(base))["head_seq"]
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    for who in (part, obs):
        refused(who.put(f"{base}/announcement", json={"text": "Hi"}), 403, "forbidden", "only")
        refused(who.patch(base, json={"breakout_ends_at": soon}), 403, "forbidden", "only")
    assert ok(fac.get(base))["head_seq"] == head


def test_bad_values_name_the_field(apps: AppFactory, fac: Api) -> None:
    base, _, _ = _people(apps, fac)
    head = ok(fac.get(base))["head_seq"]
    far = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    # fmt: off
    refuse_all(fac, [
        ("PUT", f"{base}/announcement", {"text": "x" * 501},
         "422 invalid body.text: String should have at most 500 characters"),
        ("PUT", f"{base}/announcement", {}, "422 invalid body.text: Field required"),
        ("PUT", f"{base}/announcement", {"text": "a", "colour": "red"},
         "422 invalid body.colour: Extra inputs are not permitted"),
        ("PATCH", base, {"breakout_ends_at": "soon"},
         "422 invalid body.breakout_ends_at: Input should be a valid datetime"),
        ("PATCH", base, {"breakout_ends_at": "2026-11-29T15:00:00"},
         "422 invalid body.breakout_ends_at: Input should have timezone info"),
        ("PATCH", base, {"breakout_ends_at": far},
         "422 invalid args.breakout_ends_at: must be within 24 hours of now"),
    ])
    # fmt: on
    assert ok(fac.get(base))["head_seq"] == head
