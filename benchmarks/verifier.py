"""How well the goal verifier judges: its catch rate on wrong work and its misfire rate on right work.

    .venv/bin/python benchmarks/verifier.py RESULTS_DIR...          # bench results (autogpt bench --results-dir)
    .venv/bin/python benchmarks/verifier.py --ordinary              # the ordinary corpus, done right
    .venv/bin/python benchmarks/verifier.py RESULTS_DIR --model qwen2.5-coder-1.5b --only-failed

For each finished bench attempt it asks the verifier (autogpt.checks.verifier, with the given model) about the
workspace as the attempt left it, and compares its answer with the challenge's own evaluation: a failed attempt
the verifier finds "not met" is a catch, a passed one it finds "not met" is a misfire. For the ordinary corpus
(benchmarks/ordinary, each goal done the ideal way) every "not met" is a misfire. Prints one line per case and
the rates. Tune the verifier on dev results only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autogpt.checks.base import ChecksState, Situation
from autogpt.checks.verifier import judged_goals, request, unmet
from autogpt.config import Settings
from autogpt.goal import GoalSpec
from autogpt.llm.base import Model
from autogpt.llm.registry import create_model
from autogpt.tools import default_tools
from autogpt.workspace import Workspace


async def judge(model: Model, goals: list[str], workspace: Path, existing: list[str], lang: str) -> tuple[str, str]:
    """("met" | "not met" | "no goal" | "error", the reason)."""
    spec = GoalSpec.parse(goals, existing)
    s = Situation(spec=spec, lang=lang, acts=[], workspace=Workspace(workspace), tools=default_tools(),
                  state=ChecksState(spec=spec))
    judged = judged_goals(s)
    if not judged:
        return "no goal", ""
    try:
        found = unmet((await model.complete(request(s, judged))).text, judged)
    except Exception as exc:  # noqa: BLE001 - reported, not raised: a measurement
        return "error", str(exc)[:100]
    return ("not met", f"goal {found[0]}: {found[1]}") if found else ("met", "")


def bench_cases(folders: list[Path], only_failed: bool) -> list[tuple[str, bool, list[str], Path, list[str]]]:
    """(name, passed, goals, workspace, files given) of each finished attempt in bench results folders."""
    from autogpt.bench import load_challenges

    challenges = {c.name: c for c in load_challenges([Path("benchmarks/challenges")])}
    cases = []
    for folder in folders:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))["results"]
        for r in results:
            challenge = challenges.get(r["name"])
            if challenge is None or r.get("status") != "finished" or (only_failed and r["success"]):
                continue
            given = [str(p.relative_to(challenge.artifacts_in)) for p in challenge.artifacts_in.rglob("*")
                     if p.is_file() and "www" not in p.relative_to(challenge.artifacts_in).parts] \
                if challenge.artifacts_in.is_dir() else []
            workspace = folder / r["name"] / f"attempt-{r.get('attempt', 1)}"
            cases.append((r["name"], bool(r["success"]), [challenge.task], workspace, given))
    return cases


def ordinary_cases(root: Path) -> list[tuple[str, bool, list[str], Path, list[str]]]:
    sys.path.insert(0, str(Path(__file__).parent / "ordinary"))
    from corpus import load_goals

    cases = []
    for goal in load_goals():
        workspace = root / goal.name
        workspace.mkdir(parents=True)
        for name, text in {**goal.files, **{name: e["equals"] for name, e in goal.expect.items()
                                              if isinstance(e, dict) and "equals" in e}}.items():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_text(text, encoding="utf-8")
        for step in goal.steps:  # the files the ideal answer writes, as it writes them
            if step.command == "write_file":
                (workspace / step.args["path"]).parent.mkdir(parents=True, exist_ok=True)
                (workspace / step.args["path"]).write_text(step.args["content"], encoding="utf-8")
        cases.append((goal.name, True, goal.goals, workspace, list(goal.files)))
    return cases


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="*", type=Path, help="bench results folders")
    parser.add_argument("--ordinary", action="store_true", help="the ordinary corpus, done right")
    parser.add_argument("--only-failed", action="store_true", help="bench attempts that failed only")
    parser.add_argument("--model", default=None, help="the verifier's model (default: the configured one)")
    args = parser.parse_args()
    model = create_model(args.model, Settings.load())
    tmp = Path(tempfile.mkdtemp(prefix="verifier-"))
    cases = bench_cases(args.results, args.only_failed) + (ordinary_cases(tmp) if args.ordinary else [])
    tally = {"catch": 0, "miss": 0, "misfire": 0, "right": 0, "skipped": 0}
    started = time.time()
    for name, passed, goals, workspace, given in cases:
        lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in "".join(goals)) else "en"
        said, why = await judge(model, goals, workspace, given, lang)
        if said in ("no goal", "error"):
            tally["skipped"] += 1
        else:
            key = ("misfire" if said == "not met" else "right") if passed else ("catch" if said == "not met" else "miss")
            tally[key] += 1
        print(f"{'pass' if passed else 'FAIL'}  {said:<8} {name:<28} {' '.join(why.split())[:150]}", flush=True)
    wrong, right = tally["catch"] + tally["miss"], tally["misfire"] + tally["right"]
    print(f"\nwrong work: {tally['catch']}/{wrong} caught · right work: {tally['misfire']}/{right} misfired · "
          f"{tally['skipped']} without a judged goal · {time.time() - started:.0f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
