"""Reading the Prometheus text format back, strictly enough to catch a malformed line."""

from __future__ import annotations

import re

SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r"(?:\{(?P<labels>[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\n]|\\.)*\""
    r"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\n]|\\.)*\")*)\})?"
    r" (?P<value>[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|Inf|NaN))$"
)
COMMENT = re.compile(
    r"^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
    r"(?:counter|gauge|histogram|summary|untyped))$"
)


def parse(text: str) -> dict[str, float]:
    """``{'name{labels}': value}`` for every sample; fails on a line that is neither a
    comment nor a sample."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert COMMENT.match(line), f"malformed comment line: {line!r}"
            continue
        match = SAMPLE.match(line)
        assert match, f"malformed sample line: {line!r}"
        key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
        samples[key] = float(match["value"])
    return samples
