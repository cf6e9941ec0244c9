"""An agent step through transformers (``hf:``) against the same model on llama.cpp (embedded): the latency ratio.

The same small goal runs with each model for a few steps, in fresh workspaces; each step's seconds (and where
they went: prompt evaluation, generation) are printed with the median per model and the ratio hf / embedded. The
embedded model's GGUF is what transformers loads (dequantized to float32 on a CPU), so both run the same weights.
It prints numbers; it is not a test.

    .venv/bin/python benchmarks/hf_step.py [--model qwen2.5-coder-0.5b] [--steps 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from autogpt import AutoGPT, Settings

GOAL = "Compute the sum of the squares of the numbers 1 to 50 with a Python program and write it to sum.txt."


def steps(model_id: str, count: int, data: Path) -> list[tuple[float, float, float, int, int]]:
    settings = Settings.load(data_dir=data, seed=1, memory=False, lessons=False)
    agent = AutoGPT(goals=[GOAL], model=model_id, settings=settings, workspace=data / "ws", max_steps=count)
    agent.run()  # the first step includes nothing of loading: prepare() ran in run() before the clock started
    result = agent.last_result
    timed = [s.timing for s in result.history if s.timing.seconds > 0] if result else []
    return [(t.seconds, t.prompt_seconds, t.generation_seconds, t.prompt_tokens - t.cached_tokens, t.completion_tokens) for t in timed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b", help="an embedded model id")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    medians = {}
    for model_id in (args.model, f"hf:{args.model}"):
        with tempfile.TemporaryDirectory() as data:
            timed = steps(model_id, args.steps, Path(data))
        print(f"\n{model_id}")
        for number, (seconds, prompt, generation, prompt_tokens, generated) in enumerate(timed, 1):
            print(f"  step {number}: {seconds:6.1f} s (prompt {prompt:5.1f} s, {prompt_tokens} new tokens; generation "
                  f"{generation:5.1f} s, {generated} tokens)")
        medians[model_id] = statistics.median(t[0] for t in timed) if timed else float("nan")
        print(f"  median step {medians[model_id]:.1f} s")
    embedded, hf = medians[args.model], medians[f"hf:{args.model}"]
    print(f"\nhf / embedded, median step: {hf / embedded:.2f}×")


if __name__ == "__main__":
    main()
