"""The engine: runs the checks of the run's profile at each stage, keeps their state, renders their messages.

The loop calls it at four points and nothing else judges the work:

    menu = engine.menu(acts)                         # before asking the model: which commands it may choose
    refusal = await engine.before(number, tool, args, acts)   # a proposed command (finish included)
    notes = engine.after(number, tool, args, ok, output, changed, acts)   # a command that ran
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogpt.checks import messages
from autogpt.checks.base import (
    REGISTRY,
    Act,
    AskModel,
    Check,
    ChecksState,
    Situation,
    Stage,
    Verdict,
    fingerprint,
    signature,
)
from autogpt.errors import AutoGPTError, ConfigError
from autogpt.goal import GoalSpec
from autogpt.tools.registry import ToolRegistry
from autogpt.workspace import Workspace

#: (step, check, stage, verdict, message): what the loop turns into a ``check`` event
Report = Callable[[int, str, str, str, str], None]
_KEEP_MAX_BYTES = 2_000_000  # inputs larger than this are not copied (nor put back)
_KEEP_MAX_FILES, _KEEP_MAX_TOTAL = 500, 50_000_000  # the user's files kept, at most


@dataclass
class Menu:
    """The commands the next step may choose from: all of them less ``leave_out``, or only ``only``; and for some,
    only some values of one argument."""

    leave_out: set[str] = field(default_factory=set)
    only: set[str] | None = None
    choices: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def allows(self, name: str) -> bool:
        return name not in self.leave_out and (self.only is None or name in self.only)


def checks_for(profile: str) -> list[Check]:
    """The checks a profile runs, in order: ``full`` runs every check, ``light`` the hygiene ones, ``off`` none."""
    if profile not in ("full", "light", "off"):
        raise ConfigError(f"checks must be 'full', 'light' or 'off', not {profile!r}.")
    return [c for c in REGISTRY if profile == "full" or (profile == "light" and c.profile == "light")]


class Engine:
    def __init__(self, spec: GoalSpec, *, profile: str, lang: str, workspace: Workspace, tools: ToolRegistry,
                 state: ChecksState | None = None, report: Report | None = None, ask_model: AskModel | None = None,
                 given: Sequence[str] = (), keep_dir: Path | None = None, existing: Sequence[str] = (),
                 examples: Sequence[tuple[str, dict[str, Any], tuple[str, ...]]] = ()) -> None:
        self.checks = checks_for(profile)
        self.state = state or ChecksState(spec=spec, profile=profile)
        self.spec, self.lang, self.workspace, self.tools = self.state.spec, lang, workspace, tools
        self._report = report or (lambda *_: None)
        self._ask_model, self._given, self.keep_dir = ask_model, tuple(given), keep_dir
        self._examples = tuple(examples)
        if state is None and profile != "off":
            self._keep_inputs(existing)

    @property
    def stuck(self) -> bool:
        """The same command came three times in a row: the run cannot go on."""
        return self.state.repeats >= 2

    def menu(self, acts: Sequence[Act], number: int) -> Menu:
        menu = Menu()
        for c in self._at(Stage.MENU):
            verdict = c.run(self._situation(acts))
            if isinstance(verdict, Verdict) and verdict.kind == "narrow":
                menu.leave_out |= verdict.leave_out
                if verdict.only is not None:
                    menu.only = set(verdict.only) if menu.only is None else menu.only & verdict.only
                menu.choices.update(verdict.choices)
                if verdict.report:
                    self._report(number, c.name, Stage.MENU.value, "narrow", _describe(verdict))
        return menu

    async def before(self, number: int, tool: str, args: dict[str, Any], acts: Sequence[Act]) -> str | None:
        """The refusal of a proposed command, or None to run it. Finish goes through the finish checks."""
        self._count_repeats(tool, args, acts)
        ends_run = tool in self.tools and self.tools.get(tool).ends_run
        stages = (Stage.BEFORE_TOOL, Stage.BEFORE_FINISH) if ends_run else (Stage.BEFORE_TOOL,)
        situation = self._situation(acts, tool=tool, args=args)
        for stage in stages:
            for c in self._at(stage):
                verdict = c.run(situation)
                if inspect.isawaitable(verdict):
                    verdict = await verdict
                if isinstance(verdict, Verdict) and verdict.kind == "refuse" and self._may_refuse(c, verdict):
                    return self._say(number, c, stage, verdict)
        return None

    def after(self, number: int, tool: str, args: dict[str, Any], ok: bool, output: str, changed: Sequence[str],
              acts: Sequence[Act]) -> list[str]:
        """Notes to add to the result of a command that ran; remembers a failure for ``failed_before``."""
        tools_tool = self.tools.get(tool) if tool in self.tools else None
        if not ok and tools_tool is not None and not tools_tool.untrusted and not tools_tool.ends_run:
            self.state.failed[signature(tool, args)] = (number, fingerprint(self.workspace))
        situation = self._situation(acts, tool=tool, args=args, ok=ok, output=output, changed=tuple(changed))
        notes = []
        for c in self._at(Stage.AFTER_TOOL):
            verdict = c.run(situation)
            if isinstance(verdict, Verdict) and verdict.kind == "note":
                notes.append(self._say(number, c, Stage.AFTER_TOOL, verdict))
        return notes

    def review(self, acts: Sequence[Act]) -> tuple[list[str], dict[str, list[str]]]:
        """What a run left, for its reward: the files the goals ask for that are missing, and ``{output: numbers
        no command showed}`` when the goals ask for a computed result."""
        from autogpt.checks.grounding import typed_outputs
        from autogpt.checks.hygiene import missing_files

        situation = self._situation(acts)
        return missing_files(situation), typed_outputs(situation)

    # --- helpers ----------------------------------------------------------------------------------------

    def _at(self, stage: Stage) -> list[Check]:
        return [c for c in self.checks if c.stage == stage]

    def _situation(self, acts: Sequence[Act], **now: Any) -> Situation:
        return Situation(spec=self.spec, lang=self.lang, acts=acts, workspace=self.workspace, tools=self.tools,
                         state=self.state, given=self._given, ask_model=self._ask_model, keep_dir=self.keep_dir,
                         examples=self._examples, **now)

    def _may_refuse(self, c: Check, verdict: Verdict) -> bool:
        if not verdict.once:
            return True
        return self.state.refused.get(f"{c.name}:{verdict.subject}", 0) == 0

    def _say(self, number: int, c: Check, stage: Stage, verdict: Verdict) -> str:
        key = f"{c.name}:{verdict.subject}"
        self.state.refused[key] = self.state.refused.get(key, 0) + (verdict.kind == "refuse")
        text = messages.render(self.lang, verdict.key, **verdict.params)
        self._report(number, c.name, stage.value, verdict.kind, text)
        return text

    def _count_repeats(self, tool: str, args: dict[str, Any], acts: Sequence[Act]) -> None:
        last = acts[-1] if acts else None
        same = last is not None and last.signature == signature(tool, args)
        self.state.repeats = self.state.repeats + 1 if same else 0

    def _keep_inputs(self, existing: Sequence[str]) -> None:
        """Note the digest of each file the user had in the workspace when the run began that the goals do not ask
        to write or change (the goals' inputs first), and copy them to ``keep_dir``, as the files the goals say to
        change: to put back what a program changes, and to know the lines a file to add to had."""
        kept, total = 0, 0
        wanted = dict.fromkeys([*self.spec.inputs, *self.spec.changes, *sorted(existing)])
        for name in wanted:
            if name not in self.spec.inputs + self.spec.changes and name in self.spec.outputs:
                continue
            try:  # race-free: agent code may have swapped a folder for a link out
                data = self.workspace.read_bytes(name, max_bytes=_KEEP_MAX_BYTES)
            except (AutoGPTError, OSError):
                continue
            size = len(data)
            if kept >= _KEEP_MAX_FILES or total + size > _KEEP_MAX_TOTAL:
                continue
            kept, total = kept + 1, total + size
            if name not in self.spec.changes:
                self.state.inputs[name] = hashlib.sha256(data).hexdigest()
            if self.keep_dir is not None:
                copy = self.keep_dir / hashlib.sha256(name.encode()).hexdigest()
                if not copy.exists():
                    self.keep_dir.mkdir(parents=True, exist_ok=True)
                    copy.write_bytes(data)


def _describe(verdict: Verdict) -> str:
    parts = []
    if verdict.only is not None:
        parts.append("only " + ", ".join(sorted(verdict.only)))
    if verdict.leave_out:
        parts.append("without " + ", ".join(sorted(verdict.leave_out)))
    parts += [f"{tool}.{arg} in {values}" for tool, (arg, values) in verdict.choices.items()]
    return "; ".join(parts)
