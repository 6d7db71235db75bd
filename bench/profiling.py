"""Profile one library's workload with cProfile: ``python -m bench.profiling W1``.

Prints the functions that take the most time of their own (tottime), so the hot spots of
the engine show above the callers that only pass time through. The profile runs in this
process, so the thread variables are as the caller set them.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import sys
import time

from .libraries import LIBRARIES
from .workloads import INPUTS, WORKLOADS


def profile_workload(library: str, key: str, seconds: float, top: int, sort: str) -> str:
    """Run the workload's step for about ``seconds`` under cProfile and return the statistics."""
    module = importlib.import_module(LIBRARIES[library].module)
    prepared = module.SETUPS[key](INPUTS[key]())
    for _ in range(3):
        prepared.step()

    profiler = cProfile.Profile()
    calls = 0
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        prepared.step()
        calls += 1
    profiler.disable()

    output = io.StringIO()
    output.write(f"{library} {key}: {calls} calls profiled\n")
    pstats.Stats(profiler, stream=output).sort_stats(sort).print_stats(top)
    return output.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profiling",
        description="Profile workloads with cProfile and list the functions with the most own time.",
    )
    parser.add_argument("workloads", nargs="+", choices=list(WORKLOADS), help="workloads to profile")
    parser.add_argument("--library", default="tapestudio", choices=list(LIBRARIES),
                        help="library to profile (default: tapestudio)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long to run each workload under the profiler, in seconds (default: 3)")
    parser.add_argument("--top", type=int, default=25, help="number of functions to list (default: 25)")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative", "ncalls"],
                        help="pstats sort key (default: tottime)")
    arguments = parser.parse_args(argv)
    for key in arguments.workloads:
        print(profile_workload(arguments.library, key, arguments.seconds, arguments.top, arguments.sort))
    return 0


if __name__ == "__main__":
    sys.exit(main())
