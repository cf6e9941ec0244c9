"""Launch overhead of the sandbox: one sandboxed Python run (``print(1)``) vs a plain subprocess.

Three ways to run the same interpreter with ``-I -c "print(1)"``, N times each after a warm-up:

* plain: ``subprocess.run`` on the host, nothing else;
* limits only: :func:`autogpt.sandbox.limits.run_limited` (rlimits, a cgroup where possible, the timeout and
  output capture), no namespaces;
* sandbox: ``create_sandbox().run(...)``, what execute_python pays (bubblewrap, or the weak fallback).

    .venv/bin/python benchmarks/sandbox.py [-n 30] [--warmup 3] [--mode strict|allow_weak]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from autogpt.sandbox import create_sandbox
from autogpt.sandbox.bubblewrap import SANDBOX_ENV
from autogpt.sandbox.limits import run_limited


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


async def measure(label: str, once: Callable[[], Awaitable[None]], n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await once()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await once()
        times.append((time.perf_counter() - start) * 1000)
    print(f"  {label:<13} p50 {statistics.median(times):7.1f} ms   p95 {percentile(times, 95):7.1f} ms   "
          f"min {min(times):7.1f} ms   max {max(times):7.1f} ms")
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="measured runs of each kind")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--mode", default="strict", choices=["strict", "allow_weak"])
    args = parser.parse_args()

    sandbox = create_sandbox(args.mode)
    argv = [sandbox.python, "-I", "-c", "print(1)"]
    with tempfile.TemporaryDirectory(prefix="autogpt-bench-") as tmp:
        workspace = Path(tmp)

        async def plain() -> None:
            done = subprocess.run(argv, cwd=workspace, capture_output=True, check=False)
            assert done.stdout == b"1\n", done

        async def limits_only() -> None:
            result, _ = await run_limited(argv, cwd=workspace, env=dict(SANDBOX_ENV), stdin=None,
                                          limits=sandbox.limits)
            assert result.stdout == "1\n", result

        async def sandboxed() -> None:
            result = await sandbox.run(argv, workspace)
            assert result.ok and result.stdout == "1\n", result

        print(f"launch overhead: {sandbox.python} -I -c 'print(1)', n={args.n} after {args.warmup} warm-up runs")
        print(f"  sandbox: {sandbox.name}")
        base = await measure("plain", plain, args.n, args.warmup)
        await measure("limits only", limits_only, args.n, args.warmup)
        boxed = await measure("sandbox", sandboxed, args.n, args.warmup)
    print(f"  difference    p50 {statistics.median(boxed) - statistics.median(base):+7.1f} ms   "
          f"p95 {percentile(boxed, 95) - percentile(base, 95):+7.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
