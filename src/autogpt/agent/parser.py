"""One tolerant parser for every model's reply.

Models wrap JSON in code fences, add prose around it, leave trailing commas, use single quotes, or put raw
newlines inside strings (llama.cpp's JSON grammar allows them). We try the cheap exact parse first, then the
same with comments, trailing commas and single quotes made standard, then json_repair, then validate against the
:class:`~autogpt.agent.schema.Reply` model. Whatever still fails raises :class:`~autogpt.errors.ReplyParseError`
with a message written for the model, which the loop sends back. So does a reply no parser should be given:
nested more than :data:`MAX_DEPTH` levels (RecursionError, or minutes in json_repair) or with a number of more
than 4,300 digits (ValueError). tests/test_reply_properties.py feeds the parser and the loop thousands of such
replies.
"""

from __future__ import annotations

import itertools
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

#: Objects and lists nested deeper than this are refused: no command needs it, ``json.loads`` raises RecursionError
#: on a few thousand levels, and json_repair takes minutes on tens of thousands of unclosed ones.
MAX_DEPTH = 64
_TOO_DEEP = (f"The reply nests objects and lists more than {MAX_DEPTH} levels deep. Reply with one flat JSON object: "
             "give the command's arguments as strings, numbers or short lists.")
# A surrogate pair: the two halves of an escaped character outside the BMP ("\\ud83d\\ude00", an emoji).
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
# What the nesting scan looks at: brackets, quotes, and the backslash of an escape.
_SPECIAL = re.compile(r"""[\[\]{}"'\\]""")


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
            raise ReplyParseError(
                f"The arguments of {call.name[:80]} must be a JSON object, got: {call.arguments[:200]}"
            )
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
    """Parse the first candidate that is valid JSON; else repair them, preferring one with a command.

    A candidate nested more than :data:`MAX_DEPTH` levels deep is skipped, before parsing (see :data:`MAX_DEPTH`).
    """
    usable = [text for text in candidates if _nesting(text) <= MAX_DEPTH]
    if not usable:
        raise ReplyParseError(_TOO_DEEP)
    # As written, then with comments, trailing commas and single quotes made standard: json.loads decodes every
    # escape exactly, json_repair does not (it dropped a final "\\n", kept "\\f" as two characters, ended a string
    # early at an escaped backslash before a comment).
    for text in itertools.chain(usable, map(_standard, usable)):
        try:
            return _exact(text)
        except json.JSONDecodeError:
            pass
    repaired: list[Any] = []
    for text in usable:
        try:
            value = json_repair.loads(text)
        except Exception:  # json_repair raises assorted errors on hopeless input  # noqa: S112
            continue
        if value not in ("", None, [], {}) and _depth(value) <= MAX_DEPTH:
            repaired.append(_joined(value))
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
    """``text`` parsed as JSON (checked as :func:`_load_json` checks it), or None if it is not JSON."""
    if _nesting(text) > MAX_DEPTH:
        raise ReplyParseError(_TOO_DEEP)
    try:
        return _exact(text)
    except json.JSONDecodeError:
        return None


def _standard(text: str) -> str:
    """``text`` with what JSON does not allow and models write made standard: ``//`` and ``/* */`` comments
    dropped, a comma before a closing bracket dropped, a single-quoted string double-quoted. Escapes are kept as
    written, for json.loads to decode. One linear pass; a string cut off runs to the end."""
    out: list[str] = []
    quote = ""  # the quote of the string the scan is in, if any
    comma = -1  # where in ``out`` a comma is that only blanks separate from what comes next
    at, end = 0, len(text)
    while at < end:
        char = text[at]
        if quote:
            if char == "\\" and at + 1 < end:  # an escape, kept as it is; "\\'" is not one in JSON
                escaped = text[at + 1]
                out.append("'" if escaped == "'" else char + escaped)
                at += 2
                continue
            out.append('"' if char == quote else '\\"' if char == '"' else char)
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote, comma = char, -1
            out.append('"')
        elif text.startswith("//", at):  # a comment to the end of the line
            close = text.find("\n", at)
            at = end if close == -1 else close
            continue
        elif text.startswith("/*", at):
            close = text.find("*/", at + 2)
            at = end if close == -1 else close + 2
            continue
        elif char == ",":
            comma = len(out)
            out.append(char)
        elif char in "}]":
            if comma >= 0:
                out[comma] = ""
            comma = -1
            out.append(char)
        else:
            if not char.isspace():
                comma = -1
            out.append(char)
        at += 1
    return "".join(out)


def _exact(text: str) -> Any:
    """``json.loads``, raising only JSONDecodeError (not JSON) or ReplyParseError (JSON we cannot take)."""
    try:
        value = json.loads(text, strict=False, parse_int=_parse_int)
    except RecursionError:  # _nesting counts what looks like strings loosely; the parser's stack decides
        raise ReplyParseError(_TOO_DEEP) from None
    if _depth(value) > MAX_DEPTH:
        raise ReplyParseError(_TOO_DEEP)
    return value


def _parse_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # Python refuses to convert more than 4300 digits (sys.get_int_max_str_digits)
        raise ReplyParseError(
            f"The reply has a number with {len(digits)} digits, too long to read. Write a number that long as a "
            "string, in quotes."
        ) from None


def _nesting(text: str) -> int:
    """How deeply objects and lists nest in the JSON ``text``, counting no bracket inside a (double- or single-
    quoted) string: one linear pass, so a hopelessly deep reply is refused before a parser spends its stack or
    minutes on it. It stops counting past :data:`MAX_DEPTH`."""
    depth = deepest = 0
    quote = ""  # the quote of the string the scan is in, if any
    escaped = -1  # the position of the character a backslash escapes
    for match in _SPECIAL.finditer(text):
        char, at = match.group(), match.start()
        if quote:
            if at == escaped:
                continue
            if char == "\\":
                escaped = at + 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif char in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _joined(value: Any) -> Any:
    """``value`` with each surrogate pair in its strings joined into the one character it stands for: json.loads
    joins an escaped pair ("\\ud83d\\ude00"), json_repair leaves two lone surrogates that no file can hold.
    (``value`` is at most :data:`MAX_DEPTH` deep.)"""
    if isinstance(value, str):
        return _PAIR.sub(lambda pair: pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), value)
    if isinstance(value, list):
        return [_joined(item) for item in value]
    if isinstance(value, dict):
        return {_joined(key): _joined(item) for key, item in value.items()}
    return value


def _depth(value: Any) -> int:
    """How deeply dicts and lists nest in a parsed ``value`` (without recursion); it stops past
    :data:`MAX_DEPTH`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


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
