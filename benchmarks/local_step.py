"""Per-step latency of the embedded model inside the agent vs llama.cpp generating the same tokens directly.

1. The agent runs a small goal with the embedded model; every model request and reply is recorded,
   with the step's wall time and how many prompt tokens came from the KV cache.
2. The same requests are replayed straight into llama-cpp-python (same messages, grammar, seed), twice:
   *cold* (KV cache cleared before each step: the whole prompt is evaluated) and *warm* (the previous
   step's prompt left in the cache, as the agent does).

The difference between the agent's step and the direct warm call is the framework's cost; the difference
between cold and warm is the prefix-cache win.

    .venv/bin/python benchmarks/local_step.py [--model qwen2.5-coder-1.5b] [--steps 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from autogpt import AutoGPT, Settings
from autogpt.agent.events import StepFinished, Thinking
from autogpt.llm.base import Completion, Model, ModelRequest
from autogpt.llm.embedded import DEFAULT_REPEAT_PENALTY
from autogpt.llm.registry import create_model


class Recording(Model):
    """Passes calls through to a real model and remembers each request and completion."""

    def __init__(self, inner: Model) -> None:
        super().__init__()
        self.inner, self.id, self.context_size = inner, inner.id, inner.context_size
        self.calls: list[tuple[ModelRequest, Completion]] = []

    async def prepare(self, report=None) -> None:  # type: ignore[no-untyped-def]
        await self.inner.prepare(report)
        self.context_size = self.inner.context_size

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    async def complete(self, request: ModelRequest) -> Completion:
        completion = await self.inner.complete(request)
        self.calls.append((request, completion))
        return completion


def direct(llm, request: ModelRequest, *, cold: bool, seed: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    if cold:
        llm.reset()
    started = time.perf_counter()
    result = llm.create_chat_completion(
        messages=[m.to_dict() for m in request.messages],
        response_format={"type": "json_object", "schema": request.response_schema},
        temperature=request.params.get("temperature", 0.2), max_tokens=request.params.get("max_tokens", 1024),
        repeat_penalty=DEFAULT_REPEAT_PENALTY, seed=seed,
    )
    return time.perf_counter() - started, result["usage"]["completion_tokens"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    seed = 1234
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp) / "data", seed=seed)
        model = Recording(create_model(args.model, settings))
        model.set_parameter("seed", seed)
        agent = AutoGPT(
            goals=["Write three facts about the Moon to moon.md, one per line",
                   "Append one fact about Mars to moon.md", "Then finish"],
            model=model, settings=settings, workspace=Path(tmp) / "ws", max_steps=args.steps,
        )
        t0 = time.perf_counter()
        asyncio.run(agent.prepare())
        load_seconds = time.perf_counter() - t0
        started: dict[int, float] = {}
        step_seconds: dict[int, float] = {}

        def on_event(event: object) -> None:
            if isinstance(event, Thinking) and event.attempt == 1:
                started[event.step] = time.perf_counter()
            elif isinstance(event, StepFinished):
                step_seconds[event.step] = time.perf_counter() - started[event.step]

        result = asyncio.run(agent.arun(on_event=on_event))
        llm = model.inner._llm  # the same llama.cpp instance, for the direct replay

        rows = []
        for number, (request, completion) in enumerate(model.calls, start=1):
            request.params["seed"] = seed
            cold, cold_tokens = direct(llm, request, cold=True, seed=seed)
            if number > 1:  # warm: leave the previous step's prompt in the cache first
                direct(llm, model.calls[number - 2][0], cold=True, seed=seed)
            warm, warm_tokens = direct(llm, request, cold=False, seed=seed) if number > 1 else (cold, cold_tokens)
            rows.append((number, completion.usage.prompt_tokens, completion.usage.cached_tokens,
                         completion.usage.completion_tokens, step_seconds.get(number, float("nan")),
                         completion.seconds, cold, cold_tokens, warm, warm_tokens))

    print(f"model {args.model}: load {load_seconds:.1f} s; run status {result.status} in {result.steps} steps")
    # Sampling is not bit-identical between runs (a cached prefix changes the batches llama.cpp evaluates),
    # so the direct calls may write a few more or fewer tokens: their token counts are shown beside them.
    print("step  prompt  cached  output | agent step  model call | direct cold (out)  direct warm (out) | framework")
    for n, prompt, cached, out, step, call, cold, cold_out, warm, warm_out in rows:
        print(f"{n:>4}  {prompt:>6}  {cached:>6}  {out:>6} | {step:>9.2f}s  {call:>9.2f}s | "
              f"{cold:>9.2f}s ({cold_out:>3})  {warm:>9.2f}s ({warm_out:>3}) | {(step - call) * 1000:>6.0f} ms")
    later = rows[1:]
    if later:
        mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
        per_token = lambda secs, toks: 1000 * sum(secs) / max(sum(toks), 1)  # noqa: E731
        print(f"later steps, per output token: agent {per_token([r[4] for r in later], [r[3] for r in later]):.0f} ms, "
              f"direct warm {per_token([r[8] for r in later], [r[9] for r in later]):.0f} ms, "
              f"direct cold {per_token([r[6] for r in later], [r[7] for r in later]):.0f} ms")
        print(f"later steps, mean: agent {mean([r[4] for r in later]):.2f} s, direct warm {mean([r[8] for r in later]):.2f} s, "
              f"direct cold {mean([r[6] for r in later]):.2f} s")


if __name__ == "__main__":
    main()
