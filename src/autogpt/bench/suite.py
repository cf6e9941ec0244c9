"""A benchmark run: every challenge × attempts, a few at a time, recorded with what makes it reproducible."""

from __future__ import annotations

import asyncio
import json
import platform
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from autogpt import __version__
from autogpt.agent.agent import AutoGPT
from autogpt.bench.challenge import Challenge, challenge_version, suite_version
from autogpt.bench.report import summarise
from autogpt.bench.runner import ModelFactory, Result, run_attempt
from autogpt.config import Settings
from autogpt.errors import ConfigError
from autogpt.llm.base import Model

#: Runs one attempt somewhere else: ``await runner(challenge, workspace, attempt)``.
AttemptRunner = Callable[[Challenge, Path, int], Awaitable[Result]]

__all__ = ["AttemptRunner", "merge_results", "record", "save_progress", "run_suite", "summarise", "write_results"]  # summarise: from autogpt.bench.report


async def run_suite(challenges: list[Challenge], *, settings: Settings, results_dir: Path, attempts: int = 1,
                    parallel: int = 1, model_factory: ModelFactory | None = None, agent_url: str | None = None,
                    judge: Model | None = None, max_steps: int = 20,
                    on_result: Callable[[Result], None] = lambda r: None,
                    attempt_runner: AttemptRunner | None = None, first_attempt: int = 1) -> list[Result]:
    """Run every challenge ``attempts`` times, ``parallel`` at a time; a challenge whose dependency failed
    every attempt is skipped (each of its attempts recorded as failed, so per-attempt rates count it fully).
    ``attempt_runner(challenge, workspace, attempt)`` runs an attempt elsewhere (e.g. on Ray workers).

    Attempts are numbered from ``first_attempt`` (a later run can add attempts 2 and 3 to a first one; see
    ``merge_results``); with ``settings.seed``, attempt ``k`` samples with seed ``seed + k - 1`` (see ``run_attempt``)."""
    numbers = range(first_attempt, first_attempt + attempts)
    gate = asyncio.Semaphore(max(parallel, 1))
    # one long-term memory and one run store for every in-process attempt, closed at the end (not one per agent)
    shared = None if agent_url else AutoGPT(settings=settings)  # holds them; opens each on first use
    passed: dict[str, asyncio.Future[bool]] = {c.name: asyncio.get_running_loop().create_future() for c in challenges}

    async def one(challenge: Challenge) -> list[Result]:
        for dependency in challenge.dependencies:
            if dependency in passed and not await passed[dependency]:
                skipped = [Result(name=challenge.name, success=False, attempt=attempt, split=challenge.split,
                                  category=challenge.category, difficulty=challenge.info.difficulty,
                                  status="skipped", error=f"dependency {dependency} failed")
                           for attempt in numbers]
                for result in skipped:
                    on_result(result)
                passed[challenge.name].set_result(False)
                return skipped
        results = []
        for attempt in numbers:
            async with gate:
                if attempt_runner is not None:
                    result = await attempt_runner(challenge, results_dir / challenge.name / f"attempt-{attempt}",
                                                  attempt)
                    on_result(result)
                    results.append(result)
                    continue
                result = await run_attempt(challenge, results_dir / challenge.name / f"attempt-{attempt}",
                                           settings=settings, attempt=attempt, model_factory=model_factory,
                                           agent_url=agent_url, judge=judge, max_steps=max_steps,
                                           memory=shared.memory if shared else None,
                                           store=shared.store if shared else None)
            on_result(result)
            results.append(result)
        passed[challenge.name].set_result(any(r.success for r in results))
        return results

    try:
        nested = await asyncio.gather(*(one(c) for c in challenges))
    finally:
        if shared is not None:
            shared.close()
    return [r for group in nested for r in group]


def source_commit() -> str | None:
    """The git commit autogpt runs from (a checkout with uncommitted changes gets ``+`` after it); ``None`` for
    an installed package."""
    folder = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "."], cwd=folder.parent,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+" if dirty else "")


def record(results: list[Result], challenges: list[Challenge], *, model: str, settings: Settings,
           agent_url: str | None, started: float) -> dict[str, Any]:
    """The run as JSON: results plus the model, its settings and the suite version (reproducibility)."""
    return {
        "autogpt": __version__, "commit": source_commit(), "suite_version": suite_version(challenges),
        "challenges": {c.name: challenge_version(c) for c in challenges},
        "model": agent_url or model,
        "settings": {"temperature": settings.temperature, "seed": settings.seed, "max_reply_tokens":
                     settings.max_reply_tokens, "n_ctx": settings.n_ctx,
                     "memory": settings.memory, "lessons": settings.lessons, "checks": settings.checks},
        "python": platform.python_version(), "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 1), "summary": summarise(results),
        "results": [r.model_dump() for r in results],
    }


def save_progress(done: list[Result], challenges: list[Challenge], results_dir: Path, **how: Any) -> Path:
    """Write the attempts that have ended so far as ``results.json``, marked ``partial``, so a run stopped midway
    (a session's end, a crash) keeps them. It names only the challenges with a result: the rest can be run
    later, alone (give their folders), and ``merge_results`` joins the two. ``how``: ``record``'s keywords."""
    names = {r.name for r in done}
    data = record(done, [c for c in challenges if c.name in names], **how)
    return write_results({**data, "partial": True}, results_dir, None)


def write_results(data: dict[str, Any], results_dir: Path, json_path: Path | None) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "results.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if json_path is not None:  # the summary, and one flat record per attempt
        keys = ("name", "split", "attempt", "success", "finished", "steps", "tokens", "seconds", "error")
        flat = {"summary": data["summary"], "results": [{k: r[k] for k in keys} for r in data["results"]]}
        json_path.write_text(json.dumps(flat, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def merge_results(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' ``results.json`` as one: a run's attempts 2 and 3 added later (``--first-attempt 2``), or
    runs of different challenges of the suite. The runs must be of the same code, model and settings; a challenge
    in several runs must be the same in each (its files' hash); no attempt may be in two."""
    if not runs:
        raise ConfigError("No runs to merge.")
    first = runs[0]
    for run in runs[1:]:
        for key in ("autogpt", "commit", "model", "settings"):
            if run.get(key) != first.get(key):
                raise ConfigError(f"The runs differ in {key}: {first.get(key)!r} and {run.get(key)!r}.")
    versions: dict[str, str] = {}
    for run in runs:
        if run.get("suite_version") != first.get("suite_version") and not all("challenges" in r for r in runs):
            raise ConfigError("The runs are of different suites, and one does not record its challenges' versions.")
        for name, version in (run.get("challenges") or {}).items():
            if versions.setdefault(name, version) != version:
                raise ConfigError(f"The challenge {name} differs between the runs (its files changed).")
    results = [Result.model_validate(item) for run in runs for item in run["results"]]
    seen: set[tuple[str, int]] = set()
    for result in results:
        if (result.name, result.attempt) in seen:
            raise ConfigError(f"Attempt {result.attempt} of {result.name} is in two runs "
                                 "(give the later run --first-attempt).")
        seen.add((result.name, result.attempt))
    results.sort(key=lambda r: (r.name, r.attempt))
    suite = first.get("suite_version") if all(r.get("suite_version") == first.get("suite_version") for r in runs) \
        else "+".join(sorted({r["suite_version"] for r in runs}))
    # "partial" marks one run stopped midway; a join of runs is no run, and its challenges tell what it covers
    return {**{k: v for k, v in first.items() if k != "partial"}, "suite_version": suite, "challenges": versions or first.get("challenges"),
            "started": min(run["started"] for run in runs),
            "seconds": round(sum(run["seconds"] for run in runs), 1), "summary": summarise(results),
            "results": [r.model_dump() for r in results], "merged": len(runs)}
