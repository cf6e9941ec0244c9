"""What a check is, what it sees and what it may say.

A check is one small function with a name, the stage it runs at, the profile it belongs to and a one-line
purpose (its docstring's first line). It looks at a :class:`Situation` and returns ``None`` (allow) or a
:class:`Verdict`:

* ``note``: a line added to the result of the command that just ran;
* ``refuse``: the command is not run, and the model is told why (``once``: only the first time for that
  subject; the same command sent again is carried out);
* ``narrow``: the next step may choose only some commands, or only some values of an argument.

Checks never change the workspace themselves except :mod:`~autogpt.checks.hygiene`'s input guard, which puts
back an input file a program changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from autogpt.errors import AutoGPTError
from autogpt.goal import GoalSpec
from autogpt.llm.base import Completion, ModelRequest
from autogpt.tools.registry import Tool, ToolRegistry
from autogpt.workspace import Workspace


class Stage(str, Enum):
    MENU = "menu"  # before the model is asked: which commands it may choose
    BEFORE_TOOL = "before_tool"  # a command was proposed: run it or not
    AFTER_TOOL = "after_tool"  # a command ran: anything to add to its result
    BEFORE_FINISH = "before_finish"  # finish was proposed: is the work done


Profile = Literal["full", "light", "off"]
PROFILES: tuple[str, ...] = ("full", "light", "off")


@dataclass(frozen=True)
class Act:
    """One step of the run as the checks see it (built from the agent's typed steps)."""

    number: int
    tool: str
    args: dict[str, Any]
    executed: bool = True
    ok: bool = True
    output: str = ""
    #: workspace files the command created or changed
    changed: tuple[str, ...] = ()

    @property
    def signature(self) -> str:
        return signature(self.tool, self.args)


def signature(tool: str, args: dict[str, Any]) -> str:
    return json.dumps([tool, args], sort_keys=True, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Verdict:
    kind: Literal["note", "refuse", "narrow"]
    #: the message's key in :mod:`autogpt.checks.messages` and its values (rendered in the run's language)
    key: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    #: what it is about (a file): ``once`` refusals count per check and subject
    subject: str = ""
    once: bool = False
    #: narrow: tools left out of the next step, or the only ones offered, and {tool: (argument, allowed values)}
    leave_out: frozenset[str] = frozenset()
    only: frozenset[str] | None = None
    choices: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: False for a menu that only follows the workspace (the files there are to read): not reported as a firing
    report: bool = True


def note(key: str, **params: Any) -> Verdict:
    return Verdict("note", key, params)


def refuse(key: str, *, subject: str = "", once: bool = False, **params: Any) -> Verdict:
    return Verdict("refuse", key, params, subject=subject, once=once)


def narrow(*, leave_out: set[str] | frozenset[str] = frozenset(), only: set[str] | None = None,
           choices: dict[str, tuple[str, list[str]]] | None = None, report: bool = True) -> Verdict:
    return Verdict("narrow", leave_out=frozenset(leave_out), only=frozenset(only) if only is not None else None,
                   choices=choices or {}, report=report)


class ChecksState(BaseModel):
    """What the checks remember between steps, saved with the run (a resumed run behaves the same)."""

    spec: GoalSpec = Field(default_factory=GoalSpec)
    profile: str = "full"
    #: {"check" or "check:subject": times it refused}
    refused: dict[str, int] = Field(default_factory=dict)
    #: the goal verifier's "not met" answers so far
    verified: int = 0
    #: the same command proposed again right after itself, in a row
    repeats: int = 0
    #: {command signature: (the step it failed at, the workspace's fingerprint then)}
    failed: dict[str, tuple[int, int]] = Field(default_factory=dict)
    #: {a file the user had in the workspace when the run began, the goals' inputs first: its SHA-256 then}; the
    #: files the goals ask to write or change are not here
    inputs: dict[str, str] = Field(default_factory=dict)


#: Asks the model (the goal verifier): the loop charges the budget and applies its time limit.
AskModel = Callable[[ModelRequest], Awaitable[Completion]]


@dataclass
class Situation:
    """Everything a check may look at."""

    spec: GoalSpec
    lang: str
    acts: Sequence[Act]
    workspace: Workspace
    tools: ToolRegistry
    state: ChecksState
    #: the proposed command (BEFORE_TOOL, BEFORE_FINISH) or the one that just ran (AFTER_TOOL)
    tool: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    #: AFTER_TOOL: whether it worked, what it returned, the files it changed
    ok: bool = True
    output: str = ""
    changed: tuple[str, ...] = ()
    #: facts the run was given (long-term memory): where a number may come from, like a command's output
    given: tuple[str, ...] = ()
    #: the worked examples' commands the instructions show, as (tool, args, the example's topic words)
    examples: tuple[tuple[str, dict[str, Any], tuple[str, ...]], ...] = ()
    ask_model: AskModel | None = None
    keep_dir: Any = None  # pathlib.Path of the inputs' copies, or None

    def tool_of(self, name: str) -> Tool | None:
        return self.tools.get(name) if name in self.tools else None

    @property
    def proposed(self) -> Tool | None:
        return self.tool_of(self.tool)

    def exists(self, name: str) -> bool:
        try:
            return self.workspace.resolve(name).is_file()
        except (AutoGPTError, OSError):
            return False

    def text(self, name: str, limit: int = 200_000) -> str | None:
        """A workspace file's text (at most ``limit`` bytes), or None when it cannot be read."""
        try:
            return self.workspace.read_text(name, max_bytes=limit)
        except (AutoGPTError, OSError, UnicodeError):
            return None

    def relative(self, path: str) -> str | None:
        """``path`` as a workspace-relative name, or None when it is outside the workspace or invalid."""
        try:
            return self.workspace.relative(self.workspace.resolve(path))
        except (AutoGPTError, OSError, ValueError):
            return None

    def last_change(self, name: str) -> Act | None:
        """The act that last created or changed ``name``."""
        return next((act for act in reversed(self.acts) if name in act.changed), None)


CheckFn = Callable[[Situation], "Verdict | None | Awaitable[Verdict | None]"]


@dataclass(frozen=True)
class Check:
    name: str
    stage: Stage
    profile: Literal["full", "light"]
    run: CheckFn

    @property
    def purpose(self) -> str:
        """The first paragraph of the check's docstring, on one line."""
        return " ".join((self.run.__doc__ or "").strip().split("\n\n")[0].split())


#: Every check, in the order they run within a stage (the first refusal wins).
REGISTRY: list[Check] = []


def check(name: str, stage: Stage, profile: Literal["full", "light"]) -> Callable[[CheckFn], CheckFn]:
    """Register a check: ``@check("repeat", Stage.BEFORE_TOOL, "light")`` over ``def repeat(s): ...``."""

    def register(fn: CheckFn) -> CheckFn:
        if any(existing.name == name for existing in REGISTRY):
            raise ValueError(f"A check named {name!r} is registered already.")
        REGISTRY.append(Check(name, stage, profile, fn))
        return fn

    return register


def fingerprint(workspace: Workspace) -> int:
    """The workspace's files, their sizes and times, as one number (the same in every process)."""
    return zlib.crc32(json.dumps(sorted(workspace.snapshot().items())).encode("utf-8"))


def kept_copy(s: Situation, name: str) -> Path | None:
    """Where the engine keeps a copy of the input or changed file ``name`` as it was when the run began."""
    if s.keep_dir is None:
        return None
    copy = Path(s.keep_dir) / hashlib.sha256(name.encode("utf-8")).hexdigest()
    return copy if copy.is_file() else None


def printed(output: str) -> str:
    """What a program printed (its stdout), from a code-running command's result."""
    return output.split("--- stdout ---", 1)[-1].split("--- stderr ---", 1)[0].strip()


def printed_something(output: str) -> bool:
    """Whether a code-running command's result shows that the program printed anything."""
    return printed(output) not in ("", "(empty)")


def writes_file(s: Situation) -> str | None:
    """The workspace file the proposed command writes (its ``path``), or None."""
    tool = s.proposed
    path = s.args.get("path")
    if tool is None or not tool.writes or not isinstance(path, str):
        return None
    return s.relative(path)


_LITERAL = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?(?![A-Za-z0-9_]|\.\d)")


_EXIT_CODE = re.compile(r"^Exit code: -?\d+$", re.MULTILINE)  # a program's result header: its 0 or 1 shows no answer


def _without(text: str, numbers: set[str]) -> str:
    return _LITERAL.sub(lambda m: " " if m.group() in numbers else m.group(), text) if numbers else text


def observed(s: Situation) -> list[str]:
    """What commands showed (programs' output, files and pages read): not what writing commands answered, nor a
    file the model typed, read back (its numbers are still the model's)."""
    texts = list(s.given) + ["\n".join(s.spec.goals)]
    typed: set[str] = set()  # files whose last change was a writing command's
    for act in s.acts:
        tool = s.tool_of(act.tool)
        if tool is not None and tool.reads == "path" and isinstance(path := act.args.get("path"), str) \
                and s.relative(path) in typed:
            continue
        if act.executed and act.output and (tool is None or not tool.writes):
            # a program's output, less the numbers its code holds as they are: print('385.00') computes nothing
            typed_in = {n for value in act.args.values() if isinstance(value, str) for n in _LITERAL.findall(value)} \
                if tool is not None and tool.runs_code else set()
            texts.append(_without(_EXIT_CODE.sub("", act.output), typed_in))
        if act.executed:
            typed = (typed | set(act.changed)) if tool is not None and tool.writes else typed - set(act.changed)
    return texts
