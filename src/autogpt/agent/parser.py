"""One tolerant parser for every model's reply.

Models wrap JSON in code fences, add prose around it, leave trailing commas, use single quotes, or put raw
newlines inside strings (llama.cpp's JSON grammar allows them). We try the cheap exact parse first, then
repairs, then validate against the :class:`~autogpt.agent.schema.Reply` model. Whatever still fails raises
:class:`~autogpt.errors.ReplyParseError` with a message written for the model, which the loop sends back.
"""

from __future__ import annotations

import json
import re
from typing import Any

import json_repair
from pydantic import ValidationError

from autogpt.agent.schema import Reply
from autogpt.errors import ReplyParseError
from autogpt.llm.base import REPEATING, Completion

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_ARG_ALIASES = ("args", "arguments", "parameters", "params", "input")


def parse_completion(completion: Completion) -> Reply:
    """Parse a model's completion: native tool calls if it made any, else its text.

    A reply cut off by the token limit, or stopped because it fell into a loop, is refused even if it could be
    repaired: whatever it was writing (a file's content, most likely) is incomplete.
    """
    if completion.finish_reason == "length":
        raise ReplyParseError(
            "The reply was cut off at the token limit. Write less in one command: "
            "split long content over several append_file commands."
        )
    if completion.finish_reason == REPEATING:
        raise ReplyParseError(
            "The reply was stopped because it repeated the same text over and over. "
            "Reply briefly: one short reasoning sentence, then the command."
        )
    if completion.tool_calls:
        call = completion.tool_calls[0]
        args = _load_json(call.arguments) if call.arguments.strip() else {}
        if not isinstance(args, dict):
            raise ReplyParseError(f"The arguments of {call.name} must be a JSON object, got: {call.arguments[:200]}")
        thoughts: Any = {}
        if completion.text.strip():
            try:
                data = _load_json(_json_region(completion.text))
                thoughts = data.get("thoughts", data) if isinstance(data, dict) else {}
            except ReplyParseError:
                thoughts = {"reasoning": completion.text.strip()}
        return _validate({"thoughts": thoughts, "command": {"name": call.name, "args": args}})
    return parse_reply(completion.text)


def parse_reply(text: str) -> Reply:
    """Parse reply text into a :class:`Reply`, repairing what can be repaired."""
    if not text or not text.strip():
        raise ReplyParseError("The reply was empty. Reply with one JSON object with 'thoughts' and 'command'.")
    # From the first "{" to the last "}" first: a fence inside a JSON string (a README's code block) is content,
    # not the fence around the reply; then the fenced part, then a cut-off reply to its end.
    regions = []
    for fences, to_end in ((False, False), (True, False), (True, True)):
        try:
            regions.append(_json_region(text, to_end=to_end, fences=fences))
        except ReplyParseError:
            continue
    if not regions:
        raise ReplyParseError("The reply contains no JSON object. Reply with one JSON object only.")
    data = _load_json(*dict.fromkeys(regions))
    if not isinstance(data, dict):
        raise ReplyParseError(f"The reply must be a JSON object, got {type(data).__name__}.")
    return _validate(_normalise(data))


def _json_region(text: str, to_end: bool = False, fences: bool = True) -> str:
    """From the first ``{`` to the last ``}`` (dropping prose around it, and with ``fences`` a code fence around
    it), or to the end of a cut-off reply."""
    text = text.strip()
    fenced = _FENCE.search(text) if fences else None
    if fenced:
        text = fenced.group(1).strip()
    start = text.find("{")
    end = text.rfind("}")
    if start == -1:
        raise ReplyParseError("The reply contains no JSON object. Reply with one JSON object only.")
    return text[start:] if to_end or end < start else text[start : end + 1]


def _load_json(*candidates: str) -> Any:
    """Parse the first candidate that is valid JSON; else repair them, preferring one with a command."""
    for text in candidates:
        try:
            return json.loads(text, strict=False)
        except json.JSONDecodeError:
            pass
    repaired: list[Any] = []
    for text in candidates:
        try:
            value = json_repair.loads(text)
        except Exception:  # json_repair raises assorted errors on hopeless input  # noqa: S112
            continue
        if value not in ("", None, [], {}):
            repaired.append(value)
    if not repaired:
        raise ReplyParseError("The reply is not valid JSON and could not be repaired.")
    with_command = [v for v in repaired if isinstance(v, dict) and ("command" in v or "name" in v)]
    return (with_command or repaired)[0]


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Accept the common near-misses: a bare command, a command given as a string, aliased arg keys."""
    if "command" not in data:
        if "name" in data:  # the model replied with just the command
            data = {"thoughts": data.get("thoughts", {}), "command": data}
        elif "tool" in data or "action" in data:
            data = {**data, "command": data.get("tool") or data.get("action")}
    command = data.get("command")
    if isinstance(command, str):
        command = {"name": command, "args": data.get("args", {})}
    if isinstance(command, dict):
        command = dict(command)
        if "name" not in command:
            for key in ("tool", "action", "command"):
                if isinstance(command.get(key), str):
                    command["name"] = command.pop(key)
                    break
        for alias in _ARG_ALIASES[1:]:
            if "args" not in command and alias in command:
                command["args"] = command.pop(alias)
        if isinstance(command.get("args"), str):
            parsed = _try_json(command["args"])
            command["args"] = parsed if isinstance(parsed, dict) else {}
        if command.get("args") is None:
            command["args"] = {}
    thoughts = data.get("thoughts")
    if isinstance(thoughts, str):
        thoughts = {"reasoning": thoughts}
    elif not isinstance(thoughts, dict):
        thoughts = {}
    return {"thoughts": thoughts, "command": command}


def _try_json(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        return None


def _validate(data: dict[str, Any]) -> Reply:
    try:
        return Reply.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'reply'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise ReplyParseError(
            f"The reply does not match the required format ({problems}). "
            'It must look like {"thoughts": {...}, "command": {"name": "...", "args": {...}}}.'
        ) from None
