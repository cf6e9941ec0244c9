"""Running Python code in a sandbox from a test, and reading back what it printed."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

from autogpt.sandbox import Limits, Sandbox, SandboxResult


async def run_py(sandbox: Sandbox, workspace: Path, code: str, *args: str, limits: Limits | None = None,
                 stdin: bytes | None = None) -> SandboxResult:
    """Run ``code`` with the sandbox's Python; a generous outer bound so a broken timeout cannot hang the suite."""
    lim = limits or sandbox.limits
    argv = [sandbox.python, "-I", "-c", textwrap.dedent(code), *args]
    return await asyncio.wait_for(sandbox.run(argv, workspace, stdin=stdin, limits=lim), lim.timeout + 30)


def last_json(result: SandboxResult) -> dict:
    """The JSON object the sandboxed code printed last."""
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON in stdout={result.stdout!r} stderr={result.stderr!r} ({result})"
    return json.loads(lines[-1])
