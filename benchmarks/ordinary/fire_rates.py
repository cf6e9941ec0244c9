"""How often each check fires on the ordinary corpus, per checks profile: every such firing is a misfire.

    .venv/bin/python benchmarks/ordinary/fire_rates.py                  # full and light, every goal
    .venv/bin/python benchmarks/ordinary/fire_rates.py --profiles full -k zh_ --why
    .venv/bin/python benchmarks/ordinary/fire_rates.py --profiles full --verifier-model qwen2.5-coder-1.5b

Runs every goal of benchmarks/ordinary/goals/ with its scripted ideal answer (offline, a few seconds in all)
and prints, per profile, a table of the ``check`` events (check name, verdict, the goals it fired on / total),
then the goals that did not finish in their ideal steps (status, steps / ideal, and with --why what the tools,
the loop or the checks said back). It prints numbers; the assertions live in tests/test_ordinary.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Outcome, load_goals, run_goal  # noqa: E402

from autogpt.checks import REGISTRY, checks_for  # noqa: E402
from autogpt.config import Settings  # noqa: E402
from autogpt.llm.base import Model  # noqa: E402
from autogpt.llm.registry import create_model  # noqa: E402


async def run_all(goals: list, profile: str, root: Path, verifier: Model | None = None) -> list[Outcome]:
    outcomes = []
    for number, goal in enumerate(goals):
        outcomes.append(await run_goal(goal, root / f"{profile}-{number}", checks=profile, verifier=verifier))
        if verifier is not None:
            print(f"  {goal.name}: {'ok' if not outcome_fired(outcomes[-1]) else 'fired'}", flush=True)
    return outcomes


def outcome_fired(outcome: Outcome) -> list[str]:
    return [event.check for event in outcome.fired]


def table(outcomes: list[Outcome], profile: str, why: bool) -> None:
    total = len(outcomes)
    fired: dict[tuple[str, str], set[str]] = defaultdict(set)
    for outcome in outcomes:
        for event in outcome.fired:
            fired[(event.check, event.verdict)].add(outcome.goal.name)
    ideal = sum(outcome.ideal and not outcome.problems() for outcome in outcomes)
    print(f"== checks={profile}: {ideal}/{total} goals finished in their ideal steps with nothing firing")
    # every check the profile runs, with its fire rate (0 is the goal: each firing here is a misfire)
    width = max(len(c.name) for c in REGISTRY)
    print(f"{'check':<{width}}  {'stage':<13} {'goals':>9}  {'rate':>6}  fired on")
    for c in checks_for(profile):
        names = set().union(*(names for (check, _), names in fired.items() if check == c.name))
        shown = ", ".join(sorted(names)[:6]) + (", ..." if len(names) > 6 else "")
        print(f"{c.name:<{width}}  {c.stage.value:<13} {len(names):>4}/{total:<4}  {len(names) / total:>6.1%}  {shown}")
    off = [outcome for outcome in outcomes if outcome.problems()]
    if off:
        print(f"-- not ideal ({len(off)}/{total}): status, steps / ideal, and the first thing wrong")
        for outcome in off:
            result = outcome.result
            said = f"{result.status:<9} {result.steps}/{outcome.goal.ideal_steps}" if result else "crashed"
            print(f"  {outcome.goal.name:<28} {said:<14} {outcome.problems()[0][:200]}")
            if why:
                for step, what, text in outcome.pushbacks()[:4]:
                    print(f"      step {step} {what}: {' '.join(text.split())[:240]}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", nargs="+", default=["full", "light"], help="checks profiles to run")
    parser.add_argument("-k", dest="match", default="", help="only goals whose name contains this")
    parser.add_argument("--why", action="store_true", help="say what came back for each goal off its ideal")
    parser.add_argument("--verifier-model", metavar="ID", help="answer the goal verifier with this real model (e.g. "
                        "qwen2.5-coder-1.5b): its misfires on correct work, instead of a scripted 'met'")
    args = parser.parse_args()
    goals = [goal for goal in load_goals() if args.match in goal.name]
    with tempfile.TemporaryDirectory(prefix="ordinary-") as tmp:
        root = Path(tmp)
        os.chdir(root)  # no stray .env is read
        os.environ["AUTOGPT_DATA_DIR"] = str(root / "data")
        verifier = create_model(args.verifier_model, Settings.load()) if args.verifier_model else None
        for profile in args.profiles:
            table(asyncio.run(run_all(goals, profile, root, verifier)), profile, args.why)


if __name__ == "__main__":
    main()
