"""Code execution tools. Everything runs in the sandbox (:mod:`autogpt.sandbox`) with the workspace as the
current directory; nothing runs on the host directly.

``execute_shell`` is off unless ``shell_enabled`` is set; its first word must pass the allow-list (or, with
an empty allow-list, the deny-list), and it runs without a shell, so ``;``, ``|``, ``&&`` or ``$(...)``
cannot smuggle in another program.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import PurePosixPath

from autogpt.errors import ToolError, ToolUnavailableError
from autogpt.sandbox.base import Sandbox, SandboxResult
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import decode_text

SHELL_METACHARACTERS = set(";|&<>`$(){}")
# -E -s: no PYTHON* variables, no user site-packages. Not -I, whose -P leaves the workspace off sys.path:
# code could not import the module the agent had just written. -B: no __pycache__ in the workspace, and no stale
# bytecode for a module rewritten within the same second at the same size.
PYTHON_FLAGS = ("-E", "-s", "-B")


def _sandbox(ctx: ToolContext) -> Sandbox:
    if ctx.sandbox is None:
        raise ToolUnavailableError(ctx.sandbox_error or "No sandbox is available, so code cannot run here.")
    return ctx.sandbox


_FRAME = re.compile(r'\s+File "([^"]+)", line \d+')


def condense_traceback(stderr: str) -> str:
    """Frames inside the standard library and installed packages tell a model nothing and lure it into
    reading library files: keep the program's own frames and the error lines, and say how many were left out."""
    if "Traceback (most recent call last):" not in stderr:
        return stderr
    chained = re.split(r"\n\n(?:The above exception was the direct cause of the following exception:|"
                       r"During handling of the above exception, another exception occurred:)\n\n", stderr)
    stderr = chained[-1]  # the last exception of a chain is the one the program saw
    kept: list[str] = []
    dropped, skipping = 0, False
    for line in stderr.splitlines():
        frame = _FRAME.match(line)
        if frame:
            path = frame.group(1)
            skipping = path != "<stdin>" and ("/lib/python" in path or "site-packages" in path)
            dropped += skipping
            if not skipping:
                kept.append(line)
            continue
        if skipping and line.startswith("    "):
            continue  # the source lines and carets of a dropped frame
        skipping = False
        kept.append(line)
    if dropped:
        kept.append(f"({dropped} frames inside Python's libraries left out)")
    return "\n".join(kept)


def format_result(result: SandboxResult, limit_seconds: float) -> str:
    """Exit code (or why it was stopped), stdout and stderr, as the model sees them."""
    lines = []
    if result.killed == "timeout":
        lines.append(f"The command was stopped after {limit_seconds:g} seconds (time limit).")
    elif result.killed:
        lines.append(f"The command was stopped: {result.killed}.")
    elif result.signal:
        lines.append(f"The command was killed by signal {result.signal}.")
    else:
        lines.append(f"Exit code: {result.exit_code}")
    lines.append("--- stdout ---\n" + (result.stdout.rstrip() or "(empty)"))
    if result.stderr.strip():
        lines.append("--- stderr ---\n" + condense_traceback(result.stderr.rstrip()))
    return "\n".join(lines)


def written_files(ctx: ToolContext, changed: list[str], *, files: int = 3, lines: int = 8, chars: int = 400) -> str:
    """What a program wrote: the first lines of each file it created or changed (a program that writes its result
    and prints nothing otherwise leaves the model blind to what it wrote)."""
    changed = [name for name in changed if "__pycache__" not in name.split("/") and not name.endswith(".pyc")]
    parts = []
    for name in changed[:files]:
        try:
            with ctx.workspace.open_file(name, "rb") as handle:  # race-free (see autogpt.workspace)
                data = handle.read(chars * 4 + 1)
        except (ToolError, OSError):
            continue
        if b"\0" in data:
            parts.append(f"{name} (binary)")
            continue
        more = len(data) > chars * 4
        text, encoding = decode_text(data[: chars * 4], cut=more)
        every_line = text.splitlines()
        head = "\n".join(every_line[:lines])[:chars]
        cut = more or len(every_line) > lines or len(head) < len("\n".join(every_line[:lines]))
        also = "" if encoding == "utf-8" else f" (not UTF-8: {encoding})"
        parts.append(f"{name}{also}:\n{head}" + ("\n[...]" if cut else ""))
    if len(changed) > files:
        parts.append(f"(+{len(changed) - files} more files)")
    return "--- files it wrote ---\n" + "\n".join(parts) if parts else ""


async def _run_program(ctx: ToolContext, sandbox: Sandbox, argv: list[str], *, stdin: str | None = None) -> str:
    """Run a program in the workspace: its output, then what it wrote; a :class:`ToolError` when it failed."""
    before = ctx.workspace.snapshot()
    result = await sandbox.run(argv, ctx.workspace.root, stdin=stdin.encode("utf-8") if stdin is not None else None)
    text = format_result(result, sandbox.limits.timeout)
    written = written_files(ctx, ctx.workspace.changed_since(before))
    text = f"{text}\n{written}" if written else text
    if result.exit_code != 0 or result.killed:
        raise ToolError(text)
    return text


# Characters that arrive in code only from a JSON escape: the model's regex r'\b(\d+)' sent as "\b" in the reply is
# a backspace .
_JSON_CONTROLS = {"\b": "\\b", "\f": "\\f"}


def repair_code(code: str) -> str:
    """Mend the JSON-escaping slips of models in Python code: a backspace or form feed written as ``\\b`` or ``\\f``
    (never meant as that character in code: in a string, the escape means the same), then a ``\\n`` that arrived
    as a line break, or an f-string's own quote mark inside its braces (see ``repair_strings``)."""
    for char, escape in _JSON_CONTROLS.items():
        code = code.replace(char, escape)
    return repair_strings(code)



# A string literal's start: its prefix (f, rb, ...) and its quote.
_STRING_START = re.compile(r"""(?i)(?<![\w])([rbuf]{0,2})('''|\"\"\"|'|")""")


def repair_strings(code: str) -> str:
    """Mend two slips of models in string literals, only in code that does not compile, and only when the mended
    code does (else it is returned unchanged, so the model sees its own error):

    * a ``\\n`` meant inside a one-line string that arrived as a real line break (``split('<newline>')``), the
      commonest JSON-escaping slip;
    * an f-string holding its own quote mark inside its braces (``f'{row['id']}'``: valid from Python 3.12, a
      ``SyntaxError`` before): the inner quotes become the other kind;
    * code that ends inside a string literal (``f.write('...text.``: the model closed its reply first): the
      literal is closed, with as many ``)`` as make it compile.
    """
    if _compiles(code):
        return code
    out: list[str] = []
    i = 0
    while i < len(code):
        ch = code[i]
        if ch == "#":  # a comment runs to the end of the line
            end = code.find("\n", i)
            end = len(code) if end < 0 else end
            out.append(code[i:end])
            i = end
            continue
        m = _STRING_START.match(code, i) if ch in "'\"rRbBuUfF" else None
        if m is None or (not m.group(1) and ch not in "'\""):
            out.append(ch)
            i += 1
            continue
        out.append(code[i:m.end()])
        i = _string_body(code, m.end(), m.group(2), m.group(1).lower(), out)
        if i > len(code):  # the code ended inside this string: the model closed its reply before the literal
            fixed = "".join(out)
            return next((fixed + m.group(2) + ")" * n for n in range(4) if _compiles(fixed + m.group(2) + ")" * n)),
                        code)
    fixed = "".join(out)
    return fixed if _compiles(fixed) else code


def _string_body(code: str, j: int, quote: str, prefix: str, out: list[str]) -> int:
    """Copy the body of the string literal that starts at ``code[j]`` (after its opening quote) to ``out``, mended;
    return the index after its closing quote (``len(code) + 1`` when it has none)."""
    other = '"' if quote == "'" else "'"
    depth = 0  # inside an f-string's braces
    while j < len(code):
        c = code[j]
        if depth == 0:
            if code.startswith(quote, j):
                out.append(quote)
                return j + len(quote)
            if c == "\\" and "r" not in prefix:
                out.append(code[j:j + 2])
                j += 2
                continue
            if c == "\n" and len(quote) == 1:  # a line break in a one-line string: meant as \n
                c = "\\n"
            elif "f" in prefix and (code.startswith("{{", j) or code.startswith("}}", j)):
                out.append(code[j:j + 2])
                j += 2
                continue
            elif "f" in prefix and c == "{":
                depth = 1
        else:
            depth += (c in "{[(") - (c in "}])")
            if c == quote and len(quote) == 1:
                c = other
        out.append(c)
        j += 1
    return j + 1  # past the end: no closing quote


def _compiles(code: str) -> bool:
    try:
        compile(code, "<code>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


_GOT = "__autogpt_got"


def explained_asserts(code: str) -> str:
    """``code`` with each one-line ``assert left == right`` that has no message made to say what ``left`` gave, as
    pytest's assertion rewriting does: ``assert (__autogpt_got := left) == right, f"got {__autogpt_got!r}"``
    (``left`` is still evaluated once, and every line keeps its number). A bare AssertionError tells a model only
    which line failed, not what the code gave."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines(keepends=True)
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert) and node.msg is None
               and node.lineno == node.end_lineno and isinstance(node.test, ast.Compare)
               and len(node.test.ops) == 1 and isinstance(node.test.ops[0], ast.Eq)]
    for node in sorted(asserts, key=lambda n: n.col_offset, reverse=True):  # at most one per line, in practice
        left, right = node.test.left, node.test.comparators[0]
        line = lines[node.lineno - 1]
        # columns are UTF-8 byte offsets
        raw = line.encode()
        segment = (f"assert ({_GOT} := {raw[left.col_offset:left.end_col_offset].decode()}) == "
                   f"({raw[right.col_offset:right.end_col_offset].decode()}), f\"got {{{_GOT}!r}}\"")
        lines[node.lineno - 1] = (raw[:node.col_offset] + segment.encode() + raw[node.end_col_offset:]).decode()
    return "".join(lines)


async def execute_python(code: str, ctx: ToolContext) -> str:
    """Run a complete Python program in a sandbox (no network; the workspace is the current folder) and
    return what it prints.

    Args:
        code: A complete, self-contained program: define every function it uses and print() the results.
    """
    sandbox = _sandbox(ctx)
    if not code.strip():
        raise ToolError("The code is empty.")
    code = repair_code(code)
    return await _run_program(ctx, sandbox, [sandbox.python, *PYTHON_FLAGS, "-"], stdin=explained_asserts(code))


_PROGRAM_LINE = re.compile(r"^\s*(?:def |class |import |from \w|print\(|return\b|for .* in |if .*:)", re.MULTILINE)


async def execute_python_file(path: str, ctx: ToolContext, args: list[str] | None = None) -> str:
    """Run a Python file from the workspace in the sandbox and return its output.

    Args:
        path: The .py file, relative to the workspace.
        args: Command-line arguments for the program.
    """
    # A test file (test_*.py or *_test.py with test functions) runs with pytest: run as a script, a file of test
    # functions only defines them, and prints nothing.
    sandbox = _sandbox(ctx)
    target = ctx.workspace.resolve(path)  # for its name; reads go through the workspace's race-free methods
    if not ctx.workspace.is_file(path):
        raise ToolError(f"{path!r} does not exist in the workspace. To run code, pass it to execute_python instead.")
    if target.suffix != ".py":
        raise ToolError(f"{path!r} is not a .py file.")
    code_args = [arg for arg in args or [] if "\n" in arg and _PROGRAM_LINE.search(arg)]
    if code_args:
        # Code sent as the file's arguments: run it as execute_python would (it can import the file), since
        # refusing it only makes a small model send it again.
        note = (f"(args are command-line arguments, not code: the code in args was run as execute_python would run "
                f"it, beside {path}; {path} itself was not run)")
        try:
            return f"{note}\n{await execute_python(code_args[0], ctx)}"
        except ToolError as error:
            raise ToolError(f"{note}\n{error}") from None
    inside = str(PurePosixPath(sandbox.workspace_path) / ctx.workspace.relative(target))
    try:
        text = ctx.workspace.read_bytes(path).decode("utf-8", errors="replace")
    except ToolError:
        text = ""
    if (re.fullmatch(r"test_.*\.py|.*_test\.py", target.name) and re.search(r"^(\s*def test|class Test)", text, re.M)
            and await _has_pytest(ctx, sandbox)):
        argv = [sandbox.python, *PYTHON_FLAGS, "-m", "pytest", "-q", "-p", "no:cacheprovider", inside, *(args or [])]
        return await _run_program(ctx, sandbox, argv)
    return await _run_program(ctx, sandbox, [sandbox.python, *PYTHON_FLAGS, inside, *(args or [])])


async def _has_pytest(ctx: ToolContext, sandbox: Sandbox) -> bool:
    """Whether code in the sandbox can import pytest (``autogpt sandbox setup`` installs it); asked once a task."""
    if "sandbox_pytest" not in ctx.extras:
        result = await sandbox.run([sandbox.python, *PYTHON_FLAGS, "-c", "import pytest"], ctx.workspace.root)
        ctx.extras["sandbox_pytest"] = result.ok
    return bool(ctx.extras["sandbox_pytest"])


async def execute_shell(command: str, ctx: ToolContext) -> str:
    """Run one program with arguments (no shell: no pipes, redirections or ';') in the sandbox.

    Args:
        command: The program and its arguments, e.g. "wc -l data.csv".
    """
    sandbox = _sandbox(ctx)
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ToolError(f"Cannot parse the command: {exc}.") from None
    if not argv:
        raise ToolError("The command is empty.")
    program = PurePosixPath(argv[0]).name
    check_program(program, ctx)
    if any(ch in SHELL_METACHARACTERS for arg in argv for ch in arg) and program not in ("echo", "grep"):
        raise ToolError("Shell syntax (; | & < > ` $ ( ) { }) is not available: run one program at a time.")
    if program in ("python", "python3"):
        argv = [sandbox.python, *PYTHON_FLAGS, *argv[1:]]
    return await _run_program(ctx, sandbox, argv)


def check_program(program: str, ctx: ToolContext) -> None:
    allow, deny = ctx.settings.shell_allow, ctx.settings.shell_deny
    if allow and program not in allow:
        raise ToolError(f"{program!r} is not an allowed command. Allowed: {', '.join(allow)}.")
    if not allow and program in deny:
        raise ToolError(f"{program!r} is not allowed.")


def has_python_files(ctx: ToolContext) -> bool:
    """execute_python_file is offered once the workspace holds a .py file (small models otherwise call it on
    files they imagine)."""
    return any(name.endswith(".py") for name in ctx.workspace.files())


EXECUTE_PYTHON = Tool(execute_python, runs_code=True)
EXECUTE_PYTHON_FILE = Tool(execute_python_file, available_if=has_python_files, runs_code=True)
EXECUTE_SHELL = Tool(execute_shell, runs_code=True)
