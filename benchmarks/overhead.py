"""Framework overhead per step: the whole loop with a zero-latency ScriptedModel.

Everything but the model is measured: prompt building, history rendering, schema derivation, parsing,
validation, the tool call (a real write_file), event emission and the per-step run log (fsync included).

    .venv/bin/python benchmarks/overhead.py [--steps 300] [--no-tracing]

It runs twice: without tracing, then with OpenTelemetry recording every span (the SDK, batched, exported to
a sink), and prints what tracing adds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from autogpt import AutoGPT, Settings
from autogpt.agent.events import StepFinished, Thinking
from autogpt.testing import ScriptedModel, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--no-tracing", action="store_true", help="Skip the second run with OpenTelemetry on.")
    args = parser.parse_args()
    plain = measure(args.steps, "tracing off")
    if args.no_tracing:
        return
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
    except ImportError:
        print("(OpenTelemetry is not installed: pip install 'autogpt[otel]' to measure tracing)")
        return

    class Dropped(SpanExporter):  # every span recorded and batched as for a collector, then dropped
        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    trace.set_tracer_provider(provider)
    traced = measure(args.steps, "tracing on (spans recorded and exported in batches)")
    provider.shutdown()
    print(f"tracing adds {100 * (traced / plain - 1):+.1f} % to the median step")


def measure(steps: int, label: str) -> float:
    """One run of ``steps`` steps; prints its numbers and returns the median step in ms."""
    args = argparse.Namespace(steps=steps)
    with tempfile.TemporaryDirectory() as tmp:
        script = [reply("write_file", path=f"notes/{i}.txt", content=f"note {i}\n" * 20) for i in range(args.steps)]
        model = ScriptedModel([*script, reply("finish", reason="done")], stream=False)
        settings = Settings.load(data_dir=Path(tmp) / "data")
        agent = AutoGPT(goals=["Write many notes"], model=model, settings=settings, workspace=Path(tmp) / "ws",
                        max_steps=args.steps + 1)
        started: dict[int, float] = {}
        durations: list[float] = []

        def on_event(event: object) -> None:
            if isinstance(event, Thinking):
                started[event.step] = time.perf_counter()
            elif isinstance(event, StepFinished):
                durations.append((time.perf_counter() - started[event.step]) * 1000)

        t0 = time.perf_counter()
        result = asyncio.run(agent.arun(on_event=on_event))
        total = time.perf_counter() - t0
    assert result.status == "finished", result.status
    ordered = sorted(durations)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"framework overhead per step (ScriptedModel, zero latency, {len(durations)} steps), {label}")
    print(f"  p50 {statistics.median(durations):.2f} ms   p95 {p95:.2f} ms   max {ordered[-1]:.2f} ms")
    print(f"  whole run {total:.2f} s, {len(durations) / total:.0f} steps/s")
    return statistics.median(durations)


if __name__ == "__main__":
    main()
