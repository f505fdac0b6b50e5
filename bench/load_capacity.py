"""The pure parts of ``bench/load_mixed.py``: when a probe step counts as sustained, which rate is
the capacity, and whether a process's memory grew over the held run.

No I/O here (the bench and its tests import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

# A step is sustained when the server kept the schedule, answered (almost) everything 2xx, stayed
# fast enough at the tail and did not pile up work behind the answers (pending events, Celery queue).
SCHEDULE_KEPT = 0.95  # achieved / offered
MAX_REFUSED = 0.005  # non-2xx share
MAX_P99_SECONDS = 2.0
MAX_BACKLOG_SECONDS = 2.0  # queued work, in seconds of the offered rate


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Step:
    """One probe step: ``offered`` slots a second for ``seconds``."""

    offered: float
    seconds: float
    slots_done: int
    elapsed: float
    answered: int
    refused: int  # not 2xx (0: no answer)
    p99_seconds: float
    backlog: int  # pending inbound events + Celery messages queued when the step ended
    why_not: list[str] = field(default_factory=list)
    p99_ms_by_kind: dict[str, float] = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return self.slots_done / self.elapsed if self.elapsed else 0.0

    def judge(self) -> bool:
        self.why_not = []
        if self.achieved < SCHEDULE_KEPT * self.offered:
            self.why_not.append(f"fell behind ({self.achieved:.1f}/s of {self.offered:g}/s)")
        if self.answered and self.refused / (self.answered + self.refused) > MAX_REFUSED:
            self.why_not.append(f"{self.refused} not answered 2xx")
        if self.p99_seconds > MAX_P99_SECONDS:
            self.why_not.append(f"p99 {self.p99_seconds * 1000:.0f} ms")
        if self.backlog > MAX_BACKLOG_SECONDS * self.offered:
            self.why_not.append(f"{self.backlog} queued behind the answers")
        return not self.why_not

    def as_json(self) -> dict[str, Any]:
        return {
            "offered_slots_per_second": round(self.offered, 1),
            "achieved_slots_per_second": round(self.achieved, 1),
            "seconds": round(self.elapsed, 1),
            "answered": self.answered,
            "refused": self.refused,
            "p99_ms": round(self.p99_seconds * 1000, 1),
            "p99_ms_by_kind": self.p99_ms_by_kind,
            "backlog_at_end": self.backlog,
            "sustained": not self.why_not,
            "why_not": self.why_not,
        }


def next_rate(steps: list[Step], growth: float = 1.5, bisections: int = 1) -> float | None:
    """The next rate to try, or None when the probe is done.

    Grows by ``growth`` while every step is sustained; after the first failure, tries the midpoint
    between the best sustained rate and the lowest failed one above it ``bisections`` times; when
    even the first step failed, halves it (down to 1 slot a second)."""
    if not steps:
        return None
    failed_at = next((i for i, s in enumerate(steps) if s.why_not), None)
    if failed_at is None:
        return steps[-1].offered * growth
    sustained = [s.offered for s in steps if not s.why_not]
    if not sustained:
        half = min(s.offered for s in steps) / 2
        return half if half >= 1 else None
    best = max(sustained)
    above = [s.offered for s in steps if s.why_not and s.offered > best]
    if not above:
        return None
    bracketed_at = next(i for i in range(len(steps)) if _bracketed(steps[: i + 1]))
    if len(steps) - 1 - bracketed_at >= bisections:
        return None
    worst = min(above)
    return (best + worst) / 2 if worst - best > 0.1 * best else None


def _bracketed(steps: list[Step]) -> bool:
    """A sustained rate below a failed one: the capacity lies between."""
    sustained = [s.offered for s in steps if not s.why_not]
    return bool(sustained) and any(s.why_not and s.offered > min(sustained) for s in steps)


def capacity(steps: list[Step]) -> float:
    """The highest sustained rate (0 when none was)."""
    return max((s.offered for s in steps if not s.why_not), default=0.0)


def memory_trend(samples: list[tuple[float, int]], window: float = 60.0) -> dict[str, float] | None:
    """(seconds since start, KiB) samples → the median of the first and of the last ``window``
    seconds, in MiB, and their difference. None when the process did not live through both."""
    if not samples:
        return None
    start, end = samples[0][0], samples[-1][0]
    if end - start < window:
        return None
    first = [kib for t, kib in samples if t <= start + window]
    last = [kib for t, kib in samples if t >= end - window]
    a, b = median(first) / 1024, median(last) / 1024
    return {
        "first_minute_mib": round(a, 1),
        "last_minute_mib": round(b, 1),
        "growth_mib": round(b - a, 1),
        "peak_mib": round(max(kib for _, kib in samples) / 1024, 1),
    }


FLAT_MIB = 8.0  # a process "grew" when its last minute is this much above its first (and 5 %)


def grew(trend: dict[str, float]) -> bool:
    return trend["growth_mib"] > max(FLAT_MIB, 0.05 * trend["first_minute_mib"])
