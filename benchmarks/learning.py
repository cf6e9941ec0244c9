"""Does the agent get better the second and third time it meets a kind of task? Lessons on against off.

    python benchmarks/learning.py                                   # the CSV family, embedded model, 3 rounds
    python benchmarks/learning.py --family benchmarks/challenges/dev/data --rounds 2 --model deepseek:deepseek-chat

Each condition starts from an empty long-term memory. A round runs every challenge of the family once, through
the same harness as `autogpt bench`. With lessons on, every attempt ends with the run's review (reward and
lessons, autogpt.memory.lessons), and later attempts see the relevant lessons; with lessons off, nothing is
learnt. Prints the success rate per round for both, the lessons kept, and the wall time. The two conditions
use the same model seed, so round 1 differs only by chance in the model's sampling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autogpt import AutoGPT, Settings
from autogpt.bench import load_challenges, run_suite
from autogpt.memory import create_memory
from autogpt.memory.lessons import LESSONS

HERE = Path(__file__).parent


async def condition(family: list, *, lessons: bool, rounds: int, settings: Settings, folder: Path,
                    max_steps: int) -> list[dict]:
    settings = settings.model_copy(update={"lessons": lessons, "memory_url": f"sqlite:///{folder / 'memory.db'}"})
    agent = AutoGPT(settings=settings)  # one model for every attempt: loaded once
    model = agent.model
    rows = []
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        results = await run_suite(family, settings=settings, results_dir=folder / f"round-{number}",
                                  model_factory=lambda c: model, judge=model, max_steps=max_steps,
                                  on_result=lambda r, n=number: print(
                                      f"  {'lessons' if lessons else 'no lessons'} round {n}: {r.name} "
                                      f"{'✓' if r.success else '✗'} ({r.steps} steps, {r.seconds:.0f} s)", flush=True))
        with contextlib.closing(create_memory(settings)) as memory:
            kept = memory.count(LESSONS)
        rows.append({"round": number, "solved": sum(r.success for r in results), "of": len(results),
                     "steps": sum(r.steps for r in results), "seconds": round(time.perf_counter() - started, 1),
                     "lessons": kept})
    await model.aclose()
    return rows


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", type=Path, default=HERE / "learning" / "csv", help="a folder of challenges")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default=None, help="a model id (default: the embedded model)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-steps", type=int, default=12)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    family = load_challenges([args.family])
    if not family:
        print(f"No challenges in {args.family}", file=sys.stderr)
        return 2
    base = Settings.load(model=args.model, seed=args.seed)
    folder = Path(tempfile.mkdtemp(prefix="autogpt-learning-"))
    print(f"{len(family)} challenges × {args.rounds} rounds, lessons on and off, on {base.model}; in {folder}")
    table = {}
    for lessons in (False, True):
        table["on" if lessons else "off"] = await condition(family, lessons=lessons, rounds=args.rounds,
                                                            settings=base, folder=folder / ("on" if lessons else "off"),
                                                            max_steps=args.max_steps)
    print()
    print(f"{'round':>5} | {'lessons off':>12} | {'lessons on':>12} | {'lessons kept':>12}")
    for off, on in zip(table["off"], table["on"], strict=True):
        print(f"{off['round']:>5} | {off['solved']}/{off['of']} {off['seconds']:>6.0f} s | "
              f"{on['solved']}/{on['of']} {on['seconds']:>6.0f} s | {on['lessons']:>12}")
    with contextlib.closing(create_memory(base.model_copy(
            update={"memory_url": f"sqlite:///{folder / 'on' / 'memory.db'}"}))) as memory:
        print("\nLessons kept (weight, uses):")
        for record in sorted(memory.list(LESSONS, limit=100), key=lambda r: -float(r.metadata.get("weight", 0))):
            print(f"  {float(record.metadata.get('weight', 0)):.2f} {record.metadata.get('uses', 0)}  {record.text}")
    if args.json:
        args.json.write_text(json.dumps({"model": base.model, "seed": args.seed, "family": str(args.family),
                                         **table}, indent=2), encoding="utf-8")
    shutil.rmtree(folder / "off", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
