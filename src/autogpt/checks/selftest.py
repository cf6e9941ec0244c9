"""Self-testing (``full``): code the goals ask for (a function, module or script) is run before ``finish``."""

from __future__ import annotations

import ast

from autogpt.checks.base import Act, Situation, Stage, Verdict, check, note, printed_something, refuse
from autogpt.checks.hygiene import module_of, runs_file, written_code
from autogpt.checks.messages import join


def suggested_test(s: Situation, name: str) -> str:
    """A small test of ``name`` to run: the goals' own examples when they give some, else an import and a call."""
    module = module_of(name)
    source = s.text(name, 100_000) or ""
    names = [d for d in s.spec.definitions if f"def {d}" in source or f"class {d}" in source]
    if not names:  # a script, or definitions the goals do not name
        return f'execute_python_file(path="{name}")' if "def " not in source else f"import {module}\nprint(dir({module}))"
    lines = [f"from {module} import {', '.join(names)}"]
    examples = [(call, value) for call, value in s.spec.examples if call.split("(")[0] in names]
    lines += [f"print({call}, '== expected', {value})" for call, value in examples[:4]]
    if not examples:
        lines.append(f"print({names[0]})  # then call it on an example from the goals and print the result")
    return "\n".join(lines)


def _tests(s: Situation, act: Act, name: str) -> bool:
    """Whether ``act`` tested ``name``: a program that imports it (or a test file that does), or the file run itself
    printing something (a module run alone only defines its functions: that tests nothing)."""
    if not runs_file(s, act.tool, act.args, name):
        return False
    ran = act.args.get("path")
    if isinstance(ran, str) and s.relative(ran) == name:
        return printed_something(act.output)
    return True


@check("self_test", Stage.BEFORE_FINISH, "full")
def self_test(s: Situation) -> Verdict | None:
    """Code the goals ask for was written and never run since: test it before finishing."""
    if not s.spec.code:
        return None
    asked = [name for name in written_code(s) if name in s.spec.results or not s.spec.results]
    for name in asked:
        changed = s.last_change(name)
        if changed is None:
            continue
        if not any(act.executed and act.ok and act.number > changed.number and _tests(s, act, name) for act in s.acts):
            return refuse("self_test", subject=name, once=True, file=name, test=suggested_test(s, name))
    return None


def _defined(source: str) -> set[str] | None:
    """The functions, methods and classes ``source`` defines; None when it does not parse (other checks say so)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


@check("definitions", Stage.BEFORE_FINISH, "full")
def definitions(s: Situation) -> Verdict | None:
    """A function or class the goals ask for is defined in none of the code the goals ask for (a module holding
    only a comment and an example, or the function under another name)."""
    if not s.spec.definitions:
        return None
    files = [name for name in s.spec.results if name.endswith(".py")] or written_code(s)
    defined: set[str] = set()
    for name in files:
        found = _defined(s.text(name, 200_000) or "") if s.exists(name) else set()
        if found is None:
            return None
        defined |= found
    missing = [name for name in s.spec.definitions if name not in defined]
    if not files or not missing:
        return None
    return refuse("definitions", subject=",".join(missing), once=True, names=join(missing, s.lang),
                  files=join(files, s.lang), first=missing[0], it="it" if len(missing) == 1 else "them")


@check("module_run", Stage.AFTER_TOOL, "full")
def module_run(s: Situation) -> Verdict | None:
    """A module of functions was run as a program and printed nothing: running it only defines them and tests
    nothing (small models run it again and again); a test that imports it is shown."""
    tool = s.proposed
    path = s.args.get("path")
    if tool is None or not tool.runs_code or not s.ok or not isinstance(path, str) or not path.endswith(".py"):
        return None
    name = s.relative(path)
    if name is None or s.changed or printed_something(s.output):
        return None
    if not _defined(s.text(name, 200_000) or ""):
        return None
    return note("module_run", file=name, test=suggested_test(s, name))
