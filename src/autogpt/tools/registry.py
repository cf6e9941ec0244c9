"""Tools are plain Python functions; their JSON schema is derived from type hints and the docstring.

    def write_file(path: str, content: str, ctx: ToolContext) -> str:
        '''Write text to a file in the workspace.

        Args:
            path: File path relative to the workspace.
            content: The text to write.
        '''

``Tool(write_file)`` (or the ``@tool`` decorator) reads the signature, turns it into a pydantic model for
validation and a JSON schema for the model, and takes descriptions from the docstring's ``Args:`` section.
A parameter annotated :class:`ToolContext` is filled in by the loop and hidden from the model.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from autogpt.config import Settings
from autogpt.errors import (
    ToolArgumentError,
    ToolCrashedError,
    ToolDefinitionError,
    ToolError,
    UnknownToolError,
)
from autogpt.goal import GoalSpec
from autogpt.llm.base import Model
from autogpt.sandbox.base import Sandbox
from autogpt.workspace import Workspace


@dataclass
class ToolContext:
    """What a tool may use besides its arguments."""

    workspace: Workspace
    #: The run's goals, and what they ask for (parsed once: see :mod:`autogpt.goal`).
    goals: list[str] = field(default_factory=list)
    spec: GoalSpec = field(default_factory=GoalSpec)
    #: Ask the human a question and wait for the answer; ``None`` when nobody is there.
    ask_human: Callable[[str], Awaitable[str]] | None = None
    #: Where code runs; ``None`` when no sandbox is available (``sandbox_error`` says why).
    sandbox: Sandbox | None = None
    sandbox_error: str = ""
    #: The run's settings (timeouts, web and shell policies) and model (e.g. to summarise a long page).
    settings: Settings = field(default_factory=lambda: Settings.load())
    model: Model | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class Tool:
    """A function the model can call."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        ends_run: bool = False,
        requires_human: bool = False,
        untrusted: bool = False,
        available_if: Callable[[ToolContext], bool] | None = None,
        listed_if_unavailable: bool = True,
        reads: str | None = None,
        runs_code: bool = False,
        writes: bool = False,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", self.name):
            raise ToolDefinitionError(f"Tool name {self.name!r} must be a Python identifier of at most 64 characters.")
        summary, arg_docs = parse_docstring(inspect.getdoc(fn) or "")
        self.description = description or summary
        if not self.description:
            raise ToolDefinitionError(f"Tool {self.name!r} needs a docstring: the model reads it to decide when to call it.")
        self.ends_run = ends_run
        self.requires_human = requires_human
        #: its output comes from outside (the web): the prompt marks it as data, never instructions
        self.untrusted = untrusted
        #: checked before every step: while it says False the model cannot choose the tool (e.g. nothing to run yet)
        self.available_if = available_if
        #: whether the system prompt (fixed for a run) lists the tool while ``available_if`` says no at the start:
        #: True for a tool that can become available during the run (a .py file gets written), False for one
        #: whose availability cannot change (long-term memory tools while the memory is empty)
        self.listed_if_unavailable = listed_if_unavailable
        #: the argument that names what the tool reads: ``"path"`` (a workspace file) or ``"url"`` (a page); the
        #: checks may narrow it to the files there are, or to the addresses the goals give
        self.reads = reads
        #: it runs code in the sandbox (the checks look at what programs printed and ran)
        self.runs_code = runs_code
        #: it writes the workspace file named by its ``path`` argument (the checks guard the task's inputs)
        self.writes = writes
        self.is_async = inspect.iscoroutinefunction(fn)
        self.context_param, self.args_model = _derive_args_model(fn, self.name, arg_docs)
        self._spec: dict[str, Any] | None = None

    def spec(self) -> dict[str, Any]:
        """``{"name", "description", "parameters"}``, the function spec models understand."""
        if self._spec is None:
            schema = self.args_model.model_json_schema()
            _strip_titles(schema)
            schema.setdefault("properties", {})
            schema.setdefault("required", [])
            self._spec = {"name": self.name, "description": self.description, "parameters": schema}
        return copy.deepcopy(self._spec)

    def signature(self) -> str:
        """``name(arg: type, arg2: type = default)`` for the prompt."""
        parts = []
        for arg, info in self.args_model.model_fields.items():
            ann = info.annotation
            # Plain classes by name; generics (list[str], Literal['a', 'b'], Optional[int]) in full.
            kind = ann.__name__ if isinstance(ann, type) else str(ann).replace("typing.", "")
            parts.append(f"{arg}: {kind}" if info.is_required() else f"{arg}: {kind} = {info.default!r}")
        return f"{self.name}({', '.join(parts)})"

    def read_target(self, args: dict[str, Any]) -> str | None:
        """What a call reads (its ``reads`` argument) when it reads the whole of it: every other argument is
        left at its default (``read_file(path, start_line=40)`` reads a part)."""
        target = args.get(self.reads) if self.reads else None
        if not isinstance(target, str):
            return None
        fields = self.args_model.model_fields
        if any(key != self.reads and key in fields and value != fields[key].default for key, value in args.items()):
            return None
        return target

    def validate(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return dict(self.args_model.model_validate(args))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'args'}: {err['msg']}" for err in exc.errors()[:5]
            )
            raise ToolArgumentError(f"Bad arguments for {self.signature()}: {problems}.") from None

    async def call(self, args: dict[str, Any], ctx: ToolContext) -> str:
        """Validate ``args`` and run the tool. :class:`ToolError` is the model's problem; anything else is ours."""
        kwargs = self.validate(args)
        if self.context_param:
            kwargs[self.context_param] = ctx
        try:
            if self.is_async:
                result = await self.fn(**kwargs)
            else:
                result = await asyncio.to_thread(self.fn, **kwargs)
        except ToolError:
            raise
        except Exception as exc:
            raise ToolCrashedError(f"Tool {self.name} crashed: {type(exc).__name__}: {exc}") from exc
        return render_result(result)

    def __repr__(self) -> str:
        return f"<Tool {self.signature()}>"


def tool(
    fn: Callable[..., Any] | None = None, *, name: str | None = None, ends_run: bool = False,
    requires_human: bool = False, untrusted: bool = False,
) -> Any:
    """Decorator form of :class:`Tool`: ``@tool`` or ``@tool(name="...")``."""

    def wrap(f: Callable[..., Any]) -> Tool:
        return Tool(f, name=name, ends_run=ends_run, requires_human=requires_human, untrusted=untrusted)

    return wrap(fn) if fn is not None else wrap


class ToolRegistry:
    """The tools an agent may use, by name."""

    def __init__(self, tools: Iterable[Tool | Callable[..., Any]] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for item in tools:
            self.add(item)

    def add(self, item: Tool | Callable[..., Any]) -> Tool:
        t = item if isinstance(item, Tool) else Tool(item)
        self._tools[t.name] = t
        return t

    def extended(self, tools: Iterable[Tool]) -> ToolRegistry:
        """A new registry with ``tools`` added before the ones that end the run or need a human (``ask_user``
        and ``finish`` stay last in the prompt)."""
        own = list(self._tools.values())
        last = [t for t in own if t.ends_run or t.requires_human]
        return ToolRegistry([*(t for t in own if t not in last), *tools, *last])

    def remove(self, name: str) -> None:
        self._tools.pop(name, None)

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownToolError(
                f"There is no command named {_shown(name)}. Available commands: {', '.join(self._tools)}."
            ) from None

    def available(self, human_present: bool) -> list[Tool]:
        return [t for t in self._tools.values() if human_present or not t.requires_human]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)


def render_result(result: Any) -> str:
    if result is None:
        return "Done."
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError):
        return str(result)


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into its description and ``{arg: description}``."""
    description: list[str] = []
    args: dict[str, str] = {}
    current: str | None = None
    section = "description"
    for line in doc.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"(Args|Arguments|Parameters|参数)\s*[:：]", stripped):
            section = "args"
            continue
        if re.fullmatch(r"(Returns|Raises|Yields|Examples?|Notes?)\s*:", stripped):
            section = "other"
            continue
        if section == "description":
            description.append(line)
        elif section == "args" and stripped:
            match = re.match(r"(\w+)\s*(\([^)]*\))?\s*[:：]\s*(.*)", stripped)
            if match and not line.startswith(" " * 8):
                current = match.group(1)
                args[current] = match.group(3).strip()
            elif current:
                args[current] = f"{args[current]} {stripped}".strip()
    summary = " ".join(" ".join(description).split())
    return summary, args


def _derive_args_model(fn: Callable[..., Any], name: str, arg_docs: dict[str, str]) -> tuple[str | None, type[BaseModel]]:
    try:
        hints = get_type_hints(fn, include_extras=True)  # keep Annotated[str, Field(...)]
    except Exception as exc:
        raise ToolDefinitionError(f"Cannot read the type hints of tool {name!r}: {exc}") from exc
    context_param = None
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ToolDefinitionError(f"Tool {name!r}: *args and **kwargs cannot be described to a model.")
        annotation = hints.get(param.name)
        if annotation is ToolContext:
            context_param = param.name
            continue
        if annotation is None:
            raise ToolDefinitionError(f"Tool {name!r}: parameter {param.name!r} needs a type hint.")
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, Field(default, description=arg_docs.get(param.name) or None))
    try:
        model = create_model(f"{name}_args", __config__=ConfigDict(extra="ignore"), **fields)
    except Exception as exc:  # pydantic refuses the type or the parameter name
        raise ToolDefinitionError(f"Tool {name!r}: cannot build its arguments: {exc}") from exc
    return context_param, model


def _strip_titles(schema: Any) -> None:
    """Remove pydantic's auto-generated ``title`` keys (noise for the model); keep properties named title."""
    if isinstance(schema, dict):
        if isinstance(schema.get("title"), str):
            del schema["title"]
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    _strip_titles(prop)
            else:
                _strip_titles(value)
    elif isinstance(schema, list):
        for value in schema:
            _strip_titles(value)


def _shown(name: str, limit: int = 80) -> str:
    """A name as a message quotes it: a model's 10,000-character "name" is cut, not echoed back whole."""
    return repr(name) if len(name) <= limit else f"{name[:limit]!r}... ({len(name)} characters)"
