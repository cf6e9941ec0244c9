"""A small harness for the checks' tests: run scripted goals under a checks profile and see what fired.

Each check has its own test file: the transcript that motivated it (the check must fire) and ordinary goals done
right (it must stay quiet). Ordinary goals come from the corpus in benchmarks/ordinary/ where one fits.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogpt import AutoGPT
from autogpt.agent.events import CheckFired, Event
from autogpt.agent.loop import RunResult
from autogpt.testing import ScriptedModel, all_met

_CORPUS = Path(__file__).parents[2] / "benchmarks" / "ordinary" / "corpus.py"


def _corpus() -> Any:
    if "ordinary_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("ordinary_corpus", _CORPUS)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["ordinary_corpus"]


@dataclass
class Run:
    result: RunResult
    events: list[Event]
    model: ScriptedModel
    workspace: Path
    fired: list[CheckFired] = field(default_factory=list)

    def of(self, check: str) -> list[CheckFired]:
        """What ``check`` said in this run."""
        return [event for event in self.fired if event.check == check]

    def observation(self, step: int) -> str:
        """What the model was shown for ``step`` (a refusal, or a result with its notes)."""
        found = next(s for s in self.result.history if s.number == step)
        return "\n".join([getattr(found, "observation", ""), *getattr(found, "notes", [])])


def run(tmp_path: Path, goals: list[str], steps: list[Any], *, files: dict[str, str | bytes] | None = None,
        checks: str = "full", verify: Any = all_met, max_steps: int | None = None, **agent: Any) -> Run:
    """Run ``goals`` with the scripted ``steps`` (replies), the workspace holding ``files`` first."""
    workspace = tmp_path / "ws"
    workspace.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    model = ScriptedModel(steps, answers={"verify": verify} if verify is not None else None)
    bot = AutoGPT(goals=goals, model=model, workspace=workspace, checks=checks,
                  max_steps=max_steps or len(steps) + 2, **agent)
    events: list[Event] = []
    try:
        result = asyncio.run(bot.arun(on_event=events.append))
    finally:
        bot.close()
    return Run(result, events, model, workspace, [e for e in events if isinstance(e, CheckFired)])


def ordinary(name: str, tmp_path: Path, checks: str = "full") -> list[CheckFired]:
    """Run the ordinary corpus goal ``name`` done the ideal way; what fired (it must finish in its ideal steps)."""
    corpus = _corpus()
    goal = next(goal for goal in corpus.load_goals() if goal.name == name)
    outcome = asyncio.run(corpus.run_goal(goal, tmp_path, checks=checks))
    assert outcome.result.status == "finished" and outcome.result.steps == goal.ideal_steps, outcome.report()
    return list(outcome.fired)
