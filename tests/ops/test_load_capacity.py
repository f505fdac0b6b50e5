"""How `bench/load_mixed.py` decides what the capacity is and whether a process's memory grew."""

from __future__ import annotations

from bench.load_capacity import Step, capacity, grew, memory_trend, next_rate


def step(
    offered: float, *, achieved: float | None = None, refused: int = 0, p99: float = 0.1, backlog: int = 0
) -> Step:
    seconds = 20.0
    done = int((achieved if achieved is not None else offered) * seconds)
    s = Step(
        offered, seconds, done, seconds, answered=done, refused=refused, p99_seconds=p99, backlog=backlog
    )
    s.judge()
    return s


def test_a_step_is_sustained_only_when_the_schedule_answers_tail_and_queue_all_held() -> None:
    assert not step(20).why_not
    assert step(20, achieved=18).why_not == ["fell behind (18.0/s of 20/s)"]
    assert step(20, refused=10).why_not == ["10 not answered 2xx"]
    assert step(20, p99=2.5).why_not == ["p99 2500 ms"]
    assert step(20, backlog=41).why_not == ["41 queued behind the answers"]
    assert not step(20, backlog=40).why_not  # two seconds of the offered rate may be queued


def test_the_probe_grows_until_a_step_fails_then_bisects_once_and_stops() -> None:
    steps = [step(10)]
    assert next_rate(steps) == 15
    steps += [step(15), step(22.5, achieved=19)]
    assert next_rate(steps) == 18.75  # between the best sustained (15) and the failure (22.5)
    steps.append(step(18.75))
    assert next_rate(steps) is None
    assert capacity(steps) == 18.75


def test_a_failed_bisection_leaves_the_capacity_at_the_last_sustained_rate() -> None:
    steps = [step(10), step(15, p99=3), step(12.5, p99=3)]
    assert next_rate(steps) is None
    assert capacity(steps) == 10


def test_when_even_the_first_step_fails_the_probe_halves_it() -> None:
    steps = [step(8, achieved=5)]
    assert next_rate(steps) == 4
    steps += [step(4, achieved=3), step(2, achieved=1), step(1, achieved=0.5)]
    assert next_rate(steps) is None
    assert capacity(steps) == 0


def test_memory_compares_the_first_and_the_last_minute() -> None:
    flat = [(t * 5.0, 100 * 1024 + (t % 3) * 512) for t in range(121)]  # 10 minutes, jitter 1 MiB
    trend = memory_trend(flat)
    assert trend is not None and abs(trend["growth_mib"]) <= 1 and not grew(trend)
    growing = [(t * 5.0, 100 * 1024 + t * 200) for t in range(121)]  # +200 KiB every 5 s
    trend = memory_trend(growing)
    assert trend is not None and trend["growth_mib"] > 20 and grew(trend)


def test_a_process_that_did_not_live_through_a_minute_has_no_trend() -> None:
    assert memory_trend([(0.0, 1024), (30.0, 2048)]) is None
    assert memory_trend([]) is None


def test_after_halving_to_a_sustained_rate_the_probe_bisects_upwards_once() -> None:
    steps = [step(6, p99=5), step(3)]
    assert next_rate(steps) == 4.5
    steps.append(step(4.5))
    assert next_rate(steps) is None
    assert capacity(steps) == 4.5
