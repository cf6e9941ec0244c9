"""The structured reply the model gives at every step, as pydantic models.

``{"thoughts": {"observations", "plan": [{"task", "status"}], "reasoning", "criticism", "speak"},
   "command": {"name", "args"}}``

:func:`reply_json_schema` derives the JSON schema sent to the model from these models, with ``command``
narrowed to the registered tools (one branch per tool, its ``args`` schema derived from the function), so
a grammar-constrained local model can only name a real tool with well-formed arguments.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Status = Literal["todo", "doing", "done"]
_SURROGATE = re.compile("[\ud800-\udfff]")


class PlanItem(BaseModel):
    task: str = Field(description="A short sub-task")
    status: Status = Field("todo", description="todo, doing or done")

    @field_validator("status", mode="before")
    @classmethod
    def _normalise_status(cls, value: Any) -> Any:
        aliases = {"pending": "todo", "in_progress": "doing", "in progress": "doing", "completed": "done",
                   "complete": "done", "未完成": "todo", "进行中": "doing", "已完成": "done", "完成": "done"}
        if isinstance(value, str):
            return aliases.get(value.strip().lower(), value.strip().lower())
        return value


_STATUS_LINE = re.compile(r"^\s*(todo|doing|done|pending|in progress|completed|未完成|进行中|已完成|完成)\s*[:：]\s*(.+)$",
                          re.IGNORECASE | re.DOTALL)


def plan_item(text: str) -> dict[str, str]:
    """A plan item from a line: "doing: Read the file" (a compact reply's form), or a task without a status."""
    if match := _STATUS_LINE.match(text):
        return {"task": match.group(2).strip(), "status": match.group(1)}
    return {"task": text}


class Thoughts(BaseModel):
    # Order matters to a model writing left to right: look at the last result, update the plan, then reason.
    observations: str = Field("", description="What the last result shows")
    plan: list[PlanItem] = Field(default_factory=list, description="The sub-tasks of the goals with their status")
    reasoning: str = Field("", description="Why the next command is the right one")
    criticism: str = Field("", description="What could be wrong or done better")
    speak: str = Field("", description="One sentence for the user")

    @field_validator("observations", "reasoning", "criticism", "speak", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if not isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        return value

    @field_validator("plan", mode="before")
    @classmethod
    def _plan_from_text(cls, value: Any) -> Any:
        # Models often give the plan as a string ("- a\n- b") or a list of strings; a compact reply gives it as
        # lines "status: task" (see reply_json_schema).
        if isinstance(value, str):
            value = [line.strip(" -*\t0123456789.") for line in value.splitlines()]
        if isinstance(value, list):
            return [plan_item(v) if isinstance(v, str) else v for v in value if v]
        return value


class Command(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("args")
    @classmethod
    def _keys_are_text(cls, args: dict[str, Any]) -> dict[str, Any]:
        # A key with a lone surrogate ("\ud800" in the reply's JSON) cannot be saved: pydantic refuses to write a
        # nested one as JSON, and the run's checkpoint would fail. Values may hold one: the tools say what is wrong.
        stack: list[Any] = [args]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key in item:
                    if _SURROGATE.search(key):
                        raise ValueError(f"the key {key!r} contains a lone surrogate, which is not valid text; "
                                         "write every key as plain text")
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        return args

    def signature(self) -> str:
        """A canonical text of the call, used to detect repeated commands."""
        return f"{self.name}({json.dumps(self.args, sort_keys=True, ensure_ascii=False)})"

    def short(self, limit: int = 80, hidden: str = "") -> str:
        """The call in one line, each long text cut at ``limit`` characters with "…", or, with ``hidden`` (a
        template with ``{n}``), each long text of several lines replaced by that mark: a failed step's file text or
        program is not shown in part, because small models sent back the shortened head of a refused text as if it
        were whole, step after step. A long one-line value (a URL) is still shown cut."""
        parts = []
        for key, value in self.args.items():
            if not isinstance(value, str):
                parts.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
                continue
            if hidden and len(value) > limit and "\n" in value.strip():
                parts.append(f"{key}={hidden.format(n=len(value))}")
                continue
            # repr() shows a line break as \n, which is also how the model must write it in its JSON reply: small
            # models copy what they see here (a ⏎ mark ended up in their code and files).
            parts.append(f"{key}={value[:limit] + '…' if len(value) > limit else value!r}")
        return f"{self.name}({', '.join(parts)})"


class Reply(BaseModel):
    thoughts: Thoughts = Field(default_factory=Thoughts)
    command: Command


def narrow(spec: dict[str, Any], arg: str, values: list[str]) -> dict[str, Any]:
    """A copy of the tool ``spec`` whose argument ``arg`` can only be one of ``values``."""
    spec = copy.deepcopy(spec)
    spec["parameters"]["properties"][arg]["enum"] = list(values)
    return spec


#: The thoughts a compact reply leaves out (see :func:`reply_json_schema`).
NOT_IN_COMPACT = ("criticism", "speak")
#: A compact reply's plan item: one line, its status first (no quote, backslash or line break inside).
PLAN_LINE = r'^(todo|doing|done): [^"\\\n]+$'


def reply_json_schema(tool_specs: list[dict[str, Any]], *, max_plan_items: int = 6,
                      compact: bool = False) -> dict[str, Any]:
    """The JSON schema of a reply whose ``command`` must be one of ``tool_specs``.

    ``compact``: the thoughts without ``criticism`` and ``speak`` (observations, plan, reasoning, then the
    command), and each plan item one line ``"doing: Read the file"`` rather than an object (half the tokens),
    for a small local model that writes every token at ~15 a second; an API model writes them all.
    """
    thoughts = Thoughts.model_json_schema()
    plan_item = PlanItem.model_json_schema()
    properties = {name: value for name, value in thoughts["properties"].items()
                  if not (compact and name in NOT_IN_COMPACT)}
    properties["plan"] = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"task": {"type": "string"}, "status": {"enum": ["todo", "doing", "done"]}},
            "required": ["task", "status"],
            "description": plan_item.get("description", ""),
        },
        "maxItems": max_plan_items,
    }
    if compact:
        properties["plan"] = {"type": "array", "items": {"type": "string", "pattern": PLAN_LINE},
                              "maxItems": max_plan_items}
    for value in properties.values():
        value.pop("default", None)
        value.pop("title", None)
    commands = [
        {
            "type": "object",
            "properties": {"name": {"const": spec["name"]}, "args": spec["parameters"]},
            "required": ["name", "args"],
        }
        for spec in tool_specs
    ]
    return {
        "type": "object",
        "properties": {
            "thoughts": {"type": "object", "properties": properties, "required": list(properties)},
            "command": {"anyOf": commands} if len(commands) > 1 else commands[0],
        },
        "required": ["thoughts", "command"],
    }
