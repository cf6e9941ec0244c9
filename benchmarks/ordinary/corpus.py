"""The ordinary-goals corpus: load the goal files, run one with its scripted ideal answer, judge the run.

Used by ``tests/test_ordinary.py`` (every goal must finish in its ideal steps with no check firing) and by
``benchmarks/ordinary/fire_rates.py`` (how often each check fires, per checks profile). See README.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autogpt import AutoGPT, Settings
from autogpt.agent.events import CheckFired, Event, Notice, ToolFinished
from autogpt.agent.loop import RunResult
from autogpt.llm.base import Model
from autogpt.testing import ScriptedModel, all_met, reply

HERE = Path(__file__).resolve().parent
GOALS_DIR = HERE / "goals"

#: Every kind of goal the corpus must cover (tests/test_ordinary.py checks each has goals in both languages).
KINDS = (
    "knowledge-number",  # a fact the model knows, written as it is
    "writing",           # tips, letters, notices, timelines, poems (with years and dates)
    "email",             # replies to complaints, invitations, thank-you notes
    "list",              # shopping lists, book titles, fruits
    "json",              # a JSON file with given keys or known values
    "yaml",              # a YAML file with given keys or known values
    "summary",           # a summary of a given input file
    "translation",       # en -> zh and zh -> en, of a text in the goal or in a given file
    "faq",               # customer service: an answer taken from a given FAQ file
    "compute",           # a number derived from given data, or a calculation the goal asks for, by a program
    "word-count",        # a word/line count report of a given file, which stays unchanged
    "blog",              # the README demo: a title and three short paragraphs
    "code-module",       # a module with a function, written, then tested by a small run
    "code-script",       # a script, written, then run once
    "append",            # a line added to a given file (the one input a goal may change)
    "multi",             # several goals, several files
)
LANGS = ("en", "zh")
#: What a goal file's ``expect`` may say about an output file.
EXPECT_KEYS = ("equals", "contains", "lines", "paragraphs", "json", "yaml")
_GOAL_KEYS = {"name", "lang", "kind", "goals", "files", "steps", "expect", "changes", "ai_name", "ai_role"}
_STEP_KEYS = {"thoughts", "prints"}


@dataclass
class Step:
    """One scripted reply: the command and its arguments, the thoughts shown with it, and (for a program) text
    its output must contain."""

    command: str
    args: dict[str, Any]
    thoughts: str = ""
    prints: list[str] = field(default_factory=list)

    def reply(self) -> dict[str, Any]:
        thoughts = None
        if self.thoughts:
            thoughts = {"observations": "", "reasoning": self.thoughts, "plan": [], "criticism": "",
                        "speak": self.thoughts}
        return reply(self.command, thoughts, **self.args)


@dataclass
class Goal:
    name: str
    lang: str
    kind: str
    goals: list[str]
    files: dict[str, str]
    steps: list[Step]
    expect: dict[str, dict[str, Any]]
    changes: list[str] = field(default_factory=list)
    ai_name: str = "AutoGPT"
    ai_role: str = "AI Assistant"
    path: Path | None = None

    @property
    def ideal_steps(self) -> int:
        return len(self.steps)

    def script(self) -> list[dict[str, Any]]:
        return [step.reply() for step in self.steps]


def load_goal(path: Path) -> Goal:
    """Read and validate one goal file (raises ValueError saying what is wrong)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not a mapping")
    if unknown := set(data) - _GOAL_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("name", "lang", "kind", "goals", "steps", "expect"):
        if key not in data:
            raise ValueError(f"{where}: missing {key!r}")
    if data["name"] != path.stem:
        raise ValueError(f"{where}: name {data['name']!r} differs from the file name")
    if data["lang"] not in LANGS:
        raise ValueError(f"{where}: lang must be one of {LANGS}")
    if data["kind"] not in KINDS:
        raise ValueError(f"{where}: kind {data['kind']!r} is not one of {KINDS}")
    steps = []
    for number, item in enumerate(data["steps"], 1):
        commands = [key for key in item if key not in _STEP_KEYS]
        if len(commands) != 1 or not isinstance(item[commands[0]], dict):
            raise ValueError(f"{where}: step {number} must name exactly one command with a mapping of arguments")
        prints = item.get("prints", [])
        steps.append(Step(commands[0], dict(item[commands[0]]), item.get("thoughts", ""),
                          [prints] if isinstance(prints, str) else list(prints)))
    if not steps or steps[-1].command != "finish" or any(s.command == "finish" for s in steps[:-1]):
        raise ValueError(f"{where}: the last step, and only the last, must be finish")
    files = {str(k): str(v) for k, v in (data.get("files") or {}).items()}
    changes = list(data.get("changes") or [])
    expect = {str(k): dict(v) for k, v in data["expect"].items()}
    for name in changes:
        if name not in files or name not in expect:
            raise ValueError(f"{where}: {name} in changes must be an input file with an expect entry")
    for name, conditions in expect.items():
        if bad := set(conditions) - set(EXPECT_KEYS):
            raise ValueError(f"{where}: expect {name}: unknown conditions {sorted(bad)}")
    return Goal(name=data["name"], lang=data["lang"], kind=data["kind"], goals=list(data["goals"]), files=files,
                steps=steps, expect=expect, changes=changes, ai_name=data.get("ai_name", "AutoGPT"),
                ai_role=data.get("ai_role", "AI Assistant"), path=path)


def load_goals(directory: Path = GOALS_DIR) -> list[Goal]:
    return [load_goal(path) for path in sorted(directory.glob("*.yaml"))]


# --- judging an output file --------------------------------------------------------------------------------------

def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, headings (``#`` lines) left out."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [b for b in blocks if not b.startswith("#")]


def expect_problems(goal: Goal, workspace: Path) -> list[str]:
    """What in the workspace differs from the goal's ``expect`` and from its unchanged inputs."""
    problems = []
    for name, conditions in goal.expect.items():
        target = workspace / name
        if not target.is_file():
            problems.append(f"{name} does not exist")
            continue
        text = target.read_text(encoding="utf-8", errors="replace")
        if "equals" in conditions and text != conditions["equals"]:
            problems.append(f"{name} is {text[:200]!r}, not {conditions['equals'][:200]!r}")
        for part in conditions.get("contains", []):
            if part not in text:
                problems.append(f"{name} lacks {part!r}")
        if "lines" in conditions and (n := len([x for x in text.splitlines() if x.strip()])) != conditions["lines"]:
            problems.append(f"{name} has {n} non-empty lines, not {conditions['lines']}")
        if "paragraphs" in conditions and (n := len(paragraphs(text))) != conditions["paragraphs"]:
            problems.append(f"{name} has {n} paragraphs, not {conditions['paragraphs']}")
        for key, parse in (("json", json.loads), ("yaml", yaml.safe_load)):
            if key in conditions:
                try:
                    value = parse(text)
                except ValueError as exc:
                    problems.append(f"{name} is not valid {key}: {exc}")
                    continue
                if value != conditions[key]:
                    problems.append(f"{name} holds {value!r}, not {conditions[key]!r}")
    for name, text in goal.files.items():
        if name in goal.changes:
            continue
        target = workspace / name
        if not target.is_file():
            problems.append(f"the input {name} is gone")
        elif target.read_bytes() != text.encode("utf-8"):
            problems.append(f"the input {name} was changed")
    return problems


# --- running a goal --------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    goal: Goal
    checks: str
    result: RunResult | None
    events: list[Event]
    model: ScriptedModel
    workspace: Path
    crash: str = ""

    @property
    def fired(self) -> list[CheckFired]:
        return [e for e in self.events if isinstance(e, CheckFired)]

    @property
    def tool_results(self) -> list[ToolFinished]:
        return [e for e in self.events if isinstance(e, ToolFinished)]

    @property
    def ideal(self) -> bool:
        """Finished in exactly the ideal steps, the script used up."""
        r = self.result
        return r is not None and r.status == "finished" and r.steps == self.goal.ideal_steps and not self.model.script

    def problems(self) -> list[str]:
        """Everything that makes this run not the ideal, quiet one (empty: it passed)."""
        if self.crash:
            return [f"the run raised {self.crash}"]
        r = self.result
        assert r is not None
        problems = []
        if r.status != "finished":
            problems.append(f"status {r.status!r}, not 'finished' ({r.summary[:200]!r})")
        if r.steps != self.goal.ideal_steps:
            problems.append(f"{r.steps} steps, not the ideal {self.goal.ideal_steps}")
        if self.model.script:
            problems.append(f"{len(self.model.script)} scripted replies left unused")
        for event in self.fired:
            problems.append(f"check {event.check!r} ({event.stage}) said {event.verdict} at step {event.step}: "
                            f"{event.message[:300]!r}")
        results = {(e.step, e.name): e for e in self.tool_results}
        for number, step in enumerate(self.goal.steps, 1):
            if not step.prints:
                continue
            ran = results.get((number, step.command))
            output = ran.output if ran else ""
            for part in step.prints:
                if part not in output:
                    problems.append(f"step {number} ({step.command}) did not print {part!r}: {output[:300]!r}")
        problems += expect_problems(self.goal, self.workspace)
        return problems

    def pushbacks(self) -> list[tuple[int, str, str]]:
        """What the checks, tools or loop said back, in order: (step, what, text) with ``what`` one of
        ``check:NAME:VERDICT``, ``refused:TOOL`` (a command that did not succeed), ``note:TOOL`` (a note in a
        result that succeeded) or ``notice`` (a warning of the loop)."""
        found = []
        for event in self.events:
            if isinstance(event, CheckFired):
                found.append((event.step, f"check:{event.check}:{event.verdict}", event.message))
            elif isinstance(event, ToolFinished) and not event.ok:
                found.append((event.step, f"refused:{event.name}", event.output.strip()))
            elif isinstance(event, ToolFinished) and (note := _NOTE.search(event.output)):
                found.append((event.step, f"note:{event.name}", event.output[note.start():].strip()))
            elif isinstance(event, Notice) and event.level != "info":
                found.append((event.step, "notice", event.message))
        return found

    def report(self) -> str:
        r = self.result
        head = (f"{self.goal.name} [{self.checks}]: " +
                (f"status={r.status} steps={r.steps}/{self.goal.ideal_steps}" if r else f"crashed: {self.crash}"))
        lines = [head, *(f"  - {p}" for p in self.problems())]
        for step, what, text in self.pushbacks():
            lines.append(f"  step {step} {what}: {text[:700]}")
        return "\n".join(lines)


_NOTE = re.compile(r"^\W{0,3}(?:Note|Warning|注意|提示)\s?[:：]", re.MULTILINE)


def write_inputs(goal: Goal, workspace: Path) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    for name, text in goal.files.items():
        target = workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


async def run_goal(goal: Goal, root: Path, *, checks: str = "full", settings: Settings | None = None,
                   verifier: Model | None = None) -> Outcome:
    """Run ``goal`` with its scripted answer in ``root/ws`` (own data folder, lessons off) and collect events.
    ``verifier``: a real model that answers the goal verifier's questions (by default they are answered "met")."""
    workspace = root / "ws"
    write_inputs(goal, workspace)
    settings = settings or Settings.load(data_dir=root / "data", lessons=False)
    model = ScriptedModel(goal.script(), answers={"verify": verifier.complete if verifier is not None else all_met})
    agent = AutoGPT(ai_name=goal.ai_name, ai_role=goal.ai_role, goals=goal.goals, model=model, workspace=workspace,
                    checks=checks, max_steps=goal.ideal_steps + 4, settings=settings)
    events: list[Event] = []
    result, crash = None, ""
    try:
        result = await agent.arun(events.append)
    except Exception as exc:  # noqa: BLE001 - reported as the goal's failure, not the harness's
        crash = f"{type(exc).__name__}: {exc}"
    finally:
        await model.aclose()
        agent.close()
    return Outcome(goal, checks, result, events, model, workspace, crash)
