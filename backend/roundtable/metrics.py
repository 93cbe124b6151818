"""A small metrics registry, written out in the Prometheus text exposition format.

Counters, gauges and histograms with fixed buckets. Each metric holds its own lock,
taken only for the few instructions of an update (never across an ``await``), so
updates may come from worker threads as well as the event loop. A metric may instead
read its value from a function at scrape time (the hub's connection count, the
notifier's reconnects): that costs the hot path nothing at all.

There is no module-level registry: the app makes one in its lifespan
(:func:`app_metrics`), so several apps can run side by side in one process.
"""

from __future__ import annotations

import bisect
import hmac
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

Labels = tuple[tuple[str, str], ...]


def _format_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        self.name = name
        self.help = help_text
        self._lock = threading.Lock()

    def samples(self) -> list[tuple[str, Labels, float]]:
        raise NotImplementedError

    def render(self) -> list[str]:
        lines = [
            f"# HELP {self.name} {self.help.replace(chr(92), chr(92) * 2).replace(chr(10), ' ')}",
            f"# TYPE {self.name} {self.kind}",
        ]
        for name, labels, value in self.samples():
            lines.append(f"{name}{_format_labels(labels)} {_format_value(value)}")
        return lines


class Counter(_Metric):
    """A monotonically increasing count, optionally split by labels."""

    kind = "counter"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        fn: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(name, help_text)
        for label in labelnames:
            if not _LABEL.match(label):
                raise ValueError(f"invalid label name {label!r}")
        self.labelnames = tuple(labelnames)
        self._fn = fn
        self._values: dict[tuple[str, ...], float] = {} if labelnames else {(): 0.0}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = tuple(labels[n] for n in self.labelnames)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        if self._fn is not None:
            return float(self._fn())
        key = tuple(labels[n] for n in self.labelnames)
        with self._lock:
            return self._values.get(key, 0.0)

    def samples(self) -> list[tuple[str, Labels, float]]:
        if self._fn is not None:
            return [(self.name, (), float(self._fn()))]
        with self._lock:
            items = sorted(self._values.items())
        return [(self.name, tuple(zip(self.labelnames, key, strict=True)), v) for key, v in items]


class Gauge(_Metric):
    """A value that goes up and down, set directly or read from ``fn`` at scrape time."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, fn: Callable[[], float] | None = None) -> None:
        super().__init__(name, help_text)
        self._fn = fn
        self._value = 0.0

    def set(self, value: float) -> None:
        with self._lock:
            self._value = value

    def inc(self, amount: float = 1.0) -> None:
        with self._lock:
            self._value += amount

    def dec(self, amount: float = 1.0) -> None:
        self.inc(-amount)

    def value(self) -> float:
        if self._fn is not None:
            return float(self._fn())
        with self._lock:
            return self._value

    def samples(self) -> list[tuple[str, Labels, float]]:
        return [(self.name, (), self.value())]


class Histogram(_Metric):
    """Observations counted into fixed, cumulative buckets (plus ``_sum`` and ``_count``)."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: Sequence[float]) -> None:
        super().__init__(name, help_text)
        bounds = sorted(float(b) for b in buckets if not math.isinf(b))
        if not bounds or len(set(bounds)) != len(bounds):
            raise ValueError("a histogram needs distinct, finite bucket bounds")
        self.bounds = tuple(bounds)
        self._counts = [0] * (len(bounds) + 1)  # the last one is +Inf
        self._sum = 0.0
        self._count = 0

    def observe(self, value: float, times: int = 1) -> None:
        """Records ``value`` (``times`` samples of it at once)."""
        index = bisect.bisect_left(self.bounds, value)
        with self._lock:
            self._counts[index] += times
            self._sum += value * times
            self._count += times

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def samples(self) -> list[tuple[str, Labels, float]]:
        with self._lock:
            counts, total, count = list(self._counts), self._sum, self._count
        out: list[tuple[str, Labels, float]] = []
        running = 0
        for bound, n in zip((*self.bounds, math.inf), counts, strict=True):
            running += n
            le = "+Inf" if math.isinf(bound) else _format_value(bound)
            out.append((f"{self.name}_bucket", (("le", le),), float(running)))
        out.append((f"{self.name}_sum", (), total))
        out.append((f"{self.name}_count", (), float(count)))
        return out


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}
        self._lock = threading.Lock()

    def _add(self, metric: _Metric) -> None:
        with self._lock:
            if metric.name in self._metrics:
                raise ValueError(f"metric {metric.name} is already registered")
            self._metrics[metric.name] = metric

    def counter(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        fn: Callable[[], float] | None = None,
    ) -> Counter:
        metric = Counter(name, help_text, labelnames, fn)
        self._add(metric)
        return metric

    def gauge(self, name: str, help_text: str, fn: Callable[[], float] | None = None) -> Gauge:
        metric = Gauge(name, help_text, fn)
        self._add(metric)
        return metric

    def histogram(self, name: str, help_text: str, buckets: Sequence[float]) -> Histogram:
        metric = Histogram(name, help_text, buckets)
        self._add(metric)
        return metric

    def render(self) -> str:
        with self._lock:
            metrics = list(self._metrics.values())
        lines: list[str] = []
        for metric in metrics:
            lines.extend(metric.render())
        return "\n".join(lines) + "\n"


LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
EXPORT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def _zero() -> float:
    return 0.0


@dataclass
class Metrics:
    """The app's metrics. The sources read at scrape time are bound by :meth:`bind`."""

    registry: Registry = field(default_factory=Registry)

    def __post_init__(self) -> None:
        r = self.registry
        self._sources: dict[str, Callable[[], float]] = {}
        r.gauge(
            "roundtable_connections",
            "Open live (WebSocket) connections in this process.",
            fn=lambda: self._read("connections"),
        )
        self.ops_applied = r.counter(
            "roundtable_ops_applied_total", "Ops applied (committed), from REST and live."
        )
        self.ops_rejected = r.counter(
            "roundtable_ops_rejected_total",
            "Ops refused, by error code (unavailable: the database could not be reached).",
            labelnames=("code",),
        )
        self.fanout_lag = r.histogram(
            "roundtable_fanout_lag_seconds",
            "From an event's commit to a connection sending it (per batch, oldest event;"
            " frames written by the hand-over itself all count its end).",
            LAG_BUCKETS,
        )
        r.counter(
            "roundtable_direct_frames_total",
            "Event frames written to a socket by the hand-over itself, not the sender task.",
            fn=lambda: self._read("direct_frames"),
        )
        r.counter(
            "roundtable_shared_frames_built_total",
            "Event frames built once for every connection of a fan-out that takes the same"
            " bytes (frames written by the hand-over minus these: the frames it reused).",
            fn=lambda: self._read("frames_built"),
        )
        r.counter(
            "roundtable_presence_frames_total",
            "Presence messages written to a socket as a frame shared by everyone sent the"
            " same text.",
            fn=lambda: self._read("presence_frames"),
        )
        r.counter(
            "roundtable_presence_frames_built_total",
            "Frames built for those presence messages (the rest were reused).",
            fn=lambda: self._read("presence_frames_built"),
        )
        r.counter(
            "roundtable_notifier_reconnects_total",
            "Times the notifier's LISTEN connection was re-established.",
            fn=lambda: self._read("notifier_reconnects"),
        )
        r.gauge(
            "roundtable_export_queue_length",
            "Export renders submitted and not finished.",
            fn=lambda: self._read("export_queue"),
        )
        self.export_duration = r.histogram(
            "roundtable_export_duration_seconds",
            "Time to render an export in a worker process (including waiting for one).",
            EXPORT_BUCKETS,
        )

    def bind(self, name: str, source: Callable[[], float]) -> None:
        self._sources[name] = source

    def _read(self, name: str) -> float:
        return float(self._sources.get(name, _zero)())

    def render(self) -> str:
        return self.registry.render()


_LOOPBACK = ("127.", "::1", "::ffff:127.")
_FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def scrape_refusal(
    token: str | None, headers: Mapping[str, str], peer: str | None
) -> tuple[int, str] | None:
    """Why a request may not read ``/metrics`` (status, message), or ``None`` if it may.

    With a token configured, the request must carry it as a bearer token. Without one,
    only this machine may read: the peer is a loopback address and no proxy forwarded the
    request (a reverse proxy on the same host would otherwise make everyone local).
    """
    if token:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        return 401, "Authorization: a bearer token is required to read the metrics"
    forwarded = any(name in headers for name in _FORWARDING_HEADERS)
    if peer is not None and peer.startswith(_LOOPBACK) and not forwarded:
        return None
    return 403, "metrics are readable from this machine only unless METRICS_TOKEN is set"
