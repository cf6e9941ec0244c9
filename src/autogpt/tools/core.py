"""The tools every agent has: ``finish`` ends the run; ``ask_user`` asks the human, when one is present."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import NamedTuple

from autogpt.errors import ToolError
from autogpt.tools.grounding import (
    NOTED,
    asked_places,
    asks_to_compute,
    closer_sentence,
    cut_note,
    misplaced,
    numbers,
    rounds_to_any,
    ungrounded,
    values,
    without_notes,
)
from autogpt.tools.registry import LINKS, PAGES_READ, Tool, ToolContext
from autogpt.tools.untested import (
    SHOWN,
    cut_at_quote,
    failing,
    ran_a_program,
    syntax_error,
    test_call,
    untried,
)
from autogpt.tools.workspace import decode_text

_EXTENSIONS = ("txt md markdown rst csv tsv json jsonl yaml yml toml ini cfg xml html htm css js ts py ipynb sh "
               "sql log tex cpp hpp java go rs rb php svg png jpg jpeg gif pdf docx xlsx pptx").split()  # no .c / .h: "D.C."
# An ASCII file name with a known extension, not part of a longer word or a URL (CJK text may touch it).
_EXTENSION = "|".join(_EXTENSIONS)
_FILE_NAME = re.compile(rf"(?<![A-Za-z0-9_./\\-])([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:{_EXTENSION}))(?![A-Za-z0-9_])",
                        re.IGNORECASE)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_NOT_FILES = {"node.js", "vue.js", "next.js", "nuxt.js", "react.js", "three.js", "d3.js", "chart.js", "express.js"}


def named_files(text: str) -> list[str]:
    """Relative file names mentioned in ``text`` ("write it to fib.txt" → ``["fib.txt"]``), URLs left out."""
    names = [n.strip(".") for n in _FILE_NAME.findall(_URL.sub(" ", text))]
    return list(dict.fromkeys(n for n in names
                              if n.lower() not in _NOT_FILES and not n.startswith("/") and ".." not in n.split("/")))


# The last of these words before a file name, in the same clause, says whether the goal reads or writes it.
_INPUT_CUES = re.compile(r"\b(?:read|reads|reading|open|load|from|parse|count|analy[sz]e|summari[sz]e|compute|"
                         r"calculate|sum|average|filter|sort|check|see|refer|use|using|listed|given|found|contained|mentioned|shown|"
                         r"as in|(?:every|each|all)\s+\w+(?:\s+\w+)?\s+in)\b|读取|读|打开|从|根据|参见|参考|计算|统计|分析|排序|筛选|检查|中",
                         re.IGNORECASE)
_OUTPUT_CUES = re.compile(r"\b(?:write|writes|writing|save|saves|create|creates|named|output|into|to|produce|store|"
                          r"generate|append|add)\b|写入|写|保存|存|生成|创建|输出|到",
                          re.IGNORECASE)


_CLAIM_CUES = re.compile(r"\b(?:wrote|written|saved|created|generated|stored|produced)\b|已写入|写入了|已保存|保存了|已生成|生成了|已创建|创建了",
                         re.IGNORECASE)


def claimed_files(text: str) -> list[str]:
    """The files a finish reason says were written ("Wrote the post to post.md")."""
    claimed = []
    for match in _FILE_NAME.finditer(_URL.sub(" ", text)):
        clause = re.split(r"[.;。；！!？?\n]\s", text[: match.start()] + " ")[-1]
        if _CLAIM_CUES.search(clause):
            claimed.append(match.group(1).strip("."))
    return list(dict.fromkeys(claimed))


# Words that say a file is changed in place: it is then neither only read nor only written.
_MODIFY_CUES = re.compile(r"\b(?:fix|fixes|edit|edits|update|updates|modify|modifies|change|changes|correct|rewrite|"
                          r"refactor|replace|clean|reformat|patch)\b|修改|修复|修正|更新|改正|改写|替换|编辑",
                          re.IGNORECASE)


# Words that say a file is added to: what it holds already must stay.
_ZH_AT = re.compile(r"[在向往给]\s*$")  # 在 todo.txt 末尾添加: the file is where to add
_ADD_CUES = re.compile(r"\b(?:add|adds|append|appends|insert|inserts)\b|添加|追加|加上|增加|插入", re.IGNORECASE)


class _Role(NamedTuple):
    name: str
    last_in: int  # where the last input cue before the name ends in its clause (-1: none)
    last_out: int  # the same for the last output cue
    modify: bool  # the clause says to change the file in place
    add: bool  # the clause says to add to it


def _file_roles(text: str) -> list[_Role]:
    """Each file ``text`` names, with what its clause says to do with it."""
    roles = []
    cleaned = _URL.sub(" ", text)
    for match in _FILE_NAME.finditer(cleaned):
        name = match.group(1).strip(".")
        if name.lower() in _NOT_FILES or name.startswith("/") or ".." in name.split("/"):
            continue
        clause = re.split(r"[.;。；！!？?\n]\s", cleaned[: match.start()] + " ")[-1]
        last_in = max((m.end() for m in _INPUT_CUES.finditer(clause)), default=-1)
        last_out = max((m.end() for m in _OUTPUT_CUES.finditer(clause)), default=-1)
        # Chinese may name the place first and the verb after it: 在 todo.txt 末尾添加一行 (add to todo.txt).
        after = re.split(r"[.;。；，,！!？?\n]", cleaned[match.end():])[0][:12] if _ZH_AT.search(clause) else ""
        add = bool(_ADD_CUES.search(clause) or _ADD_CUES.search(after))
        roles.append(_Role(name, last_in, last_out, bool(_MODIFY_CUES.search(clause)), add))
    return roles


def expected_outputs(text: str) -> list[str]:
    """The files ``text`` asks to produce: named files, except those it only reads ("Read data.csv, ...")."""
    return list(dict.fromkeys(role.name for role in _file_roles(text) if role.last_in <= role.last_out))


#: ToolContext.extras: {table a program wrote: what is wrong with it (rows of an input with their values rewritten,
#: rows without the header)}, until it is written again; ``finish`` asks about it once
FLAWED_TABLES = "flawed_tables"
INPUTS = "goal_inputs"  # ToolContext.extras: the files the goals give to read, kept as they are
USER_FILES = "user_files"  # ToolContext.extras: the files the workspace had when the run began
#: ToolContext.extras: True when the step's result said every asked file exists and finish is next (the loop then
#: offers only finish and the tools that read, for one step)
SAID_DONE = "said_done"
#: ToolContext.extras: a write just got the typed-numbers note: the next step computes (the writing tools rest)
COMPUTE_NEXT = "compute_next"
#: ToolContext.extras flag: a program failed in the written module it tests: the next step rewrites it (no other tools)
AFTER_LOOP = "after_loop"  # ToolContext.extras: (the last line printed, the line added after the loop, the program
# with it in the loop) of the last program, while it adds a value after its loop: that line's numbers are wrong
FIX_NEXT = "fix_next"
#: ToolContext.extras flag: a program printed a computed answer while the file for it is missing (see
#: ``code.unwritten_result``): the next step may only write (or finish).
WRITE_NEXT = "write_next"  # ToolContext.extras: (what a program printed, the missing file it answers): write it next
ADDED_TO = "goal_added_to"  # ToolContext.extras: {file the goals say to add to: its lines at the start}
INPUT_BYTES = "goal_input_bytes"  # ToolContext.extras: {file the goals give to read: its bytes at the start}
_KEPT_MAX_BYTES = 100_000
_INPUT_COPY_MAX_BYTES = 2_000_000


def protect_inputs(ctx: ToolContext, at_start: dict[str, tuple[int, int]]) -> None:
    """Note, when a run begins, the user's files the goals give to read or say to add to (``at_start``: the
    workspace's files then)."""
    goals = "\n".join(ctx.goals)
    ctx.extras[USER_FILES] = set(at_start)
    ctx.extras[INPUTS] = [name for name in goal_inputs(goals) if name in at_start]
    copies: dict[str, bytes] = {}
    for name in ctx.extras[INPUTS]:
        try:
            if at_start[name][0] <= _INPUT_COPY_MAX_BYTES:
                copies[name] = ctx.workspace.resolve(name).read_bytes()
        except (ToolError, OSError):
            continue
    ctx.extras[INPUT_BYTES] = copies
    added: dict[str, list[str]] = {}
    for name in dict.fromkeys(role.name for role in _file_roles(goals) if role.add):
        try:
            if name in at_start and at_start[name][0] <= _KEPT_MAX_BYTES:
                added[name] = [line for line in ctx.workspace.read_text(name).splitlines() if line.strip()]
        except (ToolError, OSError):
            continue
    ctx.extras[ADDED_TO] = added


def restore_inputs(ctx: ToolContext) -> list[str]:
    """Put back, as they were when the run began, the files the goals give to read that a program changed or
    deleted (MalformedJson's program opened input.json for writing, failed, and left it empty); their names."""
    restored = []
    for name, data in ctx.extras.get(INPUT_BYTES, {}).items():
        try:
            path = ctx.workspace.resolve(name)
            if path.is_file() and path.read_bytes() == data:
                continue
            if path.is_dir():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except (ToolError, OSError):
            continue
        restored.append(name)
    return restored


def keep_input(ctx: ToolContext, relative: str, content: str = "", *, append: bool = True) -> None:
    """Refuse to change a file the goals give to read, or to replace a file they say to add to by text that
    drops its lines (the user's data, lost if overwritten: AppendLine's model appended the line, then wrote the
    file again with that line alone)."""
    if relative in ctx.extras.get(INPUTS, ()):
        # not the inputs: InventoryReport's model was told "the task asks for inventory.txt, report.txt"
        outputs = [name for name in asked_outputs(ctx) if name != relative and name not in ctx.extras[INPUTS]]
        where = f" (the task asks for {', '.join(outputs)})" if outputs else ""
        raise ToolError(f"{relative} is an input of the task: the goals give it to read, so it stays as it is. "
                        f"Write the result to the file the task asks for{where}, or to a new file.")
    kept = ctx.extras.get(ADDED_TO, {}).get(relative)
    if kept and not append:
        lines = set(content.splitlines())
        lost = [line for line in kept if line not in lines]
        if lost:
            raise ToolError(f"Not written: the task says to add to {relative}, and this text would lose {len(lost)} "
                            f"of its {len(kept)} lines (e.g. {lost[0]!r}). Use append_file to add at the end, or "
                            "write the whole file with every old line kept.")


def asks_to_change(goals: list[str]) -> bool:
    """Whether the goals say to change something ("fix", "update", "修改")."""
    return any(_MODIFY_CUES.search(goal) for goal in goals)


def goal_inputs(text: str) -> list[str]:
    """The files ``text`` gives to read: named after a reading word ("Read data.csv") or with no word for what
    to do with them ("input.json lists items"), and nowhere to be changed ("fix app.py") or written ("add a
    line to todo.txt")."""
    roles = _file_roles(text)
    changed = {role.name for role in roles if role.modify or role.last_out > role.last_in}
    return list(dict.fromkeys(role.name for role in roles if role.name not in changed))


# A goal that hands over a file of instructions to carry out ("Read instructions.txt and carry out every
# instruction in it"): the files those instructions create are the task's outputs too.
_FOLLOW_CUES = re.compile(r"\b(?:carry out|carries out|follow|follows|do what|does what|execute|perform|complete)\b|"
                          r"按照|遵照|照着|照做|执行|完成", re.IGNORECASE)
_INSTRUCTIONS_MAX_BYTES = 20_000


def instructed_outputs(ctx: ToolContext) -> list[str]:
    """The files that the instruction files the goals give to carry out say to create ("1. Create a file named
    greeting.txt ...")."""
    found = [output for name, text in instruction_texts(ctx).items() for output in _outputs_of(text, name)]
    return list(dict.fromkeys(found))


@functools.lru_cache(maxsize=32)
def _outputs_of(text: str, name: str) -> tuple[str, ...]:
    """The files the instructions ``text`` (of the file ``name``) say to write: a file they merely mention is not an
    output."""
    return tuple(role.name for role in _file_roles(text) if role.last_out > role.last_in and role.name != name)


def instruction_texts(ctx: ToolContext) -> dict[str, str]:
    """The instruction files the goals give to carry out, ``{name: text}`` (none unless the goals say to follow a
    file). Asked at every step (the state message lists the missing files they name): each file is read again only
    when it changed."""
    goals = "\n".join(ctx.goals)
    if not _FOLLOW_CUES.search(goals):
        return {}
    seen: dict[str, tuple[int, int, str]] = ctx.extras.setdefault("instruction_texts", {})
    texts = {}
    for name in goal_inputs(goals):
        try:
            path = ctx.workspace.resolve(name)
            if not path.is_file() or (stat := path.stat()).st_size > _INSTRUCTIONS_MAX_BYTES:
                continue
            if seen.get(name, (0, 0, ""))[:2] != (stat.st_mtime_ns, stat.st_size):
                seen[name] = (stat.st_mtime_ns, stat.st_size, ctx.workspace.read_text(name))
        except (ToolError, OSError):
            continue
        texts[name] = seen[name][2]
    return texts


def web_addresses(text: str) -> list[str]:
    """The http(s) addresses ``text`` names, in order, without the punctuation that ends a sentence."""
    found = (match.rstrip(".,;:!?") for match in re.findall(r"https?://[^\s<>\"'`，。、；：！？）)\]]+", text))
    return list(dict.fromkeys(address for address in found if len(address.split("//", 1)[1]) > 0))


#: Goals that ask for a translation ("translation.txt" is a file name, not a request).
TRANSLATE = re.compile(r"\btranslat(?:e|es|ed|ing|ion)\b(?!\.\w)|翻译|译成|译为|翻成", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]{20,})\"|“([^”]{20,})”|「([^」]{20,})」")


# Words of a goal that say nothing about which page to read next.
_PLAIN = set("""about after also answer before comes does file find from have home html http https into many much
name named number only other page pages site start tell tells that them then there this what when which will with
write written""".split())


def goal_link(ctx: ToolContext) -> tuple[str, str] | None:
    """A link of a page read in this task, not read yet, whose address names a word of the goals ("warranty" for
    warranty.html), with that word. WebFollowLink's model read the home page, which named warranty.html, and typed
    a guess."""
    words = set(re.findall(r"[a-z]{4,}", "\n".join(ctx.goals).lower())) - _PLAIN
    read = set(ctx.extras.get(PAGES_READ, []))
    for address in dict.fromkeys(a for links in ctx.extras.get(LINKS, {}).values() for a in links):
        if address in read:
            continue
        named = set(re.findall(r"[a-z]{4,}", _URL.sub(lambda m: m.group(0).split("/", 3)[-1], address).lower()))
        if shared := sorted(words & named - _PLAIN):
            return shared[0], address
    return None


def text_to_translate(goals: list[str]) -> str:
    """The text the goals give, in quotes, to translate; "" when they give none."""
    text = "\n".join(goals)
    quoted = _QUOTED.search(text) if TRANSLATE.search(text) else None
    return next((part for part in quoted.groups() if part), "") if quoted else ""


def missing_files(ctx: ToolContext, reason: str = "") -> list[str]:
    """Files the goals (or the instructions they give to carry out) ask for, or the finish reason claims, that the
    workspace does not have."""
    return absent(ctx, expected_outputs("\n".join(ctx.goals)) + instructed_outputs(ctx) + claimed_files(reason))


_ASKED_DEF = re.compile(r"\b(?:function|method)\s+`?(\w+)\s*\(|\bclass\s+`?([A-Z]\w*)")


def asked_definitions(goals: list[str]) -> list[str]:
    """The functions and classes the goals ask for by name: ``parse_duration`` in "a function parse_duration(text)"."""
    return list(dict.fromkeys(match.group(1) or match.group(2) for match in _ASKED_DEF.finditer("\n".join(goals))))


def asked_outputs(ctx: ToolContext) -> list[str]:
    """The files the goals (or the instructions they give to carry out) ask for, other than those they give to
    read."""
    goals = "\n".join(ctx.goals)
    inputs = set(goal_inputs(goals))
    return [name for name in dict.fromkeys(expected_outputs(goals) + instructed_outputs(ctx)) if name not in inputs]


def missing_results(ctx: ToolContext) -> list[str]:
    """The files the task asks for that do not exist yet, other than code: where a result is to be written."""
    return [name for name in missing_files(ctx) if not name.endswith(".py")]


def all_made(ctx: ToolContext, written: list[str], typed: str | None = None) -> str:
    """A note for a step that wrote a file the task asks for, when every such file exists now: finish is next if
    they hold what the goals ask. WordCount's model wrote 307 to answer.txt, went on, and overwrote it with the
    number of characters; FollowInstructions' wrote its three files, then wrote done.txt twice more. When the
    task asks for code, the note says to test it instead (a module is tested before it is done). Not for a table
    with only its header row (FilterRows' model wrote just the header to shipped.csv): that gets its own note.
    Nor while a file holds a number typed for a computing goal (PrimeSum's model wrote 0 to answer.txt first, was
    told it was done, and never wrote the sum its program printed), and not for a computing goal before any
    program ran (JoinCsv's model typed the orders' rows into customer_totals.csv, was told it was done, and was),
    nor for ``typed`` text (what ``write_file`` wrote) with a number no program showed: JoinCsv's model, in
    another run, typed five customers (one made up) with a total of 0 each, the 0 the goals give for a customer
    without orders."""
    goals = "\n".join(ctx.goals)
    asked = asked_outputs(ctx)
    if not asked or absent(ctx, asked):
        return ""
    made: dict[str, str] = {}
    for name in asked:
        try:
            made[ctx.workspace.relative(ctx.workspace.resolve(name))] = name
        except ToolError:
            continue
    if not set(made) & set(written):
        return ""
    if any(relative.endswith(".py") for relative in made):
        return _test_next(ctx, [relative for relative in written if relative.endswith(".py")])
    if (nothing := not_found(ctx)) and nothing[0] in made:
        return (f"\nNote: {nothing[0]} says {nothing[1]!r}, which is no answer. Look again at what you read (the "
                "page or file above): the goals ask for what it holds. Write that there.")
    if empty := [relative for relative in made if _blank(ctx, relative)]:
        return (f"\nNote: {empty[0]} is empty: it holds nothing yet. Write what the goals ask for to it (when a "
                "program wrote it, check what the program matched: maybe nothing did).")
    if same := repeated_value(ctx):
        return f"\nNote: {_repeated_note(*same)}"
    if wrong := wrong_header(ctx):
        name, have, want = wrong
        return (f"\nNote: {name} begins with the header row {have or '(empty)'}, but the goals ask for {want}. Write "
                f"it again with that header row and the rows the goals ask for under it.{_columns_hint(have, want)}")
    if short := too_few_lines(ctx):  # InventoryReport, run 22: the total line alone, "done"
        return f"\nNote: {_too_few_note(ctx, *short)}"
    computing = asks_to_compute(ctx.goals) and not web_addresses(goals)  # a web goal's number is found, not computed
    if made_up_numbers(ctx) or (computing and not ran_a_program(ctx)):
        return ""  # a typed number is not a result (PrimeSum's 0), nor are typed rows before anything computed them
    if computing and typed is not None and ungrounded(typed, [without_notes(t) for t in ctx.extras.get(SHOWN, [])]):
        return ""
    for relative in made:
        if relative.endswith((".csv", ".tsv")) and _lines(ctx, relative) < 2:
            return (f"\nNote: {relative} holds only a header row so far: the rows the goals ask for are still to be "
                    "written.")
    ctx.extras[SAID_DONE] = True
    return (f"\nNote: every file the task asks for exists now ({', '.join(asked)}). If they hold what the goals ask, "
            "the task is done: call finish.")


def tested(ctx: ToolContext, tried: list[str], code: str) -> str:
    """A note for a program with asserts that ran code the task asks for without error, when every file the task
    asks for exists and none is untested or failing: finish is next if the asserts checked what the goals ask.
    StackClass's model tested its right stack.py (ok), then wrote it again, then broke it, until its time ran
    out."""
    asked = asked_outputs(ctx)
    if not re.search(r"^\s*assert\b", code, re.MULTILINE) or not asked or absent(ctx, asked):
        return ""
    if not set(tried) & set(asked) or untried(ctx) or failing(ctx):
        return ""
    ctx.extras[SAID_DONE] = True
    return (f"\nNote: the asserts passed, and every file the task asks for exists ({', '.join(asked)}). If they "
            "checked what the goals ask, the task is done: call finish.")


def _test_next(ctx: ToolContext, written: list[str]) -> str:
    """When the task asks for code: its test is next, not another write and not finish. StackClass's model wrote a
    whole, working Stack at its first step, then wrote it twice more (the last time dropping four methods) until
    its time ran out."""
    unrun = untried(ctx)
    fresh = [path for path in written if path in unrun]
    if not fresh or ctx.sandbox is None:
        return ""
    path = fresh[0]
    tests = [path] if PurePosixPath(path).name.startswith("test_") else [
        str(PurePosixPath(path).with_name(f"test_{PurePosixPath(path).name}")), f"test_{PurePosixPath(path).name}"]
    test = next((name for name in dict.fromkeys(tests) if not absent(ctx, [name])), "")
    if broken := syntax_error(ctx, path):  # Slugify's stub: a def whose body is a comment, written four times
        return (f"\nNote: {path} does not compile: {broken}. Write it again with the whole code: every def needs a "
                f"body that does the work.{cut_at_quote(ctx.workspace.read_text(path))}")
    if test:
        return f"\nNote: {path} is written, not yet run. Next, run {test}: execute_python_file(path=\"{test}\")."
    # Slugify, runs 10 and 11: told to test "with code that starts with from slugify import slugify", the model
    # put that line into slugify.py itself; the call, written out, is a separate program
    call, examples = test_call(ctx, path)
    if examples:  # ParseDuration's model, told "with an assert for each thing the task asks", never tested
        return (f"\nNote: {path} is written, not yet run. Next, test it with the task's examples, in a separate "
                f"program (not in {path}): {call}. Add an assert for anything else the task asks. Finish when it "
                "prints ok.")
    return (f"\nNote: {path} is written, not yet run. Next, test it in a separate program, not in {path}: "
            f"{call}, with an assert for each thing the task asks. Finish when it prints ok.")


# "with the header name,total": the header row the goals give, its names joined by commas (no spaces inside).
_HEADER = re.compile(r"(?:\bheader(?:\s+row)?|表头|标题行)\s*(?:is|of|为|是)?\s*[:：]?\s*[\"'`“]?"
                     r"([A-Za-z_][\w.-]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.-]*)+)", re.IGNORECASE)
_SAME_HEADER = re.compile(r"\bsame header\b|相同的表头|同样的表头", re.IGNORECASE)


def _fields(line: str) -> list[str]:
    return [field.strip().strip("\"'`“”").strip().lower() for field in line.split(",")]


def asked_header(ctx: ToolContext) -> tuple[str, list[str]] | None:
    """The one table the task asks for and the header row the goals give it ("with the header name,total", or
    "the same header" as the one table it reads), as lowercase names; None when they give none."""
    goals = "\n".join(ctx.goals)
    inputs = goal_inputs(goals)
    tables = [name for name in expected_outputs(goals) if name.endswith(".csv") and name not in inputs]
    if len(tables) != 1:
        return None
    if given := _HEADER.search(goals):
        return tables[0], _fields(given.group(1))
    sources = [name for name in inputs if name.endswith(".csv")]
    if _SAME_HEADER.search(goals) and len(sources) == 1 and (first := _first_line(ctx, sources[0])):
        return tables[0], _fields(first)
    return None


def _first_line(ctx: ToolContext, name: str) -> str | None:
    """The first line of the workspace file ``name`` ("" when it is empty), None when it cannot be read."""
    try:
        lines = ctx.workspace.read_text(name, max_bytes=4096).lstrip("\ufeff").splitlines()
    except (ToolError, OSError):
        return None
    return lines[0] if lines else ""


def wrong_header(ctx: ToolContext) -> tuple[str, str, str] | None:
    """The table the task asks for, its header row and the one the goals give, when the two differ (JoinCsv's
    model wrote customer_totals.csv with the header ``amount`` where the goals ask for ``name,total``)."""
    asked = asked_header(ctx)
    if asked is None:
        return None
    name, want = asked
    have = _first_line(ctx, name)
    if have is None or _fields(have) == want:
        return None
    return name, have.strip(), ",".join(want)


_EMPTY_ASKED = re.compile(r"\bempty\b|空文件|空的", re.IGNORECASE)


def first_time(ctx: ToolContext, key: str, name: str) -> bool:
    """Whether the refusal named ``key`` meets ``name`` for the first time (it is remembered in extras)."""
    warned: set[str] = ctx.extras.setdefault(key, set())
    first = name not in warned
    warned.add(name)
    return first


def _blank(ctx: ToolContext, name: str) -> bool:
    """Whether ``name`` is a file in the workspace holding nothing but white space (a binary file is not), and
    the goals do not ask for an empty file."""
    if _EMPTY_ASKED.search("\n".join(ctx.goals)):
        return False
    try:
        path = ctx.workspace.resolve(name)
        if not path.is_file() or path.stat().st_size > 4096:
            return False
        return not path.read_bytes().strip()
    except (ToolError, OSError):
        return False


_EACH_IN = re.compile(r"\bone (?:line|row) (?:for|per) (?:each|every)\b[^.;:]*?\b(?:in|of|from)\s+([\w./-]+\.[A-Za-z]{1,5})\b",
                      re.IGNORECASE)


_SAME_ROWS = re.compile(r"\b(?:the same rows|all (?:the |of the |its )?rows|every row)\b|同样的行|所有(?:的)?行", re.IGNORECASE)


def too_few_lines(ctx: ToolContext) -> tuple[str, int, str, int] | None:
    """An output file with fewer lines than the goals ask: "one line for each item listed in inventory.txt" with
    fewer lines than inventory.txt has items (its non-empty lines, without a table's header row), or a table with
    fewer rows than the one table the goals give where they ask for "the same rows". (output, its
    lines, the input, its items). InventoryReport's model (run 22) replaced its typed report with the one total
    line its program printed, was told every file existed, and finished."""
    asked = [name for name in asked_outputs(ctx) if not name.endswith(".py")]
    if len(asked) != 1 or absent(ctx, asked):
        return None
    goals = "\n".join(ctx.goals)
    sources = [match.group(1) for match in _EACH_IN.finditer(goals)]
    if _SAME_ROWS.search(goals) and _is_table(asked[0]):  # SortCsv, run 23: "the same rows, sorted", 7 of 12 kept
        sources += [name for name in goal_inputs(goals) if _is_table(name)][:1]
    for source in sources:
        if source == asked[0] or absent(ctx, [source]):
            continue
        want, have = _data_lines(ctx, source), _data_lines(ctx, asked[0])
        if 0 < have < want:
            return asked[0], have, source, want
    return None


def _is_table(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in (".csv", ".tsv")


def _data_lines(ctx: ToolContext, relative: str) -> int:
    """The non-empty lines of a file, without a table's header row."""
    try:
        lines = [line for line in ctx.workspace.read_text(relative, max_bytes=200_000).splitlines() if line.strip()]
    except (ToolError, OSError):
        return 0
    return max(len(lines) - _is_table(relative), 0)


def repeated_value(ctx: ToolContext) -> tuple[str, str, int] | None:
    """A text output (not code or a table) whose lines, two or more, are all one value the goals name: what they
    select by, not what they ask for. Latin1Encoding, run 30: asked for the names of the customers whose city is
    Zürich, the program wrote each line's city, and zurich.txt held "Zürich" four times."""
    goals = "\n".join(ctx.goals).casefold()
    for name in asked_outputs(ctx):
        if name.endswith((".py", ".csv", ".tsv", ".json")) or absent(ctx, [name]):
            continue
        try:
            lines = [line.strip() for line in ctx.workspace.read_text(name, max_bytes=65536).splitlines() if line.strip()]
        except (ToolError, OSError):
            continue
        if len(lines) >= 2 and len(set(lines)) == 1 and re.search(r"[^\W\d_]", lines[0]) and (
                lines[0].casefold() in goals):
            return name, lines[0], len(lines)
    return None


def _repeated_note(name: str, value: str, count: int) -> str:
    return (f"{name} has {value!r} on each of its {count} lines: that is the value the goals select by, the same for "
            "every line, not what they ask for from each. Take the part the goals ask for (print one line split into "
            "its parts to see which), and write that.")


def _repeated_check(ctx: ToolContext, reason: str) -> str:
    """One value the goals name on every line of an output (see ``repeated_value``): asked once."""
    same = repeated_value(ctx)
    if same is None or not first_time(ctx, "finish_repeated_warned", same[0]):
        return ""
    return _repeated_note(*same) + " If it is right as it is, call finish again."


def _too_few_lines_check(ctx: ToolContext, reason: str) -> str:
    """Fewer lines in the output than the goals ask for (see ``too_few_lines``)."""
    short = too_few_lines(ctx)
    if short is None or not first_time(ctx, "finish_too_few_warned", short[0]):
        return ""
    return _too_few_note(ctx, *short) + " If it is right as it is, call finish again."


def _too_few_note(ctx: ToolContext, name: str, have: int, source: str, want: int) -> str:
    noun = "row" if _is_table(name) else "line"  # a table's, under its header
    left = _left_out(ctx, name, source)
    which = f" None is for {left!r} of {source}." if left else ""
    return (f"{name} has {have} {noun}{'s' * (have != 1)}, but the goals ask for one for each in {source}, which has "
            f"{want}.{which} Write every one: a program that reads {source} and writes a {noun} for each to {name}.")


def _left_out(ctx: ToolContext, name: str, source: str) -> str:
    """The first item (line) of ``source`` none of whose words or values appears in ``name``: what the output left
    out. JoinCsv, run 24: its pandas merge from orders.csv had no row for the one customer without orders."""
    try:
        have = ctx.workspace.read_text(name, max_bytes=200_000)
        lines = [line for line in ctx.workspace.read_text(source, max_bytes=200_000).splitlines() if line.strip()]
    except (ToolError, OSError):
        return ""
    for line in lines[_is_table(source):]:
        cells = [cell.strip() for cell in re.split(r"[,;:\t=]", line)]
        words = [cell for cell in cells if len(cell) >= 3 and not re.fullmatch(r"[-\d.]+", cell)]
        if words and not any(word in have for word in words):
            return line.strip()
    return ""


def _lines(ctx: ToolContext, relative: str) -> int:
    try:
        return len(ctx.workspace.read_text(relative, max_bytes=4096).strip().splitlines())
    except (ToolError, OSError):
        return 0


def absent(ctx: ToolContext, names: list[str]) -> list[str]:
    """Those of ``names`` that are not in the workspace."""
    missing = []
    for name in dict.fromkeys(names):
        try:
            if not ctx.workspace.resolve(name).exists():
                missing.append(name)
        except ToolError:  # a name the workspace refuses: not ours to check
            continue
    return missing


_CLAIM_REFUSALS = 3


def finish(reason: str, ctx: ToolContext) -> str:
    """Call this when every goal is done (or cannot be done): it ends the task.

    Args:
        reason: A short summary of what was achieved, for the user.
    """
    # The run's evaluation against its goals. Each check asks about one thing, once (a missing file the reason
    # claims, up to three times): finishing again after a refusal ends the run, so nothing is ever held forever.
    for check in FINISH_CHECKS:
        if refusal := check(ctx, reason):
            raise ToolError(f"Not finished: {refusal}")
    return reason


def _missing_check(ctx: ToolContext, reason: str) -> str:
    """A file the goals name or the reason claims, not in the workspace: the commonest false finish. Claiming
    again to have written it is refused again (up to three times: the 1.5B model repeats its claim)."""
    warned: dict[str, int] = ctx.extras.setdefault("finish_missing_warned", {})
    claimed = set(claimed_files(reason))
    missing = [name for name in missing_files(ctx, reason)
               if name not in warned or (name in claimed and warned[name] < _CLAIM_REFUSALS)]
    if not missing:
        return ""
    for name in missing:
        warned[name] = warned.get(name, 0) + 1
    listed, one = ", ".join(missing), len(missing) == 1
    if asked_outputs(ctx) and not set(missing_files(ctx)) & set(missing):
        # the task names its files, and these are others only the reason names: Slugify's model finished with the
        # prompt's example ("Wrote 1889 to year.txt ..."), was told to write year.txt, and did
        # run 24: told only "do what the goals ask", FilterRows' and JoinCsv's models wrote the example's 1889 into
        # their own tables
        asked = asked_outputs(ctx)
        return (f"you say you wrote {listed}, but {'it does' if one else 'they do'} not exist, and the task does not "
                f"ask for {'it' if one else 'them'}: that is other work (the example in your instructions?). This "
                f"task asks for {', '.join(asked)}: check that {'it holds' if len(asked) == 1 else 'they hold'} what "
                "the goals ask (or make it so), then finish saying what you did for this task.")
    if (wrong := ctx.extras.get(AFTER_LOOP)) and not missing[0].endswith(".py"):
        # InventoryReport, run 30: given the mended program, it finished; told to write report.txt, it typed 59.20
        return (f"{listed} {'does' if one else 'do'} not exist in the workspace, and your last program printed "
                f"{wrong[0]!r} with {wrong[1]} after its loop: the last value alone. Next, run it with that line in "
                f"the loop: execute_python(code={json.dumps(wrong[2], ensure_ascii=False)}), and write what it "
                f"prints to {missing[0]}.")
    if uncomputed(ctx) and not missing[0].endswith(".py"):
        # JoinCsv, run 29: finished right after reading the two tables, then typed made-up totals as told to write
        inputs = [name for name in goal_inputs("\n".join(ctx.goals)) if name not in missing]
        reads = f"reads {' and '.join(inputs)}, " if inputs else ""
        return (f"{listed} {'does' if one else 'do'} not exist in the workspace, and no program has run in this task, "
                f"which asks for something computed. Next, compute it with execute_python (a program that {reads}"
                f"works it out, prints it and writes it to {missing[0]}). If that cannot be done, call finish again "
                "and say why.")
    return (f"{listed} {'does' if one else 'do'} not exist in the workspace, but the task names "
            f"{'it' if one else 'them'}. Next, write {'it' if one else 'each'}: write_file(path=\"{missing[0]}\", "
            "content=...). If that cannot be done, call finish again and say why.")


_CODE_WARNINGS = 3  # times finish asks about one file's code, each time about another version of it


def _unwarned(ctx: ToolContext, key: str, path: str) -> bool:
    """Whether finish has not yet asked (under ``key``) about this version of ``path``; if so, it is noted as asked.
    Slugify, run 25: asked at step 2 to test slugify.py, the model rewrote it at step 7 and finished untested."""
    try:
        version = hash(ctx.workspace.read_text(path, max_bytes=200_000))
    except (ToolError, OSError):
        version = 0
    asked: dict[str, list[int]] = ctx.extras.setdefault(key, {})
    if version in asked.setdefault(path, []) or len(asked[path]) >= _CODE_WARNINGS:
        return False
    asked[path].append(version)
    return True


def _untried_check(ctx: ToolContext, reason: str) -> str:
    """Code written and never run."""
    unrun = [path for path in untried(ctx) if _unwarned(ctx, "finish_untried_warned", path)] if ctx.sandbox else []
    if not unrun:
        return ""
    listed, one = ", ".join(unrun), len(unrun) == 1
    module = next((p for p in unrun if not PurePosixPath(p).name.startswith("test_")), unrun[0])
    call, examples = test_call(ctx, module)
    asked = ("with the task's examples (fix the code if one fails)" if examples else
             "with an assert for each example the task gives (fix the code if one fails)")
    return (f"{listed} {'was' if one else 'were'} written but never run, so nobody knows whether "
            f"{'it works' if one else 'they work'}. Next, test it in a separate program: {call}, {asked}. If it "
            "cannot be run, call finish again.")


def _failing_check(ctx: ToolContext, reason: str) -> str:
    """Code whose last run failed."""
    broken = ({path: error for path, error in failing(ctx).items() if _unwarned(ctx, "finish_failing_warned", path)}
              if ctx.sandbox else {})
    if not broken:
        return ""
    path, error = next(iter(broken.items()))
    return (f"the last program that used {path} failed ({error}). Next, fix {path} with write_file and run the "
            "test again; finish when it passes. If it cannot pass, call finish again and say why.")


def _header_only_check(ctx: ToolContext, reason: str) -> str:
    """A table with only its header row: FilterRows' model wrote shipped.csv's header twice, then finished."""
    empty = [name for name in header_only(ctx) if first_time(ctx, "finish_header_warned", name)]
    if not empty:
        return ""
    name = empty[0]
    source = next((n for n in goal_inputs("\n".join(ctx.goals)) if n != name), "")
    reads = f"reads {source} (csv.DictReader), " if source.endswith((".csv", ".tsv")) else ""
    return (f"{name} holds only its header row, not the rows the goals ask for. Next, write them: execute_python "
            f"with a program that {reads}keeps the rows the goals ask for and writes the header and those rows to "
            f"{name}. If the table really has no rows, call finish again.")


def _flawed_table_check(ctx: ToolContext, reason: str) -> str:
    """A table written with an input's rows altered or without its header row (see ``FLAWED_TABLES``)."""
    flawed = [(name, note) for name, note in ctx.extras.get(FLAWED_TABLES, {}).items()
              if not absent(ctx, [name]) and first_time(ctx, "finish_flawed_warned", name)]
    if not flawed:
        return ""
    name, note = flawed[0]
    return f"{note} Write {name} again that way. If it is right as it is, call finish again."


def _not_found_check(ctx: ToolContext, reason: str) -> str:
    """A result that says there is none (WebFact)."""
    nothing = not_found(ctx)
    if not nothing or not first_time(ctx, "finish_not_found_warned", nothing[0]):
        return ""
    return (f"{nothing[0]} says {nothing[1]!r}, which is no answer. Read the page or file the goals name again "
            "(read it whole) and write what it says about what they ask. If it truly does not say, call finish again.")


def _empty_check(ctx: ToolContext, reason: str) -> str:
    """An empty result: Latin1Encoding's last program matched nothing and wrote an empty zurich.txt."""
    empty = [name for name in empty_outputs(ctx) if first_time(ctx, "finish_empty_warned", name)]
    if not empty:
        return ""
    return (f"{empty[0]} is empty, but the task asks for it to hold a result. Next, write the result to it (if a "
            "program wrote it, print what the program matches and fix it). If it should be empty, call finish again.")


def _header_row_check(ctx: ToolContext, reason: str) -> str:
    """A table whose header row is not the one the goals give (JoinCsv)."""
    wrong = wrong_header(ctx)
    if not wrong or not first_time(ctx, "finish_header_row_warned", wrong[0]):
        return ""
    name, have, want = wrong
    return (f"{name} begins with the header row {have or '(empty)'}, but the goals ask for {want}. Next, write "
            f"{name} again with the header row {want} and the rows under it (a program that computes them can write "
            f"them).{_columns_hint(have, want)} If it is right as it is, call finish again.")


def _columns_hint(have: str, want: str) -> str:
    """For a table with every asked column and more (JoinCsv, run 24: customer_id,name,city,total for name,total):
    how to keep only the asked ones."""
    wanted = want.split(",")
    if len(wanted) < len(_fields(have)) and set(wanted) <= set(_fields(have)):
        return (f" It has every column asked and more: keep only {want} (with pandas, df[{wanted!r}].to_csv(..., "
                f"index=False); with the csv module, write only those values of each row).")
    return ""


def _typed_numbers_check(ctx: ToolContext, reason: str) -> str:
    """Numbers typed into a result for a computing goal that no command showed: asked twice (WordCount, run 15:
    typed 201, was asked, typed 201 again and finished; InventoryReport: asked, ran a program that printed only the
    total, and finished with the typed lines, one of them missing)."""
    warned: dict[str, int] = ctx.extras.setdefault("finish_numbers_warned", {})
    web = bool(web_addresses("\n".join(ctx.goals)))
    limit = 1 if web else 2
    typed = {name: found for name, found in made_up_numbers(ctx, reason).items() if warned.get(name, 0) < limit}
    if not typed:
        return ""
    name, found = next(iter(typed.items()))
    for each in typed:
        warned[each] = warned.get(each, 0) + 1
    shown = ", ".join(found[:3])
    it = "it" if len(found) == 1 else "them"
    cut, places = cut_note(found, [without_notes(seen) for seen in ctx.observations])
    if cut:  # ZhAverageScore, run 27: told twice that 79.86 was typed, it wrote 79.86 again
        return (f"{name} holds {shown}, and {cut}. Write the rounded number to {name} (in Python, "
                f"f\"{{value:.{places}f}}\"). If {shown} is right as it is, call finish again.")
    if warned[name] > 1 and ran_a_program(ctx):
        return (f"{name} still holds {shown}, which you typed: no program printed {it}. Next, run execute_python with "
                f"a program that computes every number of {name} from the data, prints {it} and writes the whole of "
                f"{name} itself (with open({name!r}, 'w') as f: f.write(...)).")
    if warned[name] > 1:
        return (f"{name} still holds {shown}, which you typed, and no program has run in this task. A count, sum or "
                f"other computed number is right only when a program works it out: next, run execute_python with a "
                f"program that computes {it} from the data, prints {it} and writes {it} to {name}.")
    # WebFollowLink's model typed 12 months before reading the warranty page, and was told to compute it
    source = (f"find {it} on the pages: read the page that tells {it} (read_webpage on a link the pages listed) "
              f"and write what it says to {name}" if web else
              f"compute {it} with execute_python (a program that works it out from the data, prints it and "
              f"writes it to {name})")
    return (f"{name} holds {shown}, but no command you ran showed {'that number' if len(found) == 1 else 'these numbers'}: "
            f"typed numbers are often wrong. Next, {source}. If {shown} is right as it is, call finish again.")


def _claim_check(ctx: ToolContext, reason: str) -> str:
    """A number the reason states that the output files do not hold."""
    said = unfiled_claim(ctx, reason)
    warned: set[str] = ctx.extras.setdefault("finish_claims_warned", set())
    if not said or said[0] in warned:
        return ""
    number, name, held = said
    warned.add(number)
    holds = f"holds {', '.join(held[:3])}" if held else "holds no number"
    return (f"you say {number}, but {name} {holds}. If {number} is the answer, compute it with execute_python and "
            f"write it to {name}; if {name} is right, call finish again.")


def _uncomputed_check(ctx: ToolContext, reason: str) -> str:
    """A computing goal and no program run: Sha256Hash's model wrote "SHA-256 hash of '...' is: " to hash.txt
    and finished, having run nothing. Asked twice, the second time without the way out."""
    asked = ctx.extras.get("finish_uncomputed_warned", 0)
    if asked >= 2 or not uncomputed(ctx):
        return ""
    ctx.extras["finish_uncomputed_warned"] = asked + 1
    goals = "\n".join(ctx.goals)
    outputs = [name for name in expected_outputs(goals) if name not in set(goal_inputs(goals))]
    where = f" and writes it to {outputs[0]}" if outputs else ""
    if asked:  # JoinCsv, run 15: asked once, it typed the rows again and finished
        return ("still no program has run in this task, and it asks for something computed: what you typed is not "
                f"worked out. Next, run execute_python with a program that works it out from the data, prints it"
                f"{where}.")
    return ("the task asks for something computed, and no program has run in this task. Next, compute it with "
            f"execute_python (a program that works it out, prints it{where}). If nothing needs computing, call "
            "finish again.")


#: What ``finish`` checks, in order; each returns why the task is not finished ("" when it has nothing to say).
def _evidence_check(ctx: ToolContext, reason: str) -> str:
    """A number written from a page, where another sentence of the pages fits the goals' words better: asked once
    per file, quoting both (WebFollowLink, run 15: 18 months, the Orbit X1's, for the goals' Orbit X2)."""
    if not web_addresses("\n".join(ctx.goals)):
        return ""
    pages = [without_notes(text) for text in ctx.observations if text.startswith("Page: ")]
    warned: set[str] = ctx.extras.setdefault("finish_evidence_warned", set())
    for name in asked_outputs(ctx) if pages else []:
        if name in warned:
            continue
        try:
            held = numbers(ctx.workspace.read_text(name, max_bytes=4096))
        except (ToolError, OSError):
            continue
        if not 0 < len(held) <= 3:
            continue
        for number in held:
            if found := closer_sentence("\n".join(ctx.goals), pages, number):
                warned.add(name)
                given, closer = (_quoted(sentence) for sentence in found)
                return (f"{name} holds {number}, which the page gives in {given}, but this sentence of the pages "
                        f"fits the goals' words better: {closer}. If that is what the goals ask about, write its "
                        f"number to {name}; if {number} is right, call finish again.")
    return ""


def _quoted(sentence: str, limit: int = 200) -> str:
    """A page's sentence, quoted in a refusal: cut to ``limit`` characters, its untrusted-text markers defused."""
    flat = " ".join(sentence.split()).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return f'"{flat[:limit]}{"…" if len(flat) > limit else ""}"'


_QUOTES = re.compile(r"\"([^\"\n]{3,300})\"|'([^'\n]{3,300})'|“([^”\n]{3,300})”|‘([^’\n]{3,300})’|「([^」\n]{3,300})」")


def given_texts(ctx: ToolContext) -> dict[str, str]:
    """For goals that ask to compute something: the files the task asks for (not code) that hold only a text the
    goals quote, ``{file: text}``. That text is the input of the computation, not its result: Sha256Hash's model
    (run 21) wrote "open-source agents 2024" to hash.txt, printed its digest with a program, and finished."""
    if not asks_to_compute(ctx.goals):
        return {}
    quoted = {next(part for part in match.groups() if part).strip() for goal in ctx.goals
              for match in _QUOTES.finditer(goal)}
    found = {}
    for name in asked_outputs(ctx):
        if name.endswith(".py") or absent(ctx, [name]):
            continue
        try:
            text = ctx.workspace.read_text(name, max_bytes=4096).strip()
        except (ToolError, OSError):
            continue
        if text and text in quoted:
            found[name] = text
    return found


_NAME = r"(?P<name>[\w.-]+\.[A-Za-z0-9]{1,5})"
_HOLDS = r"\b(?:contains?|containing|holds?|holding|with)\s+(?:exactly\s+|only\s+)?"
# What a goal or an instruction file states a file must hold, word for word: "a file named done.txt that contains
# the single word COMPLETE", "greeting.txt that contains exactly this line: Hello, benchmark!", "Write the
# following sentence, exactly as given, to a file named motto.txt: Small steps, ...".
_STATED = (
    re.compile(_NAME + r"\b[^.\n:]*?" + _HOLDS + r"the (?:single |one )?word\s+[\"'“‘]?(?P<text>[\w-]+)", re.IGNORECASE),
    re.compile(_NAME + r"\b[^.\n:]*?" + _HOLDS + r"(?:this|the following)\s+(?:line|text|sentence)\s*:\s*(?P<text>[^\n]+)",
               re.IGNORECASE),
    re.compile(r"\bthe following (?:line|text|sentence)\b[^:\n]*?\b" + _NAME + r"\s*:\s*(?P<text>[^\n]+)", re.IGNORECASE),
    re.compile(r"\b(?:write|put|save) the (?:single |one )?word\s+[\"'“‘]?(?P<text>[\w-]+)[\"'”’]?\s+(?:to|into|in)\s+"
               r"(?:a file (?:named |called )?)?" + _NAME, re.IGNORECASE),
)


def stated_texts(ctx: ToolContext) -> dict[str, tuple[str, str]]:
    """The files that the goals, or the instruction files they give to carry out, say must hold a text word for
    word, ``{file: (text, the sentence that says so)}``. FollowInstructions, run 23: instructions.txt said "done.txt
    that contains the single word COMPLETE"; the model wrote "Done!" and finished."""
    sources = ["\n".join(ctx.goals), *instruction_texts(ctx).values()]
    found: dict[str, tuple[str, str]] = {}
    for text in sources:
        for pattern in _STATED:
            for match in pattern.finditer(text):
                stated = match.group("text").strip().strip("\"'“”‘’")
                start = text.rfind("\n", 0, match.start()) + 1
                end = text.find("\n", match.end())
                found.setdefault(match.group("name"), (stated, text[start:end if end >= 0 else None].strip()))
    return found


def _stated_text_check(ctx: ToolContext, reason: str) -> str:
    """An output that does not hold the text the goals or their instructions say it must hold, word for word."""
    for name, (text, sentence) in stated_texts(ctx).items():
        try:
            holds = ctx.workspace.read_text(name, max_bytes=4096).strip()
        except (ToolError, OSError):
            continue  # missing: _missing_check's matter
        if holds in (text, text.rstrip(".")) or not first_time(ctx, "finish_stated_warned", name):
            continue
        return (f"{name} holds {holds[:200]!r}, but it must hold exactly {text!r}: \"{sentence[:300]}\". Write that "
                f"to {name} (write_file). If {name} is right as it is, call finish again.")
    return ""


def _given_text_check(ctx: ToolContext, reason: str) -> str:
    """An output file that holds a text the goals quote as the input of what they ask to compute."""
    given = [(name, text) for name, text in given_texts(ctx).items() if first_time(ctx, "finish_given_warned", name)]
    if not given:
        return ""
    name, text = given[0]
    return (f"{name} holds {text!r}, the text the goals give to work on, not the result they ask for. Compute the "
            f"result with execute_python (a program that prints it and writes it to {name}). If {name} is right as "
            "it is, call finish again.")


# Goals that ask for a number as the result ("the average of ...", "how many ..."): not "the highest region".
_NUMBER_ASKED = re.compile(r"\b(?:average|mean|count|how many|how much|number of|sum|total)\b|平均|总和|合计|总数|多少|几个|"
                           r"几行", re.IGNORECASE)
# ... unless they ask which thing has the most ("the region with the highest average"): then the answer is a name.
_WHICH = re.compile(r"\b(?:which|highest|lowest|largest|smallest|most|least|best|worst)\b|哪|最高|最低|最大|最小|最多|最少",
                    re.IGNORECASE)


def _text_outputs(ctx: ToolContext) -> list[tuple[str, str]]:
    """The text outputs the goals name that exist (not code, tables, JSON, Markdown or HTML), with their text."""
    found = []
    for name in expected_outputs("\n".join(ctx.goals)):
        if name.endswith(_NO_NUMBER_FILES) or absent(ctx, [name]):
            continue
        try:
            found.append((name, ctx.workspace.read_text(name, max_bytes=65536)))
        except (ToolError, OSError):
            continue
    return found


_YEAR_ASKED = re.compile(r"\b(?:the|which|what) year\b|年份|哪一年|哪年|何年", re.IGNORECASE)


def _year_check(ctx: ToolContext, reason: str) -> str:
    """A text output without a year where the goals ask for one (among other things): asked once. WebFact, run 29:
    asked for the chief executive and the year the company was founded, the model wrote the name alone and
    finished, saying it had written both."""
    if not _YEAR_ASKED.search(_FILE_NAME.sub(" ", "\n".join(ctx.goals))):
        return ""
    said_none = ctx.extras.get("finish_not_found_warned", set())  # asked already whether the page has it
    for name, text in _text_outputs(ctx):
        if (text.strip() and name not in said_none and not re.search(r"(?<!\d)(?:1[0-9]|20)\d\d(?!\d)", text)
                and first_time(ctx, "finish_year_warned", name)):
            return (f"{name} holds no year ({text.strip()[:80]!r}), but the goals ask for the year too. Find it "
                    f"where you read the rest, and write {name} again with everything the goals ask for. If it is "
                    "right as it is, call finish again.")
    return ""


def _no_number_check(ctx: ToolContext, reason: str) -> str:
    """A text output without any number where the goals ask for a number (an average, a count, a sum): asked once.
    ZhAverageScore, run 25: average.txt held the score rows as Python lists, no average, and the model finished;
    PrimeSum, run 28: answer.txt held "No content yet.", its program printed the sum, and the model finished."""
    goals = _FILE_NAME.sub(" ", "\n".join(ctx.goals))  # "count.txt" asks for no count
    if not _NUMBER_ASKED.search(goals) or _WHICH.search(goals):
        return ""
    for name, text in _text_outputs(ctx):
        if text.strip() and not values(text) and first_time(ctx, "finish_no_number_warned", name):
            return (f"{name} holds no number ({text.strip()[:80]!r}), but the goals ask for one. Compute it with "
                    f"execute_python (a program that works it out from the data, prints it and writes it to {name}). "
                    "If it is right as it is, call finish again.")
    return ""


_NO_NUMBER_FILES = (".py", ".csv", ".tsv", ".json", ".md", ".html")


def _places_check(ctx: ToolContext, reason: str) -> str:
    """A text output whose number is not written with the decimals the goals ask for ("rounded to 1 decimal"): asked
    once a file. AverageTemp (the learning benchmark, 2026-12-02) wrote 6.038095238095238 and finished."""
    places = asked_places(ctx.goals)
    if places is None:
        return ""
    goals = "\n".join(ctx.goals)
    given = set(numbers(goals))  # data written as given is no result (InventoryReport: "8 x 7.4 = 59.20")
    for source in goal_inputs(goals):
        try:
            given.update(numbers(ctx.workspace.read_text(source, max_bytes=65536)))
        except (ToolError, OSError):
            continue
    for name, text in _text_outputs(ctx):
        wrong = [number for number in misplaced(text, places) if number not in given]
        if wrong and first_time(ctx, "finish_places_warned", name):
            shown = ", ".join(wrong[:3])
            return (f"{name} holds {shown}, but the goals ask for numbers with {places} decimal"
                    f"{'s' if places > 1 else ''}. Write {'it' if len(wrong) == 1 else 'them'} so: in Python, "
                    f"f\"{{value:.{places}f}}\" (round(value, {places}) drops a trailing 0). If {name} is right as it is, "
                    "call finish again.")
    return ""


# Goals that say which encoding to write: then a file not in UTF-8 may be what they ask.
_ENCODING_ASKED = re.compile(r"\b(?:encod\w*|latin|cp\d{3,4}|iso-8859\S*|gbk|gb2312|gb18030|big5|utf-?16)\b|编码",
                             re.IGNORECASE)


def wants_utf8(ctx: ToolContext, name: str) -> bool:
    """Whether ``name`` is a file the task asks for, to be written in UTF-8: the goals do not speak of encodings."""
    return not _ENCODING_ASKED.search("\n".join(ctx.goals)) and name in asked_outputs(ctx)


def not_utf8(ctx: ToolContext) -> dict[str, str]:
    """The text files the task asks for that are not UTF-8, with the encoding they are in; none when the goals
    speak of encodings. Latin1Encoding, run 28: told to open customers.txt with encoding='cp1252', the model's
    program wrote zurich.txt with it too, and the checker read '\ufffd' for every accent."""
    if _ENCODING_ASKED.search("\n".join(ctx.goals)):
        return {}
    found = {}
    for name in asked_outputs(ctx):
        try:
            with ctx.workspace.resolve(name).open("rb") as handle:
                data = handle.read(200_000)
        except (ToolError, OSError):
            continue
        if not data or b"\0" in data:
            continue
        text, encoding = decode_text(data, cut=len(data) == 200_000)
        if encoding != "utf-8" and text:
            found[name] = encoding
    return found


def encoding_note(name: str, encoding: str) -> str:
    """What to do about an output written in another encoding than UTF-8."""
    return (f"{name} is written in {encoding}, not UTF-8: an input's encoding is for reading that input. Write "
            f"{name} in UTF-8: open({name!r}, 'w', encoding='utf-8').")


def _encoding_check(ctx: ToolContext, reason: str) -> str:
    """An output the task asks for that is not UTF-8: asked once a file."""
    for name, encoding in not_utf8(ctx).items():
        if first_time(ctx, "finish_encoding_warned", name):
            return f"{encoding_note(name, encoding)} If {encoding} is what the task asks, call finish again."
    return ""


# A finish reason that says work is still to do: "I need to add an assert for anything else the task asks before
# calling finish" (Slugify, run 25, finished with its module untested).
_STILL_TO_DO = re.compile(r"\bI (?:still )?(?:need|have) to\b|\bstill (?:need|needs|have|has) to\b|\bnot yet\b|"
                          r"\byet to be\b|\bI will (?:now|next|then)\b|\bnext,? I\b|还需要|尚未|还没有|接下来我",
                          re.IGNORECASE)


def _still_to_do_check(ctx: ToolContext, reason: str) -> str:
    """A reason that says something is still to be done: asked once."""
    said = _STILL_TO_DO.search(reason)
    if said is None or not first_time(ctx, "finish_still_to_do_warned", "reason"):
        return ""
    start = reason.rfind(".", 0, said.start()) + 1
    end = reason.find(".", said.end())
    sentence = reason[start:end + 1 if end >= 0 else None].strip()
    return (f"your reason says there is still work to do ({sentence[:200]!r}). Do it first, then finish. If "
            "everything the goals ask is done, call finish again with a reason that says what was done.")


FINISH_CHECKS: tuple[Callable[[ToolContext, str], str], ...] = (
    _missing_check, _untried_check, _failing_check, _header_only_check, _flawed_table_check, _not_found_check,
    _empty_check, _header_row_check, _repeated_check, _too_few_lines_check, _typed_numbers_check, _given_text_check,
    _stated_text_check, _claim_check, _uncomputed_check, _evidence_check, _no_number_check, _year_check, _places_check,
    _encoding_check, _still_to_do_check)


def empty_outputs(ctx: ToolContext) -> list[str]:
    """The files the task asks for (not those it gives to read) that exist and hold nothing but white space."""
    return [name for name in asked_outputs(ctx) if _blank(ctx, name)]


# A result that says there is none: WebFact's model read the page that named the chief executive and the year,
# wrote "No information available on the web page. Search for the company's leadership..." and finished.
_NOT_FOUND = re.compile(r"\b(?:no (?:such )?information|(?:is |are |was |were )?not (?:available|found|mentioned|"
                        r"provided|given|stated|specified)|(?:could|can)(?:n't|not| not) (?:find|determine|be found)|"
                        r"unable to (?:find|determine)|does(?:n't| not) (?:say|mention|contain|provide|state))\b|"
                        r"没有找到|未找到|找不到|没有提到|未提及|无法确定|没有相关信息|未提供", re.IGNORECASE)


def not_found(ctx: ToolContext) -> tuple[str, str] | None:
    """A file the task asks for (not code) whose text says the answer is not there, and the words that say it."""
    goals = "\n".join(ctx.goals)
    for name in asked_outputs(ctx):
        if name.endswith(".py"):
            continue
        try:
            said = _NOT_FOUND.search(ctx.workspace.read_text(name, max_bytes=2000))
        except (ToolError, OSError):
            continue
        if said and not _NOT_FOUND.search(goals):
            return name, said.group(0)
    return None


def header_only(ctx: ToolContext) -> list[str]:
    """The tables the task asks for that hold only their header row."""
    return [name for name in asked_outputs(ctx)
            if name.endswith((".csv", ".tsv")) and not absent(ctx, [name]) and _lines(ctx, name) == 1]


def uncomputed(ctx: ToolContext) -> bool:
    """Whether the goals ask for a computed result (not a module: then the code is the result), no program has run
    to its end, and ``finish`` has not asked about the task's typed numbers, claims or code yet."""
    if ctx.sandbox is None or not asks_to_compute(ctx.goals) or ran_a_program(ctx):
        return False
    if web_addresses("\n".join(ctx.goals)):  # "how many months of warranty": WebFollowLink's is on a page
        return False
    asked = ("finish_numbers_warned", "finish_claims_warned", "finish_untried_warned")  # its own: _uncomputed_check
    if any(ctx.extras.get(key) for key in asked):
        return False
    return not any(name.endswith(".py") for name in expected_outputs("\n".join(ctx.goals)))


_SIZES = re.compile(r"\b\d+ (?:characters?|chars|bytes|字符|个字符)", re.IGNORECASE)


def unfiled_claim(ctx: ToolContext, reason: str) -> tuple[str, str, list[str]] | None:
    """For goals that ask for a computation: a number the finish reason states that neither the goals nor the
    output files show ("total = 102.85" while total.txt holds 0), with the first output file and its numbers.
    A size the reason repeats from a tool's reply is no claim (InventoryReport's "Wrote 13 characters")."""
    goals = "\n".join(ctx.goals)
    reason = _SIZES.sub(" ", reason)
    if not asks_to_compute(ctx.goals) or not numbers(reason):
        return None
    texts: dict[str, str] = {}
    inputs = set(goal_inputs(goals))
    for name in dict.fromkeys(claimed_files(reason) + expected_outputs(goals) + instructed_outputs(ctx)):
        if name in inputs:
            continue
        try:
            texts[name] = ctx.workspace.read_text(name)
        except (ToolError, OSError):  # missing, refused or unreadable: the checks above speak about those
            continue
    if not texts:
        return None
    written = [number for text in texts.values() for number in numbers(text)]
    # a longer form of a number the file holds rounded is the same answer (ZhAverageScore, run 26: "79.86666666666666"
    # said, 79.87 written)
    missing = [number for number in ungrounded(reason, [goals, *texts.values()]) if not rounds_to_any(number, written)]
    if not missing:
        return None
    name, text = next(iter(texts.items()))
    return missing[0], name, numbers(text)


def made_up_numbers(ctx: ToolContext, reason: str = "") -> dict[str, list[str]]:
    """Output files still holding numbers the model typed that no goal, command output or fact showed, for goals
    that ask for a computation (see :mod:`autogpt.tools.grounding`)."""
    noted: dict[str, list[str]] = ctx.extras.get(NOTED, {})
    if not noted or not asks_to_compute(ctx.goals):
        return {}
    found = {}
    for name in dict.fromkeys(expected_outputs("\n".join(ctx.goals)) + claimed_files(reason)):
        try:
            relative = ctx.workspace.relative(ctx.workspace.resolve(name))
            still = set(values(ctx.workspace.read_text(name))) if relative in noted else set()
        except (ToolError, OSError):  # refused or unreadable: not ours to check
            continue
        typed = [n for n in noted.get(relative, []) if n in still]  # a program may have rewritten the file since
        if typed:
            found[relative] = typed
    return found


async def ask_user(question: str, ctx: ToolContext) -> str:
    """Ask the human user a question and wait for the answer. Use only when you cannot proceed without it.

    Args:
        question: The question to ask.
    """
    if ctx.ask_human is None:
        raise ToolError("No human is present to answer; decide on your own.")
    answer = await ctx.ask_human(question)
    return f"The user answered: {answer}" if answer.strip() else "The user gave no answer."


FINISH = Tool(finish, ends_run=True)
ASK_USER = Tool(ask_user, requires_human=True)
