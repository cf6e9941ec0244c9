"""Judging a workspace against a challenge's ``ground``: file contents, a checker program, pytest, or an LLM.

Programs (``python`` and ``pytest`` evaluations) run in the sandbox, like the agent's own code.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autogpt.bench.challenge import Challenge
from autogpt.llm.base import Message, Model, ModelRequest
from autogpt.sandbox import Limits, Sandbox, create_sandbox

LLM_PASS = 0.8  # an LLM judge's normalised score needed to pass

TEMPLATES = {
    "rubric": "Grade the text against this rubric:\n{answer}",
    "reference": "Grade how well the text matches this reference answer:\n{answer}",
    "question": "Grade how well the text answers this question:\n{answer}",
    "custom": "{answer}",
}
SCALES = {"binary": ("1 if it passes, 0 if not", 1.0), "percentage": ("a percentage from 0 to 100", 100.0),
          "scale": ("a score from 1 to 10", 10.0)}


@dataclass
class Evaluation:
    success: bool
    score: float
    details: list[str] = field(default_factory=list)


def bench_sandbox() -> Sandbox:
    """The sandbox for checkers: this Python (so pytest is there), read-only, 120 s per run."""
    return create_sandbox("strict", python=sys.executable, read_only_paths=[Path(sys.prefix)],
                          limits=Limits(timeout=120, cpu_seconds=120, memory_mb=2048))


def matching_files(workspace: Path, patterns: list[str]) -> dict[str, list[Path]]:
    """For each pattern (a name, or an extension like ``.csv``), the workspace files it names."""
    found: dict[str, list[Path]] = {}
    for pattern in patterns:
        if pattern.startswith(".") and "/" not in pattern:
            found[pattern] = sorted(p for p in workspace.rglob(f"*{pattern}") if p.is_file())
        else:
            path = workspace / pattern
            found[pattern] = [path] if path.is_file() else []
    return found


def check_text(text: str, challenge: Challenge) -> list[str]:
    """What is wrong with ``text`` (missing or forbidden phrases); empty if nothing."""
    g = challenge.ground
    fold = (lambda s: s) if g.case_sensitive else str.lower
    problems = [f"missing {phrase!r}" for phrase in g.should_contain if fold(phrase) not in fold(text)]
    problems += [f"contains {phrase!r}" for phrase in g.should_not_contain if fold(phrase) in fold(text)]
    return problems


async def evaluate(challenge: Challenge, workspace: Path, *, sandbox: Sandbox | None = None,
                   judge: Model | None = None) -> Evaluation:
    """Judge the workspace. Checkers from ``custom_python/`` are copied in first."""
    if challenge.custom_python.is_dir():
        shutil.copytree(challenge.custom_python, workspace, dirs_exist_ok=True)
    kind = challenge.ground.eval.type
    if kind == "pytest":
        return await _pytest(workspace, sandbox or bench_sandbox())
    files = matching_files(workspace, challenge.ground.files)
    missing = [pattern for pattern, paths in files.items() if not paths]
    if missing:
        return Evaluation(False, 0.0, [f"no file {pattern}" for pattern in missing])
    if kind == "python":
        return await _python(challenge, workspace, files, sandbox or bench_sandbox())
    details: list[str] = []
    for paths in files.values():
        for path in paths:
            text = path.read_text(encoding="utf-8", errors="replace")
            details += [f"{path.relative_to(workspace)}: {p}" for p in check_text(text, challenge)]
    if kind == "llm":
        if judge is None:
            return Evaluation(False, 0.0, ["an llm evaluation needs a judge model"])
        text = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for ps in files.values() for p in ps)
        score, note = await judge_with_llm(challenge, text, judge)
        ok = not details and score >= LLM_PASS
        return Evaluation(ok, score, [*details, note])
    return Evaluation(not details, 0.0 if details else 1.0, details)


async def _python(challenge: Challenge, workspace: Path, files: dict[str, list[Path]], sandbox: Sandbox) -> Evaluation:
    details: list[str] = []
    for paths in files.values():
        for path in paths:
            if path.suffix != ".py":
                continue
            result = await sandbox.run([sandbox.python, "-I", path.name], path.parent)
            output = result.stdout + result.stderr
            details += [f"{path.name}: {p}" for p in check_text(output, challenge)]
            if result.exit_code != 0 and not details:
                details.append(f"{path.name} exited with {result.exit_code}: {result.stderr[-300:]}")
    return Evaluation(not details, 0.0 if details else 1.0, details)


async def _pytest(workspace: Path, sandbox: Sandbox) -> Evaluation:
    result = await sandbox.run([sandbox.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header"],
                               workspace)
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    if result.exit_code == 0:
        return Evaluation(True, 1.0, [summary])
    return Evaluation(False, 0.0, [summary or result.stderr[-300:]])


async def judge_with_llm(challenge: Challenge, text: str, judge: Model) -> tuple[float, str]:
    """Ask ``judge`` for a score of ``text``; returns the score normalised to 0..1 and the judge's answer."""
    spec = challenge.ground.eval
    how, top = SCALES[spec.scoring or "percentage"]
    prompt = (f"You are a strict grader. The task was:\n{challenge.task}\n\n"
              f"{TEMPLATES[spec.template or 'reference'].format(answer=challenge.ground.answer)}\n\n"
              f"The text to grade:\n<<<\n{text[:6000]}\n>>>\n\n"
              f"Reply with {how} on the first line, then one sentence why.")
    completion = await judge.complete(ModelRequest(messages=[Message("user", prompt)],
                                                   params={"temperature": 0.0, "max_tokens": 64}))
    match = re.search(r"\d+(?:\.\d+)?", completion.text)
    score = min(max(float(match.group()) / top, 0.0), 1.0) if match else 0.0
    return score, f"judge: {' '.join(completion.text.split())[:200]}"
