"""Running challenges: in this process (the default), or against any Agent Protocol server (``agent_url``).

Each attempt gets a fresh workspace under the results folder: ``artifacts_in`` is copied in, ``www`` is
served on 127.0.0.1 for the attempt, the agent runs until it finishes or the challenge's ``cutoff``, and
the workspace is evaluated.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, computed_field

from autogpt.agent.agent import AutoGPT
from autogpt.agent.steps import StepTiming
from autogpt.bench.challenge import Challenge
from autogpt.bench.evaluate import evaluate
from autogpt.config import Settings
from autogpt.llm.base import Model
from autogpt.memory import LongTermMemory
from autogpt.sandbox import Sandbox
from autogpt.store.base import Store

ModelFactory = Callable[[Challenge], Model]


class Result(BaseModel):
    """One attempt at one challenge. ``success``: the workspace passed the challenge's evaluation; ``status``:
    how the run ended (``finished``, ``max_steps``, ``max_time``, ``error``, ``skipped``, ...)."""

    name: str
    success: bool
    attempt: int = 1
    split: str = ""
    category: list[str] = []
    difficulty: str = ""
    steps: int = 0
    tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    status: str = ""
    error: str | None = None
    details: list[str] = []
    #: where the attempt's steps' time went, added up (``None`` for another agent, whose steps are not timed)
    timing: StepTiming | None = None
    #: each step's seconds, in order (see :class:`autogpt.agent.steps.StepTiming`)
    step_seconds: list[float] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def median_step_seconds(self) -> float | None:
        return round(statistics.median(self.step_seconds), 2) if self.step_seconds else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def finished(self) -> bool:
        """The agent ended the run itself (``finish``), rather than a limit, an error or a skip ending it: right
        files in a run that goes on until its limit are no success for a user."""
        return self.status == "finished"


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 for the duration; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def prepare_workspace(challenge: Challenge, workspace: Path) -> None:
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    if challenge.artifacts_in.is_dir():
        shutil.copytree(challenge.artifacts_in, workspace, dirs_exist_ok=True,
                        ignore=lambda folder, names: ["www"] if Path(folder) == challenge.artifacts_in else [])


async def run_attempt(challenge: Challenge, workspace: Path, *, settings: Settings, attempt: int = 1,
                      model_factory: ModelFactory | None = None, agent_url: str | None = None,
                      sandbox: Sandbox | None = None, judge: Model | None = None, max_steps: int = 20,
                      memory: LongTermMemory | None = None, store: Store | None = None) -> Result:
    """One attempt at ``challenge`` in ``workspace``; with ``settings.seed``, attempt ``k`` samples with seed
    ``seed + k - 1``: each attempt differs from the others, and the same attempt is the same again."""
    if settings.seed is not None:
        settings = settings.model_copy(update={"seed": settings.seed + attempt - 1})
    prepare_workspace(challenge, workspace)
    started = time.monotonic()
    result = Result(name=challenge.name, success=False, attempt=attempt, split=challenge.split,
                    category=challenge.category, difficulty=challenge.info.difficulty)
    with contextlib.ExitStack() as stack:
        task = challenge.task
        if challenge.www.is_dir():
            task = task.replace("{{url}}", stack.enter_context(serve_folder(challenge.www)))
        try:
            if agent_url:
                await asyncio.wait_for(_run_remote(agent_url, task, challenge, workspace, result, max_steps),
                                       challenge.cutoff)
            else:
                await _run_local(task, challenge, workspace, result, settings, model_factory, max_steps,
                                 memory=memory, store=store)
        except TimeoutError:
            result.status, result.error = "max_time", f"cut off after {challenge.cutoff:g} s"
        except Exception as exc:  # noqa: BLE001 - one broken attempt must not end the benchmark
            result.status, result.error = "error", f"{type(exc).__name__}: {exc}"
    result.seconds = round(time.monotonic() - started, 2)
    verdict = await evaluate(challenge, workspace, sandbox=sandbox, judge=judge)
    result.success, result.details = verdict.success, verdict.details
    return result


async def _run_local(task: str, challenge: Challenge, workspace: Path, result: Result, settings: Settings,
                     model_factory: ModelFactory | None, max_steps: int, *, memory: LongTermMemory | None = None,
                     store: Store | None = None) -> None:
    model = model_factory(challenge) if model_factory else None
    if challenge.www.is_dir():  # the challenge's pages are served on loopback, which read_webpage refuses by default
        settings = settings.model_copy(update={"web_allow_hosts": [*settings.web_allow_hosts, "127.0.0.1"]})
    agent = AutoGPT(goals=[task], model=model, settings=settings, workspace=workspace, continuous=True,
                    max_steps=max_steps, max_seconds=challenge.cutoff, memory=memory, store=store)
    run = await agent.arun()
    result.steps, result.tokens, result.cost, result.status = run.steps, run.tokens, run.cost, run.status
    timed = [step.timing for step in run.history if step.timing.seconds > 0]  # a human's note is no step of its own
    result.timing, result.step_seconds = StepTiming.total(timed), [round(t.seconds, 2) for t in timed]
    if run.error:
        result.error = run.error
    elif run.status == "max_time":
        result.error = f"cut off after {challenge.cutoff:g} s"


async def _run_remote(url: str, task: str, challenge: Challenge, workspace: Path, result: Result,
                      max_steps: int) -> None:
    """Drive an Agent Protocol server as agbenchmark does: create, upload inputs, step to the end, download."""
    base = url.rstrip("/") + "/ap/v1/agent/tasks"
    async with httpx.AsyncClient(timeout=max(challenge.cutoff, 30)) as http:
        response = await http.post(base, json={"input": task})
        response.raise_for_status()
        task_id = response.json()["task_id"]
        for path in sorted(p for p in workspace.rglob("*") if p.is_file()):
            relative = path.relative_to(workspace)
            files = {"file": (path.name, path.read_bytes())}
            data = {"relative_path": str(relative.parent) if str(relative.parent) != "." else ""}
            # X-AutoGPT: our server takes multipart uploads only with it (a header no cross-site form can send)
            (await http.post(f"{base}/{task_id}/artifacts", files=files, data=data,
                             headers={"X-AutoGPT": "1"})).raise_for_status()
        for _ in range(max_steps + 1):
            step = (await http.post(f"{base}/{task_id}/steps", json={"input": "y"})).raise_for_status().json()
            result.steps += 1
            out = step.get("additional_output") or {}
            result.tokens = int(out.get("tokens") or result.tokens)
            result.cost = float(out.get("cost") or result.cost)
            if step.get("is_last"):
                result.status = str(out.get("task_status") or "finished")
                break
        else:
            result.status = "max_steps"
        listing = (await http.get(f"{base}/{task_id}/artifacts", params={"page_size": 100})).raise_for_status().json()
        for artifact in listing.get("artifacts", []):
            relative = (artifact.get("relative_path") or artifact["file_name"]).lstrip("/")
            if not relative.endswith(artifact["file_name"]):
                relative = f"{relative.rstrip('/')}/{artifact['file_name']}"
            target = (workspace / relative).resolve()
            if not target.is_relative_to(workspace.resolve()):
                continue  # a server cannot write outside the attempt's folder
            body = await http.get(f"{base}/{task_id}/artifacts/{artifact['artifact_id']}")
            body.raise_for_status()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body.content)
