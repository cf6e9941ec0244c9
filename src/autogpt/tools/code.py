"""Code execution tools. Everything runs in the sandbox (:mod:`autogpt.sandbox`) with the workspace as the
current directory; nothing runs on the host directly.

``execute_shell`` is off unless ``shell_enabled`` is set; its first word must pass the allow-list (or, with
an empty allow-list, the deny-list), and it runs without a shell, so ``;``, ``|``, ``&&`` or ``$(...)``
cannot smuggle in another program.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import re
import shlex
import sys
import tokenize
from collections.abc import Iterator
from pathlib import PurePosixPath

from autogpt.errors import ToolError, ToolUnavailableError
from autogpt.sandbox.base import Sandbox, SandboxResult
from autogpt.tools.core import (
    AFTER_LOOP,
    FIX_NEXT,
    FLAWED_TABLES,
    WRITE_NEXT,
    all_made,
    asked_definitions,
    asked_outputs,
    encoding_note,
    given_texts,
    goal_inputs,
    made_up_numbers,
    missing_results,
    restore_inputs,
    tested,
    wants_utf8,
)
from autogpt.tools.files import (
    PREVIEWS,
    TABLE_MAX_BYTES,
    TABLE_SEPARATORS,
    headerless,
    input_tables,
    table_shape_note,
)
from autogpt.tools.grounding import asks_to_compute, numbers, values
from autogpt.tools.patterns import pattern_note
from autogpt.tools.registry import Tool, ToolContext
from autogpt.tools.untested import (
    compile_error,
    cut_at_quote,
    note_outcome,
    note_ran,
    note_shown,
    note_untried,
)
from autogpt.tools.web import PAGES_READ, WEB_WITHDRAWN
from autogpt.tools.workspace import decode_text

SHELL_METACHARACTERS = set(";|&<>`$(){}")
# -E -s: no PYTHON* variables, no user site-packages. Not -I, whose -P leaves the workspace off sys.path:
# code could not import the module the agent had just written (``import slugify`` failed). -B: no __pycache__
# in the workspace, and no stale bytecode for a module rewritten within the same second at the same size.
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


NETWORK_NOTE = ("Note: code in the sandbox cannot reach any network, not even 127.0.0.1, and cannot install "
                "packages. Read a web page with the read_webpage command, if you have it, and use what it shows.")
INSTALL_NOTE = ("Note: nothing can be installed: the sandbox has no network, and code is Python, not shell "
                "commands. Solve it with the standard library, or read a web page with the read_webpage command.")


# pip run from the code: "!pip install x", subprocess.run(['pip', 'install', 'x']), os.system("pip3 install x"),
# [sys.executable, '-m', 'pip', 'install', 'x']
_INSTALLS = re.compile(r"""^\s*!?\s*pip3?\s+install\b|\bpip3?\b['"]?\s*,?\s*['"]?install\b""", re.MULTILINE)
_PIP_FAILED = ("externally-managed-environment", "No matching distribution found")  # what pip says in stderr


def installs(code: str, stderr: str = "", *, ran: bool = False) -> bool:
    """Whether ``code`` tries to install packages (the sandbox cannot). ``ran``: the code exited 0, so only a
    pip it started counts (a program may well write the words "pip install" into a README)."""
    if any(sign in stderr for sign in _PIP_FAILED):
        return True
    started = not ran or re.search(r"\b(subprocess|os\.system|os\.popen|os\.exec\w*)\b", code)
    return bool(started and _INSTALLS.search(code))


def json_note(code: str) -> str:
    """The note for a file that is not valid JSON, with the .json file ``code`` opens (else input.json). (A program
    that fails on a file Python's reader takes is run again with it at once: see ``_mended``.)
    MalformedJson's model garbled the ``re.sub()`` repair the note used to give (``r',\\b([}"])'``) in three
    programs; Python's own reader takes a comma before } or ] as it is."""
    path = _json_opened(code) or "input.json"
    return ("Note: the text is not valid JSON, so json.load() will fail every time. A common slip is a comma before "
            f"}} or ], which Python's reader accepts: import ast, then data = ast.literal_eval(open({path!r}, "
            "encoding='utf-8').read()) (if the text holds true, false or null, repair it in code instead: text = "
            "re.sub(r',\\s*([}\\]])', r'\\1', text), then json.loads(text)).")


def _json_opened(code: str) -> str:
    """The first .json file ``code`` names in quotes, or ""."""
    opened = re.search(r"""['"]([^'"\n]+\.json)['"]""", code)
    return opened.group(1) if opened else ""


_JSON_LOAD = re.compile(r"\bjson\.load\(((?:[^()]|\([^()]*\))*)\)")


def _literal_eval_version(code: str) -> str:
    """``code`` with Python's reader in place of json's: ``json.load(f)`` becomes ``ast.literal_eval(f.read())``,
    ``json.loads(text)`` becomes ``ast.literal_eval(text)``; "" when it reads no JSON that way."""
    mended = _JSON_LOAD.sub(r"ast.literal_eval(\1.read())", code).replace("json.loads(", "ast.literal_eval(")
    if mended == code:
        return ""
    return mended if re.search(r"^import ast\b", mended, re.MULTILINE) else f"import ast\n{mended}"


# json's messages, printed by a program that caught the error (MalformedJson: print(f'Error decoding JSON: {e}'))
_JSON_ERROR = re.compile(r"Expecting (?:property name enclosed in double quotes|value|',' delimiter): line \d+|"
                         r"Extra data: line \d+|JSONDecodeError")


# The built-in commands: a program that calls one as a function fails on its name.
_COMMANDS = ("read_webpage", "web_search", "read_file", "write_file", "append_file", "list_folder", "ask_user",
             "remember", "recall", "finish")


def _failed_assert(code: str, stderr: str) -> str:
    """For an AssertionError in the program itself: which assert failed, what its left side gave (see
    :func:`explained_asserts`), or else how to see it. ParseDuration's model saw only "line 2 ... AssertionError"
    and ran the same asserts again."""
    got = re.search(r"^AssertionError: got (.*)$", stderr, re.MULTILINE)
    if not got and not re.search(r"^AssertionError\s*$", stderr, re.MULTILINE):
        return ""
    lines = re.findall(r'File "<stdin>", line (\d+)', stderr)
    source = code.splitlines()
    number = int(lines[-1]) if lines else 0
    if not 0 < number <= len(source):
        return ""
    failed = source[number - 1].strip()
    sides = _compared(failed)
    if got and sides:
        return (f"Note: the assert on line {number} failed: {sides[0]} gave {got.group(1)}, not {sides[1]}. Fix the "
                f"code it tests so that it gives {sides[1]}.")
    if sides is None:
        return f"Note: the assert on line {number} failed: {failed}. Print what it checks to see why."
    return (f"Note: the assert on line {number} failed: {failed}. Print what it gets to see why "
            f"(print({sides[0]})), then fix the code it tests.")


def _header_skipped(code: str) -> str:
    """``code`` with ``header = next(reader)`` right after its one ``reader = csv.reader(...)`` line and, where it
    writes rows with a ``csv.writer``, ``writer.writerow(header)`` before them; "" if it has no such line, already
    skips a row, or the result does not compile. SortCsv, run 29: told where to put ``header = next(reader)``, the
    model put it on the program's first line, before the reader existed."""
    reads = re.findall(r"^([ \t]*)(\w+)\s*=\s*csv\.reader\(.*$", code, re.MULTILINE)
    if len(reads) != 1 or "next(" in code or re.search(r"\bheader\b", code):
        return ""
    indent, reader = reads[0]
    lines = code.splitlines(keepends=True)
    at = next(number for number, line in enumerate(lines) if re.match(rf"{re.escape(indent)}{reader}\s*=\s*csv\.reader\(",
                                                                        line))
    lines[at] = lines[at].rstrip("\n") + f"\n{indent}header = next({reader})\n"
    writer = re.search(r"^[ \t]*(\w+)\s*=\s*csv\.writer\(", code, re.MULTILINE)
    if writer and ".writerow(" not in code:
        for number, line in enumerate(lines):
            if rows := re.match(rf"([ \t]*){writer.group(1)}\.writerows\(", line):
                lines[number] = f"{rows.group(1)}{writer.group(1)}.writerow(header)\n{line}"
                break
    program = "".join(lines)
    return "" if len(program) > 1500 or compile_error(program) else program


def _raised_in_assert(code: str, stderr: str) -> str:
    """For an exception raised in a written module while an ``assert call(...) == value`` of the program ran: which
    line of the module raised it, where the assert expected a value. ParseDuration, run 25: parse_duration('1h30m')
    raised "Repeated or out-of-order unit" from the module's own check, and the model rewrote the whole module
    around the same mistake."""
    frames = re.findall(r'File "(?:/workspace/)?([^"<>]+\.py)", line (\d+), in \w+\n\s+(.+)', stderr)
    raised = re.search(r"^(\w+(?:Error|Exception)\b.*)$", stderr.strip().splitlines()[-1]) if stderr.strip() else None
    lines = re.findall(r'File "<stdin>", line (\d+)', stderr)
    source = code.splitlines()
    if not frames or raised is None or not lines or not 0 < int(lines[-1]) <= len(source):
        return ""
    sides = _compared(source[int(lines[-1]) - 1].strip())
    if sides is None:
        return ""
    path, number, text = frames[-1]
    why = (f"the check that leads to line {number} is wrong for this text" if text.strip().startswith("raise ")
           else "that line fails for this text")
    return (f"Note: {sides[0]} should give {sides[1]}, but {path} raised {raised.group(1)[:120]} at line {number} "
            f"({text.strip()[:120]}): {why}. Fix it so that {sides[0]} gives {sides[1]}, keeping the rest of what "
            "the task asks.")


def _compared(line: str) -> tuple[str, str] | None:
    """The two sides of ``assert left == right`` (a message or not), as written; ``None`` for another line."""
    try:
        (node,) = ast.parse(line).body
    except (SyntaxError, ValueError):
        return None
    if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1
            and isinstance(node.test.ops[0], ast.Eq)):
        return None
    left, right = (ast.get_source_segment(line, side) for side in (node.test.left, node.test.comparators[0]))
    return (left, right) if left and right else None


def hint(code: str, stderr: str, *, web: bool = True) -> str:
    """A line on the mistakes small models make most often in sandboxed, fresh-process Python; ``web=False`` once
    the web tools are withdrawn (the network note then names no ``read_webpage`` call: MalformedJson's model was
    sent to a made-up address)."""
    offline = ("Temporary failure in name resolution", "Network is unreachable", "Name or service not known",
               "NameResolutionError", "Failed to resolve", "Max retries exceeded", "getaddrinfo failed")
    if re.search(r"No module named '(pandas|numpy|polars)'", stderr):
        # The commonest failure on CSV goals in the benchmark: the small model retries pandas unchanged.
        return ("Note: pandas and numpy are not installed (only the standard library). Read a CSV with the csv "
                "module instead: import csv, then rows = list(csv.DictReader(open('data.csv', encoding='utf-8'))); "
                "each row is a dict of strings, so convert numbers with float(row['amount']).")
    network = re.search(r"No module named '(requests|httpx|urllib3|aiohttp|bs4|selenium|scrapy)'", stderr)
    if network or any(sign in stderr for sign in offline) or re.search(
            r"ConnectionError|ConnectionRefusedError|URLError", stderr):
        # WebFact: after read_webpage had shown the page, the model went back to requests.get() twice.
        url = re.search(r"https?://[^\s'\"<>)]+", code)
        # Spelled out, with the page the code wanted: told only "use read_webpage", WebFollowLink's model listed
        # the empty folder and ran the same program again, five times.
        return NETWORK_NOTE + (f' Next: read_webpage(url="{url.group(0)}").' if url and web else "")
    if installs(code, stderr):  # "!pip install requests" (WebFact)
        return INSTALL_NOTE
    if "No module named 'pytest'" in stderr or "No module named pytest" in stderr:
        return ("Note: pytest is not installed in this sandbox. Test with plain assert statements in a program "
                "that imports the module and prints 'ok' at the end.")
    if "ModuleNotFoundError" in stderr:
        return ("Note: that module is not in the sandbox, and nothing can be installed there (no network). Solve it "
                "with the standard library (and pandas or numpy, where they import).")
    if "JSONDecodeError" in stderr or "json.decoder" in stderr:
        # MalformedJson: the model re-ran json.load() on the broken file five times.
        return json_note(code)
    value = re.search(r"(?:could not convert string to float|invalid literal for int\(\) with base 10): '([^'\n]*)'",
                      stderr)
    # the repr of the last cell of a line read by hand ends with its line break: 'amount\n' (MissingPath)
    cell = re.sub(r"(?:\\[nrt])+$", "", value.group(1)).strip() if value else ""
    if cell and re.fullmatch(r"[^\W\d]+(?:(?:[ _-]|, ?)[^\W\d]+)*", cell):
        # SortCsv: the embedded model sorted every row, header included, by float(row[2]) and never saw why.
        word = cell.split(",")[-1].strip()
        if "csv" not in code.lower() and re.search(r"\.split\((['\"])(?!,\1)[^'\"\n]+\1", code):
            # InventoryReport: 'widget: 14' split on ': ', int(parts[0]); there is no CSV and no header row
            return (f"Note: {word!r} is a word, not a number: the part you converted is not the one you meant. "
                    "Print the parts of one line first (print(line.split(...))) and take the number by its index.")
        if re.search(r"\bcsv\.reader\(", code):  # SortCsv, run 10: told of DictReader, it kept csv.reader
            # ZhAverageScore, run 25: told of writer.writerow(header) by a program that wrote no table, the model
            # wrote the score rows to average.txt and finished
            writes = (", and, where the output keeps the header, writer.writerow(header) before the rows"
                      if re.search(r"\bcsv\.(?:Dict)?[wW]riter\(", code) else "")
            skipped = _header_skipped(code)
            written = f" Your program that way: execute_python(code={json.dumps(skipped, ensure_ascii=False)})"
            return (f"Note: {word!r} is a word, not a number: it is the CSV's header row, which csv.reader gives as "
                    "the first row. Take it out before the other rows: header = next(reader) right after reader = "
                    f"csv.reader(...){writes}.{written if skipped else ''}")
        return (f"Note: {word!r} is a word, not a number: it is probably the CSV's header row. Skip the header "
                "(next(reader)), or read the rows with csv.DictReader, whose rows are dicts without the header: "
                f"float(row[{word!r}]).")
    if value and re.fullmatch(r"\d+[^\W\d_]+\d+\w*", cell):
        # ParseDuration, run 15: int(text.split(unit)[0]) gave '1h30' for '1h30m', in three test runs
        pairs = re.findall(r"(\d+)([^\W\d_]*)", cell)
        return (f"Note: {cell!r} is not a number: it still holds digits and letters together, so the text was not cut "
                f"where you meant. To take each number with the letters after it, use re.findall: "
                f"re.findall(r'(\\d+)([a-z]*)', {cell!r}) gives {pairs!r}.")
    if "list indices must be integers or slices, not str" in stderr and re.search(r"\bcsv\.reader\(", code):
        # SortCsv: row['salary'] on csv.reader's rows, three times
        return ("Note: csv.reader gives each row as a list, so row['name'] fails: use csv.DictReader for rows "
                "indexed by column name (rows = list(csv.DictReader(f)), and writer = csv.DictWriter(out, "
                "fieldnames=reader.fieldnames) to write them), or a column's number with csv.reader (row[2]).")
    if lazy := re.search(r"object of type '(_csv\.reader|_csv\.DictReader|DictReader|generator|map|filter|"
                         r"_io\.TextIOWrapper)' has no len\(\)", stderr):
        # ZhAverageScore, run 15: len(csv.reader(open('scores.csv'))) in three programs
        if "csv" in lazy.group(1).lower() or "DictReader" in lazy.group(1):
            return ("Note: a csv reader gives its rows one at a time and has no len(). Make a list first: rows = "
                    "list(csv.reader(f)) (the header is rows[0], the data rows[1:]), or rows = list(csv.DictReader(f))"
                    ", then len(rows).")
        if lazy.group(1) == "_io.TextIOWrapper":
            return ("Note: an open file gives its lines one at a time and has no len(): read them first (lines = "
                    "f.read().splitlines()), then len(lines).")
        return (f"Note: a {lazy.group(1)} gives its items one at a time and has no len(): make a list first (items = "
                "list(...)), then len(items).")
    summed = re.search(r"\bsum\((\w+)\)", code)
    if summed and re.search(r"TypeError: '(?:int|float)' object is not iterable", stderr):
        # InventoryReport, run 25: total = 0, a loop that printed each value and never added it, then sum(total)
        name = summed.group(1)
        return (f"Note: sum({name}) needs a list of numbers, and {name} is one number. Add each value inside the "
                f"loop ({name} += value, after {name} = 0 before it), then print({name}); or collect the values in "
                f"a list (values.append(value)) and print(sum(values)).")
    if name := file_used_as_variable(code, stderr):
        # MalformedJson: the embedded model wrote `for item in input.json:` and never opened the file.
        opener = {".json": f"data = json.load(open({name!r}, encoding='utf-8'))",
                  ".csv": f"rows = list(csv.DictReader(open({name!r}, encoding='utf-8')))"}
        example = opener.get(PurePosixPath(name).suffix, f"text = open({name!r}, encoding='utf-8').read()")
        return (f"Note: {name} in your code is not the file: without quotes Python reads it as a variable. Open "
                f"the file by its name in quotes, e.g. {example}.")
    if note := _failed_assert(code, stderr) or _raised_in_assert(code, stderr):
        return note
    if missing := re.search(r"^KeyError: ('[^'\n]*'|\"[^\"\n]*\")$", stderr, re.MULTILINE):
        # InventoryReport: `for item, price in prices.items(): ... inventory[item]`, where prices.json has an item
        # inventory.txt does not list
        key = missing.group(1)
        if re.search(r"\bimport pandas\b|\bpd\.", code):  # JoinCsv: result_df['total'] before making it
            column = re.sub(r"^\[(.*)\] not in index$", r"\1", key[1:-1]) if key.endswith(' not in index"') else key
            return (f"Note: the DataFrame has no column {column}. Print its columns "
                    "(print(df.columns)) and use a name it has, or make the column first.")
        if re.search(r"\bcsv\.DictReader\(", code):
            return (f"Note: the rows have no column {key}. Print the column names as they are (print(list(row)) "
                    "for a row) and use one exactly as printed: a space after a comma is part of the name.")
        return (f"Note: a dict has no key {key}. If the code walks one dict and looks its keys up in another, walk "
                "the one that lists what the task asks for, or take .get(key, 0) where a key may be missing.")
    if circular := re.search(r"from partially initialized module '([\w.]+)'", stderr):
        # Slugify: `from slugify import slugify` inside slugify.py; the same test ran six more times
        path = circular.group(1).replace(".", "/") + ".py"
        return (f"Note: {path} imports itself, so it cannot be loaded. Write {path} again without the line that "
                f"imports {circular.group(1)}: that line belongs only in the test program.")
    if "'module' object is not callable" in stderr:
        # Slugify: `import slugify` then slugify('Hello, World!') in three programs, until the time ran out
        called = next((name for name in re.findall(r"^\s*import\s+(\w+)\s*$", code, re.MULTILINE)
                       if re.search(rf"(?<![\w.]){name}\(", code)), "")
        if called:
            return (f"Note: import {called} gives the module {called}, not the function in it. To call the "
                    f"function, import it by name: from {called} import {called}.")
        return "Note: a module was called as a function. Import the function by name: from module import function."
    tool = re.search(rf"NameError: name '({'|'.join(_COMMANDS)})' is not defined", stderr)
    if tool:
        # WebFollowLink: `response = read_webpage(url)` in three programs, for the page it had to read
        url = re.search(r"https?://[^\s'\"<>)]+", code)
        call = f'{tool.group(1)}(url="{url.group(0)}")' if url and tool.group(1) == "read_webpage" else tool.group(1)
        return (f"Note: {tool.group(1)} is one of your commands, not a Python function: programs cannot call it. "
                f"Use it as your next command instead: {call}.")
    if unset := re.search(r"NameError: name '(\w+)' is not defined", stderr):
        name = unset.group(1)
        looped = re.search(rf"\bin\s+{name}\b(?!\.)", code) or re.search(rf"^\s*{name}\s*[-+*/]=", code, re.MULTILINE)
        if looped and not re.search(rf"^\s*{name}\s*=", code, re.MULTILINE):
            # InventoryReport, run 23: `sum(value for value in values)` after a loop that set `value` alone; told
            # that earlier runs' names are gone, the model left the program and tried to read a web page
            return (f"Note: {name} is never set in this program (each execute_python run is a new, empty program), so "
                    f"there is nothing to go over. Set it in the code first: for a total over a loop, start "
                    f"total = 0 before the loop, add each value in it (total += value), and print(total) after it.")
        if re.search(rf"^\s*{name}\s*=(?!=)", code, re.MULTILINE):
            return ""  # set later in the program: the order is wrong (see _set_later)
        return ("Note: every execute_python run is a new, empty program; nothing from earlier runs exists. "
                "Define or import everything the code uses in the same code.")
    if stderr.rstrip().endswith("StopIteration"):
        # SortCsv, run 23: with open('sorted.csv', 'r') ... open('sorted.csv', 'w'): emptied before next(reader)
        both = [name for name in dict.fromkeys(re.findall(r"open\(\s*['\"]([^'\"]+)['\"]", code))
                if re.search(rf"open\(\s*['\"]{re.escape(name)}['\"]\s*,\s*(?:mode\s*=\s*)?['\"]w", code)
                and re.search(rf"open\(\s*['\"]{re.escape(name)}['\"]\s*(?:\)|,\s*(?:mode\s*=\s*)?['\"]r)", code)]
        if both:
            return (f"Note: next() found nothing: opening {both[0]} with 'w' empties it at once, so the same program "
                    f"read an empty file. Read the input from the file the goals give, and write {both[0]} from it.")
        return "Note: next() found nothing: the file it reads is empty (or was read to its end already)."
    if "f-string: expression required" in stderr or "f-string: empty expression" in stderr:
        # InventoryReport, run 24: print(f'TOTAL: {:.2f}'.format(total))
        return ("Note: in an f-string every {} holds the value itself: f'TOTAL: {total:.2f}'. With .format(...), "
                "write the string without the f: 'TOTAL: {:.2f}'.format(total).")
    if "unterminated string literal" in stderr or "EOL while scanning string literal" in stderr:
        # InventoryReport: the embedded model sent f'{item}: ...' without its closing quote six times running.
        return ("Note: a string on that line is opened and never closed. Close every string on the line where it "
                "starts (a line break inside a string is \\n), or put the lines in a list and write "
                "'\\n'.join(lines).")
    if "SyntaxError" in stderr and "\n" not in code.strip() and ":" in code:
        return ("Note: the code is on one line. Python needs a new line (\\n in the JSON string) and "
                "indentation after def, if, for and while.")
    return ""


_DATA_SUFFIXES = {"json", "csv", "txt", "tsv", "md", "jsonl", "xml", "yaml", "yml", "log", "html"}


def file_used_as_variable(code: str, stderr: str) -> str:
    """The file name ``code`` wrote without quotes (``for item in input.json:``) that made it fail, or "": its
    first part is undefined (``data.csv``: NameError) or a builtin without that attribute (``input.json``)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return ""
    for first, dot, last in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if not (first.type == tokenize.NAME and dot.string == "." and last.type == tokenize.NAME
                and last.string in _DATA_SUFFIXES and first.end == dot.start and dot.end == last.start):
            continue
        undefined = f"NameError: name '{first.string}' is not defined" in stderr
        builtin = hasattr(builtins, first.string) and f"has no attribute '{last.string}'" in stderr
        if undefined or builtin:
            return f"{first.string}.{last.string}"
    return ""


# Characters that arrive in code only from a JSON escape: the model's regex r'\b(\d+)' sent as "\b" in the reply is
# a backspace (ParseDuration, run 23: its module's pattern became '(\x08\x08ig[0-9]+\x08)').
_JSON_CONTROLS = {"\b": "\\b", "\f": "\\f"}


def repair_code(code: str) -> str:
    """Mend the JSON-escaping slips of models in Python code: a backspace or form feed written as ``\\b`` or ``\\f``
    (never meant as that character in code: in a string, the escape means the same), then a ``\\n`` that arrived
    as a line break (see ``repair_newlines_in_strings``)."""
    for char, escape in _JSON_CONTROLS.items():
        code = code.replace(char, escape)
    return repair_newlines_in_strings(code)


def unimported_modules(code: str) -> list[str]:
    """The standard modules ``code`` uses (``re.findall``) without importing them."""
    return [name for name in _free_names(code) if name in sys.stdlib_module_names
            and re.search(rf"(?<![\w.]){name}\.\w", code)]


def repair_newlines_in_strings(code: str) -> str:
    """Fix the most common JSON-escaping slip of models: a ``\\n`` meant inside a Python string arrives as a real
    line break (``split('<newline>')``). Only applied to code that does not compile; returns it unchanged
    when the repair does not make it compile either."""
    try:
        compile(code, "<code>", "exec")
        return code
    except SyntaxError as exc:
        if "unterminated string" not in str(exc):
            return code
    out, quote, i = [], "", 0
    while i < len(code):
        ch = code[i]
        if quote:
            if ch == "\\" and i + 1 < len(code):
                out.append(code[i : i + 2])
                i += 2
                continue
            if ch == "\n":
                ch = "\\n"
            elif ch == quote:
                quote = ""
        elif ch == "#":  # a comment runs to the end of the line
            end = code.find("\n", i)
            end = len(code) if end < 0 else end
            out.append(code[i:end])
            i = end
            continue
        elif ch in "'\"":
            if code[i : i + 3] == ch * 3:  # a triple-quoted string may hold line breaks: copy it whole
                end = code.find(ch * 3, i + 3)
                end = len(code) if end < 0 else end + 3
                out.append(code[i:end])
                i = end
                continue
            quote = ch
        out.append(ch)
        i += 1
    fixed = "".join(out)
    try:
        compile(fixed, "<code>", "exec")
    except SyntaxError:
        return code
    return fixed


def outcome(result: SandboxResult, limit_seconds: float, code: str = "", *, web: bool = True) -> str:
    """The output of a run that succeeded; a :class:`ToolError` (a failed step, with the same output) otherwise."""
    text = format_result(result, limit_seconds)
    if result.exit_code == 0 and not result.killed:
        if installs(code, result.stderr, ran=True):
            # pip's failure goes to stderr and the program still exits 0: WebFact's model ran
            # subprocess.run(['pip', 'install', 'requests']) again and again, even after it had read the page.
            raise ToolError(f"{text}\n{INSTALL_NOTE}", rest=True)
        return text
    extra = hint(code, result.stderr, web=web)
    # Code that needs the network, or installs, fails the same way every time: execute_python rests a step
    # (WebFact's model went from requests.get() to "!pip install requests" and back, never to read_webpage).
    raise ToolError(f"{text}\n{extra}" if extra else text, rest=extra.startswith((NETWORK_NOTE, INSTALL_NOTE)))


def written_files(ctx: ToolContext, changed: list[str], *, files: int = 3, lines: int = 8,
                  chars: int = 400, skip: list[str] | tuple[str, ...] = ()) -> str:
    """What a successful run wrote: the first lines of each file it created or changed.

    A program that writes its result and prints nothing left the small model blind: TopRegion's wrote the
    totals of every region to answer.txt (not the top region's name) and JoinCsv's wrote the wrong columns,
    and both finished without looking.
    """
    changed = [name for name in changed
               if "__pycache__" not in name.split("/") and not name.endswith(".pyc") and name not in skip]
    parts = []
    for name in changed[:files]:
        try:
            with ctx.workspace.resolve(name).open("rb") as handle:
                data = handle.read(chars * 4 + 1)
        except (ToolError, OSError):
            continue
        if b"\0" in data:
            parts.append(f"{name} (binary)")
            continue
        more = len(data) > chars * 4
        text, encoding = decode_text(data[: chars * 4], cut=more)
        every_line = text.splitlines()
        head = "\n".join(every_line[:lines])
        shown = head[:chars]
        cut = more or len(every_line) > lines or len(shown) < len(head)
        parts.append(f"{name}:\n{shown}" + ("\n[...]" if cut else ""))
        if encoding != "utf-8" and wants_utf8(ctx, name):  # shown decoded, it looked right (Latin1Encoding, run 28)
            parts.append(f"Note: {encoding_note(name, encoding)}")
        previews: dict[str, str] = ctx.extras.setdefault(PREVIEWS, {})
        if cut:  # write_file refuses this part as the whole text (see files._shortened_copy)
            previews[name] = shown
        else:
            previews.pop(name, None)
    if len(changed) > files:
        parts.append(f"(+{len(changed) - files} more files)")
    return "--- files it wrote ---\n" + "\n".join(parts) if parts else ""


async def _run_program(ctx: ToolContext, sandbox: Sandbox, argv: list[str], *, stdin: str | None = None,
                       code: str = "", tried: list[str], file: str = "") -> str:
    """Run a Python program in the workspace: its output, then what it wrote (a failure raises, with a hint).
    ``tried``: the written files the program names, whose outcome is noted for ``finish``; ``file``: the file run,
    which has tried nothing if it printed nothing (a module run on its own only defines its functions)."""
    before = ctx.workspace.snapshot()
    ctx.extras.pop(FIX_NEXT, None)
    result = await sandbox.run(argv, ctx.workspace.root, stdin=stdin.encode("utf-8") if stdin is not None else None)
    kept, restored = _restore_inputs(ctx)
    try:
        text = outcome(result, sandbox.limits.timeout, code, web=not ctx.extras.get(WEB_WITHDRAWN))
    except ToolError as exc:
        last = result.stderr.strip().splitlines()[-1:] or [result.killed or f"exit code {result.exit_code}"]
        note_outcome(ctx, tried, last[0][:200])
        if _module_at_fault(result.stderr, tried):
            ctx.extras[FIX_NEXT] = True
        notes = (page_read_note(ctx, code) + undefined_file_note(ctx, result.stderr, code)
                 + missing_name_note(ctx, result.stderr) + misread_column_note(ctx, result.stderr) + cut_at_quote(code)
                 + pattern_note(ctx, code, result.stderr, tried))
        raise ToolError(f"{exc}{restored}{notes}", rest=exc.rest) from None
    note_outcome(ctx, tried)
    text += restored
    if file and not result.stdout.strip():
        note_untried(ctx, file)
    changed = ctx.workspace.changed_since(before)
    tables = table_notes(ctx, changed)
    written = written_files(ctx, changed, skip=kept) + tables
    found = after_loop(code)
    after_loop_note = _after_loop_note(found)  # its result is wrong: not to be written (InventoryReport, run 29: it was)
    _note_after_loop(ctx, found, result.stdout)
    if _JSON_ERROR.search(result.stdout):  # the error was caught and printed: the step did not work either
        written += "\n" + json_note(code)
    elif not after_loop_note and not [name for name in changed if "__pycache__" not in name.split("/")]:
        written += unwritten_result(ctx, result.stdout) if result.stdout.strip() else lost_result(ctx, code, file)
    written += defined_here(ctx, code, file) + after_loop_note
    note_shown(ctx, f"{result.stdout}\n{written}")
    if not tables and not after_loop_note:  # FilterRows, run 11: told its rows were rewritten and that it was done
        written += all_made(ctx, changed) or tested(ctx, tried, code)
    return f"{text}\n{written}" if written else text


def _note_after_loop(ctx: ToolContext, found: tuple[str, str, str, str] | None, stdout: str) -> None:
    """Remember a program's last printed line while it adds a value after its loop (see ``added_after_loop``), with
    the program mended, for write_file and finish; a program without that mistake forgets it. InventoryReport, run
    30: given the mended program, the model finished instead, was told to write report.txt, and typed the wrong
    ``TOTAL: 59.20``."""
    printed = stdout.strip().splitlines()
    if found is None or not printed or not found[3]:
        ctx.extras.pop(AFTER_LOOP, None)
        return
    ctx.extras[AFTER_LOOP] = (printed[-1], found[0], found[3])


def unwritten_result(ctx: ToolContext, stdout: str = "") -> str:
    """A note for a program that printed something and wrote no file while a file the task asks for is missing.
    ZhAverageScore's model printed 平均分: 79.87, then ran seven more programs and never wrote average.txt. For a
    computing goal, also when the file exists but holds none of the numbers printed, only a number that was typed
    (PrimeSum's model wrote 0 first, then printed 277050 four times). A short answer printed for a computing goal
    makes the next step write it (``WRITE_NEXT``)."""
    missing = missing_results(ctx)
    if missing:
        lines = [line.strip() for line in stdout.strip().splitlines()]
        if 0 < len(lines) <= 3 and numbers(stdout) and asks_to_compute(ctx.goals) and not _printed_file(ctx, lines):
            # an answer, not a look at the data: the next step writes it (what was printed, and where)
            ctx.extras[WRITE_NEXT] = ("; ".join(line for line in lines if line), missing[0])
        return (f"\nNote: this program wrote no file, and {missing[0]}, which the task asks for, does not exist yet. "
                f"If the output above is the result, write it there now: write_file(path=\"{missing[0]}\", "
                "content=...) with only what the task asks for.")
    lines = [line.strip() for line in stdout.strip().splitlines() if line.strip()]
    for name, text in given_texts(ctx).items():
        if 0 < len(lines) <= 3 and text not in lines:  # Sha256Hash, run 21: the input in hash.txt, the digest printed
            return (f"\nNote: this program wrote no file, and {name} holds {text!r}, the text the goals give to work "
                    "on, not a result. If the output above is the result, write it there now: "
                    f"write_file(path=\"{name}\", content=...) with only what the task asks for.")
    if 0 < len(lines) <= 3 and numbers(stdout) and asks_to_compute(ctx.goals):
        for name in asked_outputs(ctx):
            if name.endswith((".py", ".csv", ".tsv", ".json")):
                continue
            try:
                held = ctx.workspace.read_text(name, max_bytes=4096).strip()
            except (ToolError, OSError):
                continue
            if held and not values(held) and not _printed_file(ctx, lines):
                # PrimeSum, run 28: answer.txt held "No content yet.", the program printed 277050, the model finished
                ctx.extras[WRITE_NEXT] = ("; ".join(lines), name)
                return (f"\nNote: this program wrote no file, and {name} holds {held[:80]!r}, not a result. If the "
                        f"output above is the result, write it there now: write_file(path=\"{name}\", content=...) "
                        "with only what the task asks for.")
    printed = set(values(stdout))
    for name, typed in made_up_numbers(ctx).items():
        if not printed or printed & set(values(ctx.workspace.read_text(name))):
            continue
        if len(typed) > len(printed):
            # InventoryReport, run 18: its program printed only the total; told to write the output there, the model
            # typed the four item lines again beside it, one of them wrong
            return (f"\nNote: this program wrote no file and printed {len(printed)} number(s), while {name} holds "
                    f"{len(typed)} that you typed ({', '.join(typed[:3])}, ...). Next, extend the program: have it "
                    f"compute every number of {name} from the data, print each line, and write the whole of {name} "
                    f"itself (with open('{name}', 'w') as f: f.write(...)).")
        if 0 < len(lines) <= 3 and asks_to_compute(ctx.goals) and not _printed_file(ctx, lines):
            # ZhLineCount, run 23: 24 typed, the program printed 37, and the model ran the same program again
            ctx.extras[WRITE_NEXT] = ("; ".join(lines), name)
        return (f"\nNote: this program wrote no file, and {name} still holds {', '.join(typed[:3])}, which you "
                "typed. If the output above is the result, write it there now: "
                f"write_file(path=\"{name}\", content=...) with only what the task asks for.")
    return ""


def defined_here(ctx: ToolContext, code: str, file: str = "") -> str:
    """A note for a program (not a file) that defines a function or class the goals ask for in a module file:
    the definition lasts only for that run. ParseDuration's model (run 22) wrote five versions of parse_duration
    into execute_python programs, each after ``from duration import parse_duration``, and never into duration.py."""
    modules = [name for name in asked_outputs(ctx) if name.endswith(".py")]
    asked = asked_definitions(ctx.goals)
    if file or not modules or not asked:
        return ""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in asked]
    if not defined:
        return ""
    return (f"\nNote: this program defines {defined[0]}, which the task asks for in {modules[0]}, but only while it "
            f"runs: {modules[0]} is unchanged. Put the definition in {modules[0]} with write_file (the whole module), "
            "then test it in a separate program.")


def lost_result(ctx: ToolContext, code: str, file: str = "") -> str:
    """A note for a program that set values but printed nothing and wrote no file while a file the task asks for
    is missing: what it worked out is gone. MissingPath's model (run 21) summed the column into ``total`` at step
    4, saw an empty output, and spent five more steps getting back there; its time ran out."""
    missing = missing_results(ctx)
    if file or not missing:
        return ""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    assigned = [(node.lineno, target.id) for node in ast.walk(tree) if isinstance(node, ast.Assign | ast.AugAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)]
    if not assigned:
        return ""
    last = max(assigned)[1]
    return (f"\nNote: this program printed nothing and wrote no file, so what it worked out is lost now that it has "
            f"ended. Run it again with print({last}) at the end (or have it write the result to {missing[0]}).")


def _printed_file(ctx: ToolContext, lines: list[str]) -> bool:
    """Whether every one of ``lines`` is a line of one of the workspace's files (a program that printed data)."""
    for name in ctx.workspace.files(limit=50):
        try:
            held = {line.strip() for line in ctx.workspace.read_text(name, max_bytes=65536).splitlines()}
        except (ToolError, OSError):
            continue
        if all(line in held for line in lines if line):
            return True
    return False


_PROGRAM_LINE = re.compile(r"^\s*(?:def |class |import |from \w|print\(|return\b|for .* in |if .*:)", re.MULTILINE)


def _cells(line: str, sep: str) -> tuple[object, ...]:
    """A row's values as a reader that parses numbers sees them: 120.50 and 120.5 are the same."""
    cells: list[object] = []
    for cell in line.split(sep):
        cell = cell.strip()
        try:
            cells.append(float(cell))
        except ValueError:
            cells.append(cell)
    return tuple(cells)


def _written_tables(ctx: ToolContext, changed: list[str]) -> Iterator[tuple[str, str, list[str], str, list[str]]]:
    """Each table a program wrote, with each table of the same kind it left alone: (name, separator, its lines,
    the other's name, the other's lines). Every table is read once."""
    written = [(name, TABLE_SEPARATORS[suffix], suffix) for name in changed
               if (suffix := PurePosixPath(name).suffix.lower()) in TABLE_SEPARATORS]
    if not written:
        return
    left_alone = [name for name in ctx.workspace.files(limit=200) if name not in changed]
    sources: dict[str, list[str]] = {}
    for name, sep, suffix in written:
        rows = _table_lines(ctx, name)
        for source in left_alone:
            if PurePosixPath(source).suffix.lower() == suffix:
                yield name, sep, rows, source, sources.setdefault(source, _table_lines(ctx, source))


def table_notes(ctx: ToolContext, changed: list[str]) -> str:
    """Notes on the tables a program wrote: from a table it read, rows with their values rewritten, and rows
    without the header row; and rows that break what the goals say of them (see ``table_shape_note``)."""
    notes = []
    flawed: dict[str, str] = ctx.extras.setdefault(FLAWED_TABLES, {})
    checked = set()
    for name, sep, rows, source, lines in _written_tables(ctx, changed):
        note = _rewritten(name, sep, rows, source, lines) or headerless(name, rows, source, lines)
        if name not in checked:
            flawed.pop(name, None)
        checked.add(name)
        if note:
            flawed.setdefault(name, note.removeprefix("\nNote: "))
        if note and note not in notes:
            notes.append(note)
    for name in changed:  # JoinCsv, run 21: one row per order where the goals asked one per customer, unsorted
        if PurePosixPath(name).suffix.lower() not in TABLE_SEPARATORS or name in flawed and name in checked:
            continue
        flawed.pop(name, None)
        if note := table_shape_note(ctx, name, _table_lines(ctx, name)):
            flawed[name] = note.removeprefix("\nNote: ")
            notes.append(note)
    return "".join(notes[:2])


def _rewritten(name: str, sep: str, rows: list[str], source: str, lines: list[str]) -> str:
    """A note when a program wrote a table's rows with their values rewritten (``120.50`` became ``120.5``).

    pandas parses numbers, so ``read_csv`` then ``to_csv`` changes rows a goal asked to keep as they were
    (FilterRows' model wrote them so, then copied them by hand as well). The rows a program wrote are
    compared with those of the tables it left alone: a row equal to one of them as values, but not as text.
    """
    as_text = set(lines)
    as_values = {_cells(line, sep): line for line in lines if line.strip()}
    for line in rows:
        was = as_values.get(_cells(line, sep)) if line not in as_text else None
        if was is None:
            continue
        old, new = next(((a.strip(), b.strip()) for a, b in zip(was.split(sep), line.split(sep), strict=False)
                         if len(b.strip()) < len(a.strip())), ("", ""))
        if not old:  # only spaces, or written longer on purpose (120.5 as 120.50)
            continue
        return (f"\nNote: {name} has rows of {source} {_REWRITTEN_NOTE}{old!r} became "
                f"{new!r}): pandas reads numbers as numbers. To copy rows unchanged, read with "
                f"pd.read_csv({source!r}, dtype=str), or use the csv module.")
    return ""


def _table_lines(ctx: ToolContext, name: str) -> list[str]:
    try:
        path = ctx.workspace.resolve(name)
        if path.stat().st_size > TABLE_MAX_BYTES:
            return []
        return decode_text(path.read_bytes())[0].splitlines()
    except (ToolError, OSError):
        return []


_MODULES = {"pd": "import pandas as pd", "np": "import numpy as np", "pandas": "import pandas",
            "numpy": "import numpy"}


def undefined_file_note(ctx: ToolContext, stderr: str, code: str = "") -> str:
    """For code that failed on an undefined name that is a workspace file's name without its suffix, or begins
    with it: the data is in the file. InventoryReport's model used ``inventory`` (inventory.txt) as a variable in
    four programs; WordCount's used ``essay_text`` (essay.txt) twice. Another name points to the one file the
    goals give to read, if they give one. The example reads the file into what the
    code uses: a .json file's data, a .csv file's rows, a dict of "name: value" lines where the code uses a dict
    (InventoryReport's loops were ``for item, quantity in inventory.items()``), or else the text."""
    undefined = re.search(r"NameError: name '(\w+)' is not defined", stderr)
    if undefined is None:
        return ""
    name = undefined.group(1)
    if module := _MODULES.get(name, f"import {name}" if name in sys.stdlib_module_names else ""):
        # MalformedJson: `json` and `re` used without their imports got "json = json.load(...)" as the example
        return f"\nNote: {name} is a module: the program must import it first, e.g. {module}."
    if later := _set_later(code, name, stderr):
        return later
    files = ctx.workspace.files(limit=200)
    found = _named_file(name, files)
    if found is not None:
        note = (f"\nNote: {name} is not defined in this program, but the workspace has {found}: read it in the code "
                f"first, e.g. {_reading(ctx, name, found, code)}.")
    else:
        found = _one_input(ctx, files)
        if not found:  # MalformedJson's model looped over `items` twice: the items are in input.json
            return ""
        note = (f"\nNote: {name} is not defined in this program. If it is the task's data, that is in {found}: "
                f"read it in the code first, e.g. {_reading(ctx, name, found, code)}.")
    # Every name of the program that is a file's data, read first: InventoryReport's model, told of prices.json,
    # added that line alone and failed on the next name (inventory), four programs in a row.
    reads = {other: path for other in _free_names(code) if (path := _named_file(other, files)) is not None}
    reads.setdefault(name, found)
    program = "\n".join([*(_reading(ctx, other, path, code) for other, path in reads.items()), code])
    if len(program) <= 1500:
        note += f" Your program that way: execute_python(code={json.dumps(program, ensure_ascii=False)})"
    return note


def _set_later(code: str, name: str, stderr: str) -> str:
    """A note for a program that used ``name`` on a line before the line that sets it: the order is wrong, not the
    data missing. SortCsv, run 29: ``header = next(reader)`` put first, above ``reader = csv.reader(file)``; told to
    read the file into ``reader`` first, the model ran ``next()`` on a list."""
    failed = re.findall(r'File "<stdin>", line (\d+), in <module>', stderr)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    if not failed:
        return ""
    used = int(failed[-1])
    sets = sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store))
    later = [number for number in sets if number > used]
    lines = code.splitlines()
    if not later or [number for number in sets if number < used] or later[0] > len(lines) or used > len(lines):
        return ""
    return (f"\nNote: {name} is used on line {used} ({lines[used - 1].strip()}) before line {later[0]} sets it "
            f"({lines[later[0] - 1].strip()}). A program runs from its first line down: move line {used} below "
            f"line {later[0]}, where {name} exists.")


def _named_file(name: str, files: list[str]) -> str | None:
    """The workspace file a variable is named after: ``inventory`` or ``inventory_lines`` for inventory.txt."""
    key = name.casefold()
    return next((path for path in files
                 if (stem := PurePosixPath(path).stem.casefold()) and (key == stem or key.startswith(stem + "_"))), None)


def _free_names(code: str) -> list[str]:
    """The names ``code`` uses but never defines, imports or gets from Python's builtins, first use first."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    defined = set(dir(builtins))
    used: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                used.append((node.lineno, node.col_offset, node.id))
            else:
                defined.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
    return list(dict.fromkeys(name for *_, name in sorted(used) if name not in defined))


def _reading(ctx: ToolContext, name: str, path: str, code: str) -> str:
    """A line of Python that reads the workspace file ``path`` into ``name`` the way ``code`` uses it, in the
    file's encoding (Latin1Encoding's customers.txt is cp1252)."""
    try:
        text, encoding = ctx.workspace.read_text_and_encoding(path, max_bytes=4096)
    except (ToolError, OSError):
        text, encoding = "", "utf-8"
    opened = f"open({path!r}, encoding={encoding!r})"
    if path.endswith(".json"):
        if _python_reads_only(ctx, path):  # MalformedJson: a comma before } or ]
            return f"import ast; {name} = ast.literal_eval({opened}.read())"
        return f"import json; {name} = json.load({opened})"
    if path.endswith(".csv"):
        loop = re.search(rf"\bfor\s+(\w+)\s+in\s+{re.escape(name)}\b", code)
        if loop and re.search(rf"\b{loop.group(1)}\[\d+\]", code):  # row[1]: rows as lists, the header left out
            # ZhAverageScore, run 19: `for row in scores: total += int(row[1])` got DictReader's rows: KeyError: 1
            return f"import csv; {name} = list(csv.reader({opened}))[1:]"
        return f"import csv; {name} = list(csv.DictReader({opened}))"
    lines = [line for line in text.splitlines() if line.strip()]
    used = re.escape(name)
    if (re.search(rf"\b{used}(?:\.(?:items|keys|values|get)\(|\[)", code) and lines
            and all(re.fullmatch(r"[^:=]+[:=]\s*-?\d+(?:\.\d+)?\s*", line) for line in lines)):
        # whole numbers stay whole: InventoryReport's report said "widget: 14.0 x 2.75" for a quantity of 14 (run 23)
        number = "int" if all(re.fullmatch(r"[^:=]+[:=]\s*-?\d+\s*", line) for line in lines) else "float"
        return (f"{name} = {{key.strip(): {number}(value) for key, value in (line.replace('=', ':').split(':', 1) "
                f"for line in {opened}) if value.strip()}}")
    if re.search(rf"\bin\s+{used}\b(?!\.)", code):  # for line in customers: its lines, not its characters
        return f"{name} = {opened}.read().splitlines()"
    return f"{name} = {opened}.read()"


def _python_reads_only(ctx: ToolContext, path: str) -> bool:
    """Whether the workspace's ``path`` is not valid JSON but Python's reader takes it (a comma before } or ])."""
    try:
        text = ctx.workspace.read_text(path)
        json.loads(text)
    except (ToolError, OSError, UnicodeDecodeError):
        return False
    except ValueError:
        try:
            ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return False
        return True
    return False


def misread_column_note(ctx: ToolContext, stderr: str) -> str:
    """For code that failed on a key that is a value of another column of a table the goals give: the row's fields
    were taken in another order than the header's. TopRegion, run 26: ``region, _, amount = row.split(',')`` on
    date,region,amount rows looked up the date '2024-01-03' as a region, and the model typed a region instead."""
    missing = re.search(r"^KeyError: '([^'\n]+)'$", stderr, re.MULTILINE)
    if missing is None:
        return ""
    key = missing.group(1)
    for name, rows in input_tables(ctx).items():
        if len(rows) < 2:
            continue
        header = [cell.strip() for cell in rows[0]]
        column = next((header[at] for row in rows[1:] for at, cell in enumerate(row[: len(header)])
                       if cell.strip() == key), "")
        if column:
            return (f"\nNote: {key!r} is a value of {name}'s {column} column. A row's fields come in the order of "
                    f"its header, {','.join(header)}: take each by its place in that order, or read the rows with "
                    f"csv.DictReader and take each by its name ({', '.join(f'row[{cell!r}]' for cell in header[:3])}).")
    return ""


def missing_name_note(ctx: ToolContext, stderr: str) -> str:
    """For code that failed because a module of the workspace lacks the name it imports: the module must be
    written first. ParseDuration's model wrote only a comment into duration.py and ran its test three times."""
    missing = re.search(r"module '([\w.]+)' has no attribute '(\w+)'|cannot import name '(\w+)' from '([\w.]+)'",
                        stderr)
    if missing is None:
        return ""
    module, name = (missing.group(1), missing.group(2)) if missing.group(1) else (missing.group(4), missing.group(3))
    path = module.replace(".", "/") + ".py"
    try:
        if not ctx.workspace.resolve(path).is_file():
            return ""
    except ToolError:
        return ""
    return (f"\nNote: {path} defines no {name}. Write the code of {name} into {path} with write_file, then run "
            "the test again.")


def page_read_note(ctx: ToolContext, code: str) -> str:
    """For failed code that names a page read_webpage has already read: its text is in the results already.
    WebFact's model read the page, then wrote requests/BeautifulSoup programs to fetch it again, until the cutoff."""
    page = next((url for url in ctx.extras.get(PAGES_READ, []) if url in code), None)
    if page is None:
        return ""
    return (f"\nNote: you already read {page} with read_webpage: its text is in the results above, and code "
            "cannot fetch it. Take what the goals need from that text and write it with write_file.")


def _restore_inputs(ctx: ToolContext) -> tuple[list[str], str]:
    """After a program: the task's inputs it changed, put back (see :func:`restore_inputs`), and a note saying so."""
    kept = restore_inputs(ctx)
    if not kept:
        return [], ""
    return kept, (f"\nNote: the program changed {', '.join(kept)}, which the task gives to read: "
                  f"{'it was' if len(kept) == 1 else 'they were'} put back as before. Read inputs; write results "
                  "to other files.")


async def execute_python(code: str, ctx: ToolContext) -> str:
    """Run a complete Python program in a sandbox (no network; the workspace is the current folder) and
    return what it prints.

    Args:
        code: A complete, self-contained program: define every function it uses and print() the results.
    """
    sandbox = _sandbox(ctx)
    if not code.strip():
        raise ToolError("The code is empty.")
    if code.rstrip().endswith("…"):
        # MalformedJson: the model sent back the shortened form of an earlier program, "…" and all
        raise ToolError("Not run: the code ends with '…'. That is how the list of steps shortens a long argument, "
                        "not code. Write the whole program.")
    code = repair_code(code)
    tried = note_ran(ctx, code)
    argv = [sandbox.python, *PYTHON_FLAGS, "-"]
    try:
        ran = await _run_program(ctx, sandbox, argv, stdin=explained_asserts(code), code=code, tried=tried)
    except ToolError as failed:
        mend = _mended(ctx, code, str(failed))
        if mend is None:
            raise
    else:
        if _REWRITTEN_NOTE not in ran or not (as_text := read_csv_as_text(code)):
            if merged := merge_version(ran, code):  # JoinCsv, run 30: told to "write every one" first, it typed one
                ran = re.sub(r" Write every one: a program that reads \S+ and writes a (?:row|line) for each to \S+\.",
                             "", ran)
            return ran + sorted_version(ran, code) + merged
        # FilterRows (runs 10, 21, 22): pandas wrote the shipped rows with 120.50 as 120.5; told so, the model typed
        # the rows by hand instead. Run again with the values read as text, kept when only the numbers' writing
        # changed: what it printed (a sum of text is no sum) and each table's rows as values, in their order (text
        # sorts "9" after "10").
        tables = {name: _table_lines(ctx, name) for name, note in ctx.extras.get(FLAWED_TABLES, {}).items()
                  if _REWRITTEN_NOTE in note}
        try:
            again = await _run_program(ctx, sandbox, argv, stdin=explained_asserts(as_text), code=as_text, tried=tried)
        except ToolError:
            again = ""
        printed = lambda text: text.split("--- files it wrote ---")[0]  # noqa: E731 (what it printed, as said)
        if (again and _REWRITTEN_NOTE not in again and printed(again) == printed(ran)
                and all(_same_values(name, rows, _table_lines(ctx, name)) for name, rows in tables.items())):
            return ("Note: pandas read the table's numbers as numbers and wrote them back changed, so your program "
                    "was run again with dtype=str in pd.read_csv (every value kept as it is written):\n\n" + again)
        return await _run_program(ctx, sandbox, argv, stdin=explained_asserts(code), code=code, tried=tried)
    said, mended = mend
    try:
        return said + await _run_program(ctx, sandbox, argv, stdin=explained_asserts(mended), code=mended,
                                          tried=tried)
    except ToolError as again:
        further = _mended(ctx, mended, str(again))  # a second plain repair (run 24: a closed line, then `inventory`)
        if further is None or further[1] == mended:
            raise ToolError(f"{said}{again}", rest=again.rest) from None
    said, mended = said + further[0], further[1]
    try:
        return said + await _run_program(ctx, sandbox, argv, stdin=explained_asserts(mended), code=mended,
                                          tried=tried)
    except ToolError as again:
        raise ToolError(f"{said}{again}", rest=again.rest) from None


_REWRITTEN_NOTE = "with their values rewritten ("
_UNSORTED = re.compile(r"Note: (\S+) is not sorted by (.+?) from (highest to lowest|lowest to highest), as the goals ask")


def sorted_version(result: str, code: str) -> str:
    """For a program whose pandas table came out unsorted where the goals ask for an order: the program with the
    ``sort_values`` line before its ``to_csv``, written out to run. JoinCsv's model (run 22) wrote the right totals
    unsorted at step 3, was told to sort them, and never got back to that program."""
    unsorted = _UNSORTED.search(result)
    if unsorted is None:
        return ""
    name, column, order = unsorted.groups()
    writes = re.search(rf"^([ \t]*)(\w+)\.to_csv\(\s*['\"]{re.escape(name)}['\"]", code, re.MULTILINE)
    if writes is None:
        return ""
    indent, frame = writes.groups()
    line = f"{indent}{frame} = {frame}.sort_values({column!r}, ascending={order == 'lowest to highest'})\n"
    program = code[: writes.start()] + line + code[writes.start():]
    if len(program) > 1500 or compile_error(program):
        return ""
    return f"\nYour program that way: execute_python(code={json.dumps(program, ensure_ascii=False)})"


_TOO_FEW = re.compile(r"the goals ask for one for each in (\S+), which has")


def merge_version(result: str, code: str) -> str:
    """For a program whose table has too few rows for the goals' "one for each in X.csv", when it made them with a
    pandas merge that drops X's rows without a match (X on the right of a left join, or an inner join): the
    program with the merge made from X, ``how='left'``, written out to run. JoinCsv (runs 24, 26, 28): the model
    merged orders into customers (``pd.merge(orders, customers, how='left')``), so the customer without orders had
    no row; told so, it typed that one row by hand over the whole table."""
    short = _TOO_FEW.search(result)
    if short is None:
        return ""
    source = short.group(1)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    read = {target.id: node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}
    frame = next((name for name, value in read.items() if isinstance(value, ast.Call)
                  and isinstance(value.func, ast.Attribute) and value.func.attr == "read_csv" and value.args
                  and isinstance(value.args[0], ast.Constant) and value.args[0].value == source), "")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "merge"):
            continue
        plain = isinstance(node.func.value, ast.Name) and node.func.value.id in ("pd", "pandas")
        operands = node.args[:2] if plain else [node.func.value, *node.args[:1]]
        if len(operands) != 2 or not all(isinstance(operand, ast.Name) for operand in operands):
            continue
        left, right = (operand.id for operand in operands)  # type: ignore[attr-defined]
        how = next((keyword.value.value for keyword in node.keywords if keyword.arg == "how"
                    and isinstance(keyword.value, ast.Constant)), "inner")
        keeps = {"left": left, "right": right, "outer": frame}.get(str(how), "")
        if frame not in (left, right) or keeps == frame or any(
                keyword.arg in (None, "left_on", "right_on", "left_index", "right_index") for keyword in node.keywords):
            continue
        other = right if left == frame else left
        rest = [f"{keyword.arg}={ast.unparse(keyword.value)}" for keyword in node.keywords if keyword.arg != "how"]
        call = (f"pd.merge({frame}, {other}, " if plain else f"{frame}.merge({other}, ") + ", ".join(
            [*rest, "how='left'"]) + ")"
        was = ast.get_source_segment(code, node) or ""
        program = code.replace(was, call, 1) if was else ""
        if not program or len(program) > 1500 or compile_error(program):
            return ""
        return (f"\nNote: {was} keeps only the rows of {source} that have a match ({how} join), so a row of {source} "
                f"with none is left out. {call} keeps every row of {source} (a sum makes its missing amounts 0). "
                f"Your program that way: execute_python(code={json.dumps(program, ensure_ascii=False)})")
    return ""


def _same_values(name: str, before: list[str], after: list[str]) -> bool:
    """Whether two versions of a table hold the same rows as values (``120.5`` is ``120.50``), in the same order."""
    sep = TABLE_SEPARATORS[PurePosixPath(name).suffix.lower()]
    return len(before) == len(after) and all(_cells(a, sep) == _cells(b, sep) for a, b in zip(before, after,
                                                                                                strict=True))


def read_csv_as_text(code: str) -> str:
    """``code`` with ``dtype=str`` added to each ``read_csv(...)`` call that sets no ``dtype`` ("" if none or it
    does not parse): pandas then keeps every value as written (``120.50``, not ``120.5``)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.end_lineno is not None
             and (node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")) == "read_csv"
             and not any(keyword.arg in ("dtype", None) for keyword in node.keywords)]
    if not calls:
        return ""
    lines = [line.encode("utf-8") for line in code.splitlines(keepends=True)]
    for call in sorted(calls, key=lambda node: (node.end_lineno, node.end_col_offset), reverse=True):
        line, end = lines[call.end_lineno - 1], call.end_col_offset - 1  # the byte offset of its closing ")"
        before = b"".join(lines[: call.end_lineno - 1]) + line[:end]
        comma = b"" if before.rstrip().endswith((b",", b"(")) else b", "
        lines[call.end_lineno - 1] = line[:end] + comma + b"dtype=str" + line[end:]
    mended = b"".join(lines).decode("utf-8")
    return "" if compile_error(mended) else mended


#: The file commands, as Python functions that do what a program calling them means: a list is written one item a
#: line (Latin1Encoding, run 30: ``write_file(path='zurich.txt', content=names)`` wrote the list's repr).
_FILE_COMMANDS = {
    "write_file": ("def write_file(path, content): open(path, 'w', encoding='utf-8').write(content if "
                   "isinstance(content, str) else '\\n'.join(map(str, content)) + '\\n' if isinstance(content, "
                   "(list, tuple)) else str(content))"),
    "append_file": ("def append_file(path, content): open(path, 'a', encoding='utf-8').write(content if "
                   "isinstance(content, str) else '\\n'.join(map(str, content)) + '\\n' if isinstance(content, "
                   "(list, tuple)) else str(content))"),
    "read_file": "def read_file(path): return open(path, encoding='utf-8').read()",
}


def _mended(ctx: ToolContext, code: str, error: str) -> tuple[str, str] | None:
    """For a program that failed in a way with one plain repair: what was done, and the program repaired, to run
    again at once. Small models write each program as if the last one's variables were still there (a notebook):
    InventoryReport's model used ``inventory`` and ``prices`` unread in four programs, and ignored the program
    written out for it; MalformedJson's ran ``json.load`` on the broken file again and again, ignoring the same."""
    if mend := _file_read_for_name(ctx, code, error):
        return mend
    if (undefined := re.search(r"NameError: name '(\w+)' is not defined", error)) and undefined.group(1) in _FILE_COMMANDS:
        # Sha256Hash, run 22: the right digest printed, then write_file(path='hash.txt', content=hash) in the program
        called = [name for name in _FILE_COMMANDS if re.search(rf"(?<![\w.]){name}\(", code)]
        shims = "\n".join(_FILE_COMMANDS[name] for name in called)
        one = len(called) == 1
        what = ("is one of your commands, not a Python function, so your program was run again with this line first, "
                "which does" if one else "are your commands, not Python functions, so your program was run again "
                "with these lines first, which do")
        return f"Note: {', '.join(called)} {what} what the call meant:\n{shims}\n\n", f"{shims}\n{code}"
    if "SyntaxError" in error and (closed := _closed_last_line(code)):
        last = closed.rstrip().splitlines()[-1].strip()
        why = ("ended with '}' where ')' closes it (the braces that end the reply, typed into the code)"
               if code.rstrip().endswith("}") else "left '(' open")
        return f"Note: your program's last line {why}, so it was run again with that line as: {last}\n\n", closed
    if "SyntaxError" in error and (closed := _closed_string(code)):
        line = closed[1]
        return (f"Note: a line of your program ended inside a short string, so it was run again with the string and "
                f"its call closed: {line.strip()}\n\n", closed[0])
    if "SyntaxError" in error and (plain := _format_without_f(code)):
        return ("Note: an f-string used with .format(...) fails (its {} hold no value), so your program was run "
                "again with that string written without the f.\n\n", plain)
    if (undefined := re.search(r"NameError: name '(\w+)' is not defined", error)) and (
            counted := _started_count(code, undefined.group(1))):
        name = undefined.group(1)
        return (f"Note: your program adds to {name} (+=) without setting it first, so it was run again with "
                f"{name} = 0 before its first use.\n\n", counted)
    if lines := missing_reads(ctx, code, error):
        names = ", ".join(name for name, _ in lines)
        said = (f"Note: your program used {names} without defining {'it' if len(lines) == 1 else 'them'} (every "
                "execute_python run is a new, empty program), so it was run again with these lines first:\n"
                + "\n".join(line for _, line in lines) + "\n\n")
        return said, "\n".join([*(line for _, line in lines), code])
    if "JSONDecodeError" not in error and "json.decoder" not in error:
        return None
    opened = _json_opened(code)
    mended = _literal_eval_version(code)
    if not opened or not mended or not _python_reads_only(ctx, opened):  # not with true, false or null
        return None
    return (f"Note: {opened} is not valid JSON (json.load fails on it), but Python's reader takes it (a "
            "comma before } or ] is fine there), so your program was run again with ast.literal_eval(f.read()) in "
            "place of json.load(f).\n\n", mended)


_OPEN_STRING = re.compile(r"""^(?P<head>.*\()(?P<quote>['"])(?P<text>[^'"\\]{1,3})$""")


def _closed_string(code: str) -> tuple[str, str] | None:
    """``code`` with the one line that ends inside a short string opened in a call (``values = line.split(',``,
    MissingPath, run 26, twice) closed, when that version compiles, and the line as closed; None otherwise."""
    broken = compile_error(code)
    at = re.search(r"unterminated string literal \(detected at line (\d+)\)", broken)
    lines = code.split("\n")
    if not at or not 0 < int(at.group(1)) <= len(lines):
        return None
    number = int(at.group(1)) - 1
    opened = _OPEN_STRING.match(lines[number].rstrip())
    if opened is None:
        return None
    head = opened.group("head")
    line = f"{head}{opened.group('quote')}{opened.group('text')}{opened.group('quote')}" + ")" * (
        head.count("(") - head.count(")"))
    mended = "\n".join([*lines[:number], line, *lines[number + 1:]])
    return (mended, line) if not compile_error(mended) else None


_F_FORMAT = re.compile(r"""\bf(['"])((?:(?!\1)[^\n])*?\{[:}](?:(?!\1)[^\n])*)\1(?=\.format\()""")


def _format_without_f(code: str) -> str:
    """``code`` with the ``f`` taken off each f-string it formats with ``.format()`` (``f'TOTAL: {:.2f}'.format(t)``,
    InventoryReport, run 24), when ``code`` does not compile and that version does; "" otherwise."""
    if not compile_error(code):
        return ""
    plain = _F_FORMAT.sub(r"\1\2\1", code)
    return plain if plain != code and not compile_error(plain) else ""


def _started_count(code: str, name: str) -> str:
    """``code`` with ``name = 0`` before the first top-level statement that adds to ``name`` (``total += value``),
    when the program never sets ``name`` otherwise; "" if not. InventoryReport, run 24: ``total += quantity * price``
    in a loop, with no ``total = 0`` anywhere, after the note on totals said to start it."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    stored = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name
              and isinstance(node.ctx, ast.Store)]
    added = {id(node.target) for node in ast.walk(tree) if isinstance(node, ast.AugAssign)
             and isinstance(node.target, ast.Name) and node.target.id == name and isinstance(node.op, ast.Add)}
    if not added or any(id(node) not in added for node in stored):
        return ""
    first = next(statement for statement in tree.body
                 if any(id(node) in added for node in ast.walk(statement)))
    if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):  # a local name: not this mistake
        return ""
    lines = code.splitlines(keepends=True)
    return "".join([*lines[: first.lineno - 1], f"{name} = 0\n", *lines[first.lineno - 1:]])


def added_after_loop(code: str) -> str:
    """A note for a program that adds a value the loop just before it sets, after that loop rather than in it
    (``total += value`` not indented under ``for``): it adds only the last one. InventoryReport, run 28: its program
    printed the four item lines and ``TOTAL: 59.20``, the last item's value, and the model wrote that total."""
    return _after_loop_note(after_loop(code))


def _after_loop_note(found: tuple[str, str, str, str] | None) -> str:
    """The note of ``added_after_loop`` for what ``after_loop`` found ("" for nothing)."""
    if found is None:
        return ""
    line, header, names, program = found
    written = f" Your program that way: execute_python(code={json.dumps(program, ensure_ascii=False)})" if program else ""
    return (f"\nNote: {line} comes after the loop ({header}), not inside it, so it runs once and adds only the last "
            f"{names}: what it printed from it is wrong. To add each one, indent it under the loop, like the lines "
            f"that set it, and run the program again.{written}")


def after_loop(code: str) -> tuple[str, str, str, str] | None:
    """For ``code`` that adds a value after the loop that sets it: that line, the loop's first line, the names it
    adds, and the program with the line indented under the loop ("" if that does not compile or is too long)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for body in [tree.body, *(node.body for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))]:
        for loop, after in zip(body, body[1:], strict=False):
            if not isinstance(loop, ast.For) or not isinstance(after, ast.AugAssign):
                continue
            if not isinstance(after.target, ast.Name) or not isinstance(after.op, ast.Add):
                continue
            set_in_loop = {node.id for statement in [loop.target, *loop.body] for node in ast.walk(statement)
                           if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            used = {node.id for node in ast.walk(after.value) if isinstance(node, ast.Name)}
            if not used & set_in_loop or after.target.id in set_in_loop:
                continue
            lines = code.splitlines(keepends=True)
            indent = " " * (loop.body[0].col_offset - after.col_offset)
            program = "".join([*lines[: after.lineno - 1], *(indent + text for text in lines[after.lineno - 1:
                                                                                               after.end_lineno]),
                               *lines[after.end_lineno:]])
            return (ast.get_source_segment(code, after) or "", lines[loop.lineno - 1].strip(),
                    ", ".join(sorted(used & set_in_loop)),
                    "" if len(program) > 1500 or compile_error(program) else program)
    return None


def _closed_last_line(code: str) -> str:
    """``code`` with the parentheses its last line leaves open closed (its closing braces made those parentheses),
    when ``code`` does not compile and that version does; "" otherwise. JoinCsv's model (run 19) ended three right
    programs with ``writer.writerow([name, total]}}``, WordCount's (run 18) with ``file.write(str(word_count)}}``;
    in run 23 JoinCsv's first program ended ``writer.writerow([name, total]``."""
    lines = code.rstrip().splitlines()
    if not lines or not compile_error(code):
        return ""
    stripped = re.sub(r"\}+\s*$", "", lines[-1])
    if stripped.rstrip().endswith(tuple("([{,+-*/%=.\\:")):  # cut in the middle ("print("): not only unclosed
        return ""
    opened = stripped.count("(") - stripped.count(")")
    closed = "\n".join([*lines[:-1], stripped + ")" * opened])
    return closed if opened > 0 and not compile_error(closed) else ""


def _file_read_for_name(ctx: ToolContext, code: str, error: str) -> tuple[str, str] | None:
    """For a program that failed on a workspace file's name written without quotes (``for item in input.json:``):
    what was done, and the program with the file's data in its place. MalformedJson's model ran that loop four
    times in run 15, with the note that says to open the file by its name after each."""
    name = file_used_as_variable(code, error)
    if not name or name not in ctx.workspace.files(limit=200):
        return None
    stem, suffix = name.rsplit(".", 1)
    variable = f"{stem}_{suffix}"
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    lines = code.splitlines(keepends=True)
    spans = [(first.start, last.end) for first, dot, last in zip(tokens, tokens[1:], tokens[2:], strict=False)
             if (first.string, dot.string, last.string) == (stem, ".", suffix) and first.end == dot.start
             and dot.end == last.start]
    for (row, start), (_, end) in reversed(spans):  # one line each: a name, a dot and a name
        lines[row - 1] = lines[row - 1][:start] + variable + lines[row - 1][end:]
    program = "".join(lines)
    reading = _reading(ctx, variable, name, program)
    return (f"Note: {name} without quotes is not the file (Python reads it as a variable), so your program was run "
            f"again with {variable} in its place and this line first:\n{reading}\n\n", f"{reading}\n{program}")


def missing_reads(ctx: ToolContext, code: str, error: str) -> list[tuple[str, str]]:
    """For a program that failed on an undefined name: the lines that define what it used without defining, when
    that is plain: a standard module (``import json``), pandas or numpy (``import pandas as pd``) or a workspace
    file's data (``inventory`` is inventory.txt's); ``[]`` unless the failing name is one of them. (name, line)
    pairs, first use first."""
    undefined = re.search(r"NameError: name '(\w+)' is not defined", error)
    if undefined is None:
        return []
    files = ctx.workspace.files(limit=200)
    lines = []
    for name in _free_names(code):
        if name in sys.stdlib_module_names:
            lines.append((name, f"import {name}"))
        elif name in _MODULES:  # JoinCsv, run 27: pd.read_csv(...) without the import, told so, and never rerun
            lines.append((name, _MODULES[name]))
        elif (path := _named_file(name, files)) is not None:
            lines.append((name, _reading(ctx, name, path, code)))
        elif name == undefined.group(1) and (given := _looped_input(ctx, files, name, code)):
            # MalformedJson, run 23: `for item in items:` in a program that read nothing; told that the items are in
            # input.json, with the program written out, the model tried to fetch input.json from the web instead
            lines.append((name, _reading(ctx, name, given, code)))
    return lines if undefined.group(1) in dict(lines) else []


def _module_at_fault(stderr: str, tried: list[str]) -> bool:
    """Whether a failed program failed in a written module it tests: its assert on what the module gave, or an
    error raised inside the module. Slugify's model (run 23), its test failing on slugify('Hello, World!'), ran the
    same test again, then slugify.py alone twice, and the time ran out; ParseDuration's searched the web."""
    if not tried or not stderr.strip():
        return False
    frames = re.findall(r'File "(?:/workspace/)?([^"]+)", line \d+', stderr)
    return stderr.strip().splitlines()[-1].startswith("AssertionError") or bool(frames and frames[-1] in tried)


_READS = re.compile(r"\bopen\(|\bread_(?:csv|json|excel)\(|\.read_text\(|\bjson\.loads?\(")


def _looped_input(ctx: ToolContext, files: list[str], name: str, code: str) -> str:
    """The one file the goals give to read, when ``code`` reads no file and its first loop goes over ``name``,
    which it never sets: the program's data is that file's. Not a name the loop makes (``values`` summed after a
    loop over ``inventory``)."""
    first = re.search(r"\bfor\s+[\w\s,()]+?\s+in\s+(\w+)", code)
    if first is None or first.group(1) != name or _READS.search(code):
        return ""
    return _one_input(ctx, files)


def _one_input(ctx: ToolContext, files: list[str]) -> str:
    """The one file the goals give to read, when they give exactly one that is in the workspace; "" otherwise."""
    given = [path for path in goal_inputs("\n".join(ctx.goals)) if path in files]
    return given[0] if len(given) == 1 else ""


_GOT = "__autogpt_got"


def explained_asserts(code: str) -> str:
    """``code`` with each one-line ``assert left == right`` that has no message made to say what ``left`` gave, as
    pytest's assertion rewriting does: ``assert (__autogpt_got := left) == right, f"got {__autogpt_got!r}"``
    (``left`` is still evaluated once, and every line keeps its number). A bare AssertionError told Slugify's model
    only which line failed; it replaced a right function with a wrong one and never printed what it returned."""
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


async def execute_python_file(path: str, ctx: ToolContext, args: list[str] | None = None) -> str:
    """Run a Python file from the workspace in the sandbox and return its output.

    Args:
        path: The .py file, relative to the workspace.
        args: Command-line arguments for the program.
    """
    # A test file (test_*.py or *_test.py with test functions) runs with pytest. Not said in the docstring: the
    # model needs no instructions for it, and a longer description moves every embedded run's sampling.
    sandbox = _sandbox(ctx)
    target = ctx.workspace.resolve(path)
    code = [arg for arg in args or [] if "\n" in arg and _PROGRAM_LINE.search(arg)]
    stem = re.escape(PurePosixPath(path).stem)
    tests = len(code) == 1 and re.search(rf"^\s*(?:from {stem} import|import {stem}\b)", code[0], re.MULTILINE)
    if len(code) == 1 and (not target.is_file() or tests):
        # Slugify and ParseDuration, run 18: execute_python_file(path="test_slugify.py", args=["from slugify import
        # slugify\nassert ..."]) for a file that was never written, three times each: the code is the test to run;
        # Slugify, run 25: execute_python_file(path="slugify.py", args=[its test, importing slugify]), twice
        why = f"{path} does not exist" if not target.is_file() else f"the code you gave imports {path}: it tests it"
        said = (f"Note: {why}, so the code you gave as its args was run as a program, as execute_python(code=...) "
                "runs it (next time, pass code to execute_python).\n\n")
        try:
            return said + await execute_python(code[0], ctx)
        except ToolError as failed:
            raise ToolError(f"{said}{failed}", rest=failed.rest) from None
    if not target.is_file():
        raise ToolError(f"{path!r} does not exist in the workspace. To run code, pass it to execute_python instead.")
    if target.suffix != ".py":
        raise ToolError(f"{path!r} is not a .py file.")
    if code:
        # ParseDuration's model passed the module's code as an argument to the module that held only a comment
        raise ToolError("args are the program's command-line arguments, not code: nothing was run. To put code in "
                        f"{path}, use write_file; to run code, pass it to execute_python.")
    inside = str(PurePosixPath(sandbox.workspace_path) / ctx.workspace.relative(target))
    text = target.read_text(encoding="utf-8", errors="replace")
    tried = note_ran(ctx, ctx.workspace.relative(target), text)
    if (re.fullmatch(r"test_.*\.py|.*_test\.py", target.name) and re.search(r"^(\s*def test|class Test)", text, re.M)
            and await _has_pytest(ctx, sandbox)):
        # run as a script, a file of test functions only defines them: it prints nothing and tests nothing
        argv = [sandbox.python, *PYTHON_FLAGS, "-m", "pytest", "-q", "-p", "no:cacheprovider", inside, *(args or [])]
        return await _run_program(ctx, sandbox, argv, tried=tried)
    return await _run_program(ctx, sandbox, [sandbox.python, *PYTHON_FLAGS, inside, *(args or [])], tried=tried,
                              file=ctx.workspace.relative(target))


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
    note_ran(ctx, command)
    result = await sandbox.run(argv, ctx.workspace.root)
    _, restored = _restore_inputs(ctx)
    try:
        return outcome(result, sandbox.limits.timeout) + restored
    except ToolError as exc:
        raise ToolError(f"{exc}{restored}") from None


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
