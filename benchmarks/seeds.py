"""How often does the agent finish short goals across sampling seeds? One deterministic run says little.

    .venv/bin/python benchmarks/seeds.py                              # 3 goals x seeds 1-8, embedded model
    .venv/bin/python benchmarks/seeds.py --goals capital zh --seeds 1-16 --max-steps 8

The embedded end-to-end tests run each goal once, with seed 7: they are deterministic, but any change to a
prompt re-rolls them. This script runs the same kind of goals with many seeds (each request samples with a seed
derived from the run's seed and the request, see ``autogpt.llm.base.request_seed``), so a change can be
judged by its success rate. Each run gets its own workspace and data folder, with lessons off. Prints one line
per run (the commands it chose), then the success rate and the mean steps per goal.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from autogpt import AutoGPT, Settings

#: name: (goals, the file to check, what it must hold)
GOALS: dict[str, tuple[list[str], str, tuple[str, ...]]] = {
    "capital": (["Write the name of the capital city of the United States to a file named output.txt", "Then finish"],
                "output.txt", ("Washington",)),
    "zh": (["把美国首都的名字写入文件 output.txt", "然后结束任务"], "output.txt", ("华盛顿", "Washington")),
    "fib": (["Compute the 20th Fibonacci number with Python and write it to fib.txt"], "fib.txt", ("6765",)),
}


def seeds(text: str) -> list[int]:
    """"1-8" or "1,4,9"."""
    if "-" in text:
        first, last = text.split("-", 1)
        return list(range(int(first), int(last) + 1))
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--goals", nargs="+", choices=sorted(GOALS), default=list(GOALS))
    parser.add_argument("--seeds", type=seeds, default=seeds("1-8"))
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--model", default=None, help="default: the embedded model")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="autogpt-seeds-"))
    summary = []
    for name in args.goals:
        goals, output, expected = GOALS[name]
        passed, steps, seconds = 0, 0, 0.0
        for seed in args.seeds:
            folder = root / f"{name}-{seed}"
            settings = Settings.load(data_dir=folder / "data", seed=seed, lessons=False,
                                     **({"model": args.model} if args.model else {}))
            started = time.perf_counter()
            result = AutoGPT(goals=goals, settings=settings, workspace=folder / "ws", max_steps=args.max_steps).run()
            took = time.perf_counter() - started
            target = folder / "ws" / output
            text = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
            ok = result.status == "finished" and any(word in text for word in expected)
            passed += ok
            steps += len(result.history)
            seconds += took
            commands = [step.reply.command.name for step in result.history if hasattr(step, "reply")]
            print(f"{name} seed {seed}: {'ok ' if ok else 'FAIL'} {result.status}, {len(result.history)} steps, "
                  f"{took:.0f} s: {' '.join(commands)}; {output}={text[:40]!r}", flush=True)
        runs = len(args.seeds)
        summary.append(f"{name}: {passed}/{runs} finished with the right file, {steps / runs:.1f} steps and "
                       f"{seconds / runs:.0f} s per run")
    print("\n" + "\n".join(summary))
    print(f"(workspaces in {root})")


if __name__ == "__main__":
    main()
