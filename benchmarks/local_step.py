"""A local agent step against raw llama.cpp for the same tokens: how far the agent is from the physical limit.

1. The real agent runs a small fixed goal (write a program, run it, finish) with the embedded model in a temporary
   workspace. Each step records where its time went (``StepTiming``: prompt tokens new and cached, generated
   tokens, prompt evaluation, generation, sampling, the model's other work, tools, our own code), and each model
   call's exact prompt tokens are kept.
2. Each step's model calls are replayed straight into llama-cpp-python on the same loaded model: the KV cache is
   left holding the same cached prefix the agent's call found (untimed), then the same new prompt tokens are
   evaluated and the same number of tokens generated, with the same sampling settings but no grammar, no drafts,
   no chat template, no tools, no agent (timed).

The ratio agent step / raw is what the agent costs over llama.cpp itself. It prints numbers; it is not a test.

    .venv/bin/python benchmarks/local_step.py [--model qwen2.5-coder-1.5b] [--steps 4] [--threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from autogpt import AutoGPT, Settings
from autogpt.agent.events import StepFinished
from autogpt.agent.steps import StepTiming
from autogpt.llm.base import Completion, ModelRequest
from autogpt.llm.embedded import DEFAULT_REPEAT_PENALTY, EmbeddedModel, kept_prefix
from autogpt.llm.registry import create_model

GOALS = ["Write sum.py: a Python program that prints the sum of the numbers 1 to 100",
         "Run sum.py and check that it prints 5050", "Then finish"]


def record_calls(model: EmbeddedModel) -> list[tuple[Completion, list[int]]]:
    """Keep each call's completion and its prompt's tokens (read from the KV cache right after the call)."""
    calls: list[tuple[Completion, list[int]]] = []
    complete = model.complete

    async def recording(request: ModelRequest) -> Completion:
        completion = await complete(request)
        llm = model._llm
        calls.append((completion, llm.input_ids[: completion.usage.prompt_tokens].tolist()))
        return completion

    model.complete = recording  # type: ignore[method-assign]
    return calls


def raw(llm: Any, prompt: list[int], cached: int, generated: int, temperature: float) -> float:
    """Seconds for llama.cpp to evaluate ``prompt`` after its first ``cached`` tokens (left in the KV cache first,
    untimed) and generate ``generated`` tokens: the same work as the agent's call, without grammar or agent."""
    have = kept_prefix(llm.input_ids[: llm.n_tokens].tolist(), prompt[:cached]) if llm.n_tokens else 0
    have = min(have, cached)
    if have < cached:  # evaluate the missing part of the prefix (not timed: the agent found it cached)
        llm.n_tokens = have
        llm.eval(prompt[have:cached])
    llm.n_tokens = cached  # generate() keeps this prefix and evaluates the rest of the prompt
    started = time.perf_counter()
    tokens = llm.generate(prompt, temp=temperature, repeat_penalty=DEFAULT_REPEAT_PENALTY)
    try:
        for count, _ in enumerate(tokens, start=1):
            if count >= generated:
                break
    finally:
        tokens.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--steps", type=int, default=4, help="at most this many agent steps (default 4)")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: every core)")
    args = parser.parse_args()
    seed = 1234
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp) / "data", model=args.model, seed=seed, lessons=False,
                                 n_threads=args.threads)
        model = create_model(args.model, settings)
        if not isinstance(model, EmbeddedModel):
            raise SystemExit(f"{args.model} is not an embedded model")
        calls = record_calls(model)
        agent = AutoGPT(goals=GOALS, model=model, settings=settings, workspace=Path(tmp) / "ws", max_steps=args.steps)
        started = time.perf_counter()
        asyncio.run(model.prepare())
        load_seconds = time.perf_counter() - started
        steps: list[tuple[int, StepTiming]] = []

        def on_event(event: object) -> None:
            if isinstance(event, StepFinished):
                steps.append((event.step, StepTiming.model_validate(event.timing)))

        result = asyncio.run(agent.arun(on_event=on_event))
        llm = model._llm
        llm.set_seed(seed)
        llm.lookup = None  # raw llama.cpp: no drafts
        rows = []
        pending = iter(calls)
        for number, timing in steps:  # a step's calls are the next timing.model_calls recorded ones
            mine = [next(pending) for _ in range(timing.model_calls)]
            seconds = sum(raw(llm, prompt, c.usage.cached_tokens, c.usage.completion_tokens, settings.temperature)
                          for c, prompt in mine)
            rows.append((number, timing, seconds))

    drafts = (f"drafts: {model.lookup.accepted} of {model.lookup.drafted} tokens kept" if model.lookup
              else "drafts: off")
    print(f"model {args.model}, {model.n_threads} threads: loaded in {load_seconds:.1f} s; "
          f"run {result.status} in {result.steps} steps; {drafts}")
    print(f"{'step':>4} {'calls':>5} {'new':>6} {'cached':>6} {'gen':>5} | {'agent s':>8} {'model':>7} {'prompt':>7} "
          f"{'gen':>7} {'sample':>7} {'other':>6} {'tools':>6} {'ours':>6} | {'raw s':>7} {'ratio':>6}")
    for number, t, seconds in rows:
        ratio = t.seconds / seconds if seconds else float("nan")
        print(f"{number:>4} {t.model_calls:>5} {t.new_tokens:>6} {t.cached_tokens:>6} {t.completion_tokens:>5} | "
              f"{t.seconds:>8.2f} {t.model_seconds:>7.2f} {t.prompt_seconds:>7.2f} {t.generation_seconds:>7.2f} "
              f"{t.sample_seconds:>7.2f} {t.model_other_seconds:>6.2f} {t.tool_seconds:>6.2f} {t.ours_seconds:>6.2f} | "
              f"{seconds:>7.2f} {ratio:>6.2f}")
    timed = [(t, seconds) for _, t, seconds in rows if seconds > 0]
    if timed:
        print(f"median ratio agent step / raw llama.cpp: {statistics.median(t.seconds / s for t, s in timed):.2f} "
              f"(model calls alone: {statistics.median(t.model_seconds / s for t, s in timed):.2f}); "
              f"median step {statistics.median(t.seconds for t, _ in timed):.1f} s, raw {statistics.median(s for _, s in timed):.1f} s")
    for number, t, _ in rows:
        print(f"  {number}. {t.line()}")
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
