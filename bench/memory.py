"""Memory check: run W1 many times, each step on a new non-persistent tape, and watch the
resident set size (RSS) of the process.

A tape that keeps references to its records, or a global that grows per step, shows up as
RSS that climbs with the step count instead of settling after the first steps.
"""

from __future__ import annotations

import os
from typing import Callable

WARM_STEPS = 1000
"""Steps after which the allocator and caches are taken to have settled."""


def resident_bytes() -> int | None:
    """Return the process's resident set size in bytes, from /proc/self/statm (Linux only).

    Returns None where /proc is missing (macOS, Windows).
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            resident_pages = int(statm.read().split()[1])
    except OSError:
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def check_memory(step: Callable[[], object], steps: int) -> dict:
    """Run ``step`` ``steps`` times and return the RSS at the start, after the warm steps and at the end.

    ``growth_bytes`` is end minus start; ``steady_growth_bytes`` is end minus the RSS after
    ``min(WARM_STEPS, steps // 10)`` steps, which leaves out the allocator's first growth.
    All RSS values are None where the platform does not report RSS.
    """
    warm_steps = min(WARM_STEPS, steps // 10)
    start = resident_bytes()
    for _ in range(warm_steps):
        step()
    warm = resident_bytes()
    for _ in range(steps - warm_steps):
        step()
    end = resident_bytes()

    report = {
        "steps": steps,
        "warm_steps": warm_steps,
        "rss_start_bytes": start,
        "rss_warm_bytes": warm,
        "rss_end_bytes": end,
        "growth_bytes": None,
        "steady_growth_bytes": None,
    }
    if start is not None and end is not None:
        report["growth_bytes"] = end - start
        report["steady_growth_bytes"] = end - warm
    return report
