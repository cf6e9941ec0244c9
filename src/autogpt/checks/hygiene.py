"""Hygiene (the ``light`` profile, and ``full``): no repeats, no lost input, no failing code or missing file
at the end. True for every task and every model."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import tokenize
from collections.abc import Sequence

from autogpt.checks.base import (
    Act,
    Situation,
    Stage,
    Verdict,
    check,
    fingerprint,
    kept_copy,
    narrow,
    note,
    refuse,
    signature,
    writes_file,
)
from autogpt.checks.messages import NOT_SHOWN_MARK, join
from autogpt.errors import AutoGPTError


def _ends_run(s: Situation) -> bool:
    tool = s.proposed
    return tool is not None and tool.ends_run


@check("repeat", Stage.BEFORE_TOOL, "light")
def repeat(s: Situation) -> Verdict | None:
    """The command is the one just run, with the same arguments: its result is already there."""
    if s.state.repeats and not _ends_run(s):
        return refuse("repeat")
    return None


@check("example_copy", Stage.BEFORE_TOOL, "light")
def example_copy(s: Situation) -> Verdict | None:
    """The command is one the instructions' worked examples show, for a task that is not the example's (a small
    model that has lost its way replays the example)."""
    goals = " ".join(s.spec.goals).lower()
    mine = signature(s.tool, s.args)
    if any(mine == signature(tool, args) and not any(word in goals for word in words)
           for tool, args, words in s.examples):
        return refuse("example_copy", goals=_short(" ".join(s.spec.goals), 300))
    return None


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_RECENT = 3  # steps whose results the history still shows whole


@check("read_again", Stage.BEFORE_TOOL, "light")
def read_again(s: Situation) -> Verdict | None:
    """A file or page read in one of the last few steps is read again, unchanged since: its text is still there
    (small models read the same file over and over instead of using it)."""
    tool = s.proposed
    target = s.args.get(tool.reads) if tool is not None and tool.reads else None
    if not isinstance(target, str):
        return None
    recent = list(s.acts[-_RECENT:])
    for at in range(len(recent) - 1, -1, -1):
        act = recent[at]
        if act.tool == s.tool and act.args == s.args and act.executed and act.ok:
            name = s.relative(target) if tool.reads == "path" else None
            if name is not None and any(name in later.changed for later in recent[at + 1:]):
                return None  # changed since: reading it again shows something new
            return refuse("read_again", what=target, step=act.number)
    return None


@check("failed_before", Stage.BEFORE_TOOL, "light")
def failed_before(s: Situation) -> Verdict | None:
    """The command failed before and no file has changed since: it would fail the same way."""
    failed = s.state.failed.get(signature(s.tool, s.args))
    if failed and not _ends_run(s) and failed[1] == fingerprint(s.workspace):
        return refuse("failed_before", step=failed[0])
    return None


@check("placeholder", Stage.BEFORE_TOOL, "light")
def placeholder(s: Situation) -> Verdict | None:
    """An argument is the mark the history shows instead of a long text, or a text the history shortened with "…",
    copied as if it were whole."""
    if any(isinstance(value, str) and NOT_SHOWN_MARK.match(value) for value in s.args.values()):
        return refuse("placeholder")
    earlier = [v for act in s.acts for v in act.args.values() if isinstance(v, str) and len(v) > 40]
    for value in s.args.values():
        if isinstance(value, str) and (cut := value.find("…")) >= 0:  # the history's head of a text: "def f(x):\n   …"
            head = value[:cut]
            if len(head.strip()) >= 8 and any(text.startswith(head) and not text.startswith(head + "…")
                                            for text in earlier):
                return _cut_copy(s, value, (head.strip().splitlines() or [""])[-1][:80] + "…", earlier)
        for line in value.splitlines() if isinstance(value, str) else ():
            head = line.rstrip()[:-1].strip() if line.rstrip().endswith("…") else ""
            if len(head) >= 8 and any(head in text and (head + "…") not in text for text in earlier):
                return _cut_copy(s, value, line.strip()[:80], earlier)
    return None


def _cut_copy(s: Situation, value: str, line: str, earlier: Sequence[str]) -> Verdict:
    fixed = _uncut(value, earlier)
    if fixed is not None and len(fixed) <= 2_000:  # the text with its cut lines whole, to send as it is
        name = next(key for key, v in s.args.items() if v is value)
        return refuse("cut_copy_fix", line=line, arg=name, fixed=fixed)
    return refuse("cut_copy", line=line)


def _uncut(value: str, earlier: Sequence[str]) -> str | None:
    """``value`` with each line the history cut ("… software that typicall…") completed from the earlier text it
    was cut from: the rest of that text's line (a line of the model's own that ends with "…" stays). None when
    no line was cut."""
    lines = value.split("\n")
    for number, line in enumerate(lines):
        if not line.rstrip().endswith("…"):
            continue
        head = line.rstrip()[:-1].lstrip()
        indent = line[: len(line) - len(line.lstrip())]
        for text in earlier:
            at = text.find(head) if len(head.strip()) >= 8 and (head + "…") not in text else -1
            if at >= 0:
                end = text.find("\n", at)
                lines[number] = indent + text[at: end if end >= 0 else len(text)]
                break
    fixed = "\n".join(lines)
    return fixed if fixed != value else None


@check("keep_inputs", Stage.BEFORE_TOOL, "light")
def keep_inputs(s: Situation) -> Verdict | None:
    """The user's files are never written unless the goals say so; a file they say to add to never loses a line."""
    name = writes_file(s)
    if name is None:
        return None
    if name in s.spec.inputs or name in s.state.inputs:
        others = [out for out in s.spec.results if out != name]
        where = join(others, s.lang) if others else ("a new file" if s.lang != "zh" else "一个新文件")
        if name in s.spec.inputs:  # the goals give it to read
            return refuse("input_kept", file=name, where=where)
        # the user's, and the goals do not name it: asked once (sent again, it is written)
        return refuse("user_file_kept", subject=name, once=True, file=name, where=where)
    if name in s.spec.additions and s.tool != "append_file" and (copy := kept_copy(s, name)) is not None:
        content = s.args.get("content")
        lost = _lost_lines(copy.read_bytes(), content) if isinstance(content, str) else []
        if lost:
            return refuse("lines_kept", file=name, lost=len(lost), example=lost[0])
    return None


@check("restore_inputs", Stage.AFTER_TOOL, "light")
def restore_inputs(s: Situation) -> Verdict | None:
    """A program changed or deleted a file of the user's the goals do not say to change, or made a file they say to
    add to lose lines: it is put back."""
    tool = s.proposed
    if tool is None or not tool.runs_code:
        return None
    restored = []
    for name, digest in s.state.inputs.items():
        if name not in s.spec.inputs:  # only the files the goals give to read: others the goals may not name
            continue
        try:  # race-free reads and writes (see autogpt.workspace): never through a path checked earlier
            if hashlib.sha256(s.workspace.read_bytes(name)).hexdigest() == digest:
                continue
        except AutoGPTError:
            pass  # deleted, or not a plain file any more
        try:
            if (copy := kept_copy(s, name)) is None:
                continue
            s.workspace.write_bytes(name, copy.read_bytes())  # refused where a folder now stands
        except (AutoGPTError, OSError):
            continue
        restored.append(name)
    if restored:
        return note("input_restored", files=join(restored, s.lang))
    return _lines_restored(s)


def _lost_lines(kept: bytes, text: str) -> list[str]:
    """The non-blank lines of ``kept`` (a file as the run began) that ``text`` no longer has."""
    now = text.splitlines()
    return [line for line in kept.decode("utf-8", "replace").splitlines() if line.strip() and line not in now]


def _lines_restored(s: Situation) -> Verdict | None:
    """A file the goals say to add to, rewritten by a program that lost some of its lines: put back as it was at
    the start (the program's version cannot be trusted with the rest), and the model told to append instead."""
    for name in s.spec.additions:
        if name not in s.changed or (copy := kept_copy(s, name)) is None:
            continue
        old = copy.read_bytes()
        try:
            now = s.workspace.read_bytes(name).decode("utf-8", "replace")
        except AutoGPTError:
            now = ""
        lost = _lost_lines(old, now)
        if not lost:
            continue
        try:
            s.workspace.write_bytes(name, old)
        except (AutoGPTError, OSError):
            continue
        return note("lines_restored", file=name, lost=len(lost), example=lost[0])
    return None


# What a program says when it tried the network or pip (the sandbox has neither).
_OFFLINE = re.compile(r"ConnectionError|NewConnectionError|Max retries exceeded|urlopen error|Name or service not "
                      r"known|Temporary failure in name resolution|getaddrinfo|Network is unreachable|No module named "
                      r"'(?:requests|bs4|httpx|aiohttp|selenium|googletrans)'|externally-managed-environment|No "
                      r"matching distribution found|Could not find a version that satisfies")
_NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_PIP = re.compile(r"""^\s*!?\s*pip3?\s+install\b|\bpip3?\b['"]?\s*,?\s*['"]?install\b""", re.MULTILINE)


@check("no_network", Stage.AFTER_TOOL, "light")
def no_network(s: Situation) -> Verdict | None:
    """A program tried the network, to install a package, or a module that is not installed: none can be had."""
    tool = s.proposed
    if tool is None or not tool.runs_code:
        return None
    if tried_network(s, Act(0, s.tool, s.args, output=s.output)):
        return note("no_network")
    if missing := _NO_MODULE.search(s.output):
        return note("no_module", module=missing.group(1))
    return None


_ALIASES = {"pd": "import pandas as pd", "np": "import numpy as np", "pandas": "import pandas",
            "numpy": "import numpy"}
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")


def bare_file_name(code: str, files: list[str]) -> str:
    """A workspace file's name written in ``code`` as if it were a variable (``for item in input.json:``)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return ""
    names = {f.rsplit("/", 1)[-1] for f in files}
    for first, dot, last in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (first.type == tokenize.NAME and dot.string == "." and last.type == tokenize.NAME
                and first.end == dot.start and dot.end == last.start and f"{first.string}.{last.string}" in names):
            return f"{first.string}.{last.string}"
    return ""


@check("fresh_process", Stage.AFTER_TOOL, "light")
def fresh_process(s: Situation) -> Verdict | None:
    """A failed program used a name it never defined, or a file's name as a variable: each program runs alone."""
    tool = s.proposed
    if tool is None or not tool.runs_code or s.ok:
        return None
    code = s.args.get("code")
    if isinstance(code, str) and (name := bare_file_name(code, s.workspace.files(limit=500))):
        return note("file_as_name", file=name)
    found = _UNDEFINED.search(s.output)
    if found is None:
        return None
    name = found.group(1)
    if name in sys.stdlib_module_names or name in _ALIASES:
        return note("not_imported", name=name, line=_ALIASES.get(name, f"import {name}"))
    stems = (name.lower(), name.lower().removesuffix("_data"), name.lower().removesuffix("s"))
    files = [f for f in [*s.spec.inputs, *s.workspace.files(limit=200)]  # data to read: the goals' inputs first
             if f.rsplit("/", 1)[-1].split(".")[0].lower() in stems and f not in s.spec.outputs and s.exists(f)]
    data = [f for f in s.spec.inputs if s.exists(f) and not f.endswith(".py")]
    if files or len(data) == 1:  # the data it wanted is in a file: the one named like it, or the goals' one input
        return note("fresh_process_file", name=name, file=(files or data)[0])
    return note("fresh_process", name=name)


# Python's json module on a file that is not valid JSON: "json.decoder.JSONDecodeError: Expecting ...: line 3 column 40"
_JSON_ERROR = re.compile(r"JSONDecodeError: (?P<error>[^\n]*?): line (?P<line>\d+) column (?P<column>\d+)")


@check("malformed_data", Stage.AFTER_TOOL, "light")
def malformed_data(s: Situation) -> Verdict | None:
    """A failed program could not parse a data file of the task's as JSON: the file has an error at a place, or it
    is no JSON at all (json.load on a text file)."""
    if not (found := _failed_with(s, _JSON_ERROR)):
        return None
    named = _files_in_code(s, (".json", ".jsonl"), first=[*s.spec.inputs, *s.spec.changes])
    broken = [name for name in named if not _parses(s.text(name, 1_000_000) or "", jsonl=name.endswith(".jsonl"))]
    if broken:
        where = {"file": broken[0], "error": found.group("error"), "line": found.group("line")}
        return note("malformed_fix" if broken[0] in s.spec.changes else "malformed_data", **where)
    # every JSON file it names is valid: the program parsed a file that is no JSON at all (json.load on notes.txt)
    for name in _files_in_code(s, (".txt", ".csv", ".tsv", ".md", ".log", ".ini"), first=s.spec.inputs):
        if not _parses(text := s.text(name, 1_000_000) or "", jsonl=False):
            start = "\n".join(text.strip().splitlines()[:2])[:120]
            return note("not_json", file=name, start=start)
    return None


def _parses(text: str, *, jsonl: bool) -> bool:
    """Whether ``text`` is valid JSON (each non-blank line, for JSON Lines)."""
    try:
        for part in ([line for line in text.splitlines() if line.strip()] if jsonl else [text]):
            json.loads(part)
    except ValueError:
        return False
    return True


# A number read from a table's header: "could not convert string to float: 'amount'", "invalid literal for int()"
_NOT_A_NUMBER = re.compile(r"(?:could not convert string to float|invalid literal for int\(\) with base 10): "
                           r"'(?P<word>[^'\n]{1,60})'")


@check("header_row", Stage.AFTER_TOOL, "light")
def header_row(s: Situation) -> Verdict | None:
    """A failed program turned a table's header (its column names) into a number: the first line is no data row."""
    if not (found := _failed_with(s, _NOT_A_NUMBER)):
        return None
    word = re.sub(r"(?:\\[nrt])+$", "", found.group("word")).strip().strip('"')  # 'amount\n': the line's end
    for name in _files_in_code(s, (".csv", ".tsv", ".txt"), first=s.spec.inputs):
        header = (s.text(name, 4_000) or "").split("\n", 1)[0].strip()
        columns = [c.strip().strip('"') for c in re.split(r"[,;\t|]", header)]
        if word in columns:
            return note("header_row", file=name, header=header[:200], column=word)
    return None


def _failed_with(s: Situation, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """Where ``pattern`` is in the output of the program that just failed (None for any other command)."""
    tool = s.proposed
    if tool is None or not tool.runs_code or s.ok:
        return None
    return pattern.search(s.output)


def _files_in_code(s: Situation, suffixes: tuple[str, ...], *, first: Sequence[str]) -> list[str]:
    """The workspace's files with one of ``suffixes`` that the command's code names (``first`` first)."""
    code = args_text(s.args)
    return [name for name in dict.fromkeys([*first, *s.workspace.files(limit=200)])
            if name.lower().endswith(suffixes) and name in code and s.exists(name)]


def args_text(args: dict[str, object]) -> str:
    """A command's arguments as one text (a program's code, mostly), to search."""
    return " ".join(str(value) for value in args.values())


def tried_network(s: Situation, act: Act) -> bool:
    """Whether ``act`` was a program that tried the network or to install a package."""
    tool = s.tool_of(act.tool)
    return tool is not None and tool.runs_code and bool(_OFFLINE.search(act.output) or _PIP.search(args_text(act.args)))


@check("compiles", Stage.AFTER_TOOL, "light")
def compiles(s: Situation) -> Verdict | None:
    """Python code just written does not compile: said at once, with Python's error, not when it is first run."""
    name = writes_file(s)
    if name is None or not name.endswith(".py") or not s.ok or (source := s.text(name)) is None:
        return None
    try:
        compile(source, name, "exec")
    except SyntaxError as exc:
        return note("does_not_compile", file=name, error=f"{type(exc).__name__}: {exc.msg}", line=exc.lineno or 0)
    except ValueError:
        return None
    return None


@check("rest", Stage.MENU, "light")
def rest(s: Situation) -> Verdict | None:
    """After a command was refused, its tool rests for a step (small models send the same one again); after a
    program tried the network, the tools that run code do (a small model tries again and again)."""
    resting = set()
    for act in reversed(s.acts[-3:]):
        if act.executed:
            break
        resting.add(act.tool)
    if s.acts and s.acts[-1].executed and tried_network(s, s.acts[-1]):
        resting |= {tool.name for tool in s.tools if tool.runs_code}
    return narrow(leave_out=resting) if resting else None


def _empty(s: Situation, name: str) -> bool:
    text = s.text(name, 4096)
    return text is not None and not text.strip()


def missing_files(s: Situation) -> list[str]:
    """The files the goals ask for that are not there, or empty."""
    return [name for name in s.spec.results if not s.exists(name) or _empty(s, name)]


@check("missing_outputs", Stage.BEFORE_FINISH, "light")
def missing_outputs(s: Situation) -> Verdict | None:
    """Every file the goals ask for is there, and not empty."""
    missing = missing_files(s)
    if not missing:
        return None
    zh = s.lang == "zh"
    return refuse("missing_outputs", subject=",".join(missing), once=True, files=join(missing, s.lang),
                  are="are" if len(missing) > 1 else "is", them="them" if len(missing) > 1 and not zh else "it")


def module_of(name: str) -> str:
    return name.rsplit("/", 1)[-1].removesuffix(".py")


def runs_file(s: Situation, act_tool: str, args: dict[str, object], name: str) -> bool:
    """Whether a command ran ``name`` (a .py file): ran the file itself, imported its module or named it."""
    tool = s.tool_of(act_tool)
    if tool is None or not tool.runs_code:
        return False
    module = re.escape(module_of(name))
    pattern = re.compile(rf"(?:^|[\s;])(?:import\s+{module}\b|from\s+{module}\s+import\b)|\b{re.escape(name)}\b",
                         re.MULTILINE)
    for value in args.values():
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        if text.strip() == name or pattern.search(text):
            return True
        if text.endswith(".py") and (ran := s.relative(text)) and ran != name and (source := s.text(ran)):
            if pattern.search(source):  # a test file that imports it
                return True
    return False


def written_code(s: Situation) -> list[str]:
    """The .py files the run wrote, that are still there."""
    names = {name for act in s.acts if act.executed and act.ok for name in act.changed if name.endswith(".py")}
    return sorted(name for name in names if s.exists(name) and "__pycache__" not in name)


@check("failing_code", Stage.BEFORE_FINISH, "light")
def failing_code(s: Situation) -> Verdict | None:
    """No code the run wrote failed the last time it ran."""
    for name in written_code(s):
        changed = s.last_change(name)
        runs = [act for act in s.acts if act.executed and changed is not None and act.number > changed.number
                and runs_file(s, act.tool, act.args, name)]
        if runs and not runs[-1].ok:
            error = next((line for line in reversed(runs[-1].output.strip().splitlines()) if line.strip()), "")
            return refuse("failing_code", subject=name, once=True, file=name, error=error[:200])
    return None
