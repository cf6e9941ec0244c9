"""Many goals at once: the jobs of ``autogpt batch`` (one JSON object a line), stored as tasks, run to the end
here or on Ray, and the result line of each.

    {"goal": "Write a haiku about autumn to haiku.txt"}
    {"goals": ["Read sales.csv", "Write the total to total.txt"], "name": "Analyst", "role": "...", "max_steps": 15}

Every job becomes a stored task first (continuous, with its budgets), so a run that is cut off — a killed
worker, a stopped batch — goes on from its last stored step when it is run again; nothing is run twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from autogpt.agent.agent import AutoGPT
from autogpt.config import Settings, describe_validation_error
from autogpt.errors import ConfigError, MemoryUnavailableError
from autogpt.llm.base import Model
from autogpt.llm.registry import create_model, runs_in_process
from autogpt.memory import LongTermMemory, create_memory
from autogpt.store.base import Store, TaskRecord

#: How a worker gets the model of a task (tests pass scripted ones; by default, created from the task's id).
ModelFactory = Callable[[TaskRecord], Model]


class Job(BaseModel):
    """One line of a batch file."""

    model_config = ConfigDict(extra="forbid")
    goal: str | None = Field(None, max_length=20_000)
    goals: list[str] | None = Field(None, max_length=100)
    name: str = Field("AutoGPT", max_length=1000)
    role: str = Field("AI Assistant", max_length=10_000)
    max_steps: int | None = Field(None, ge=1, le=1000)
    max_seconds: float | None = Field(None, gt=0)
    model: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Job:
        if not self.all_goals():
            raise ValueError('give "goal" (one text) or "goals" (a list of texts)')
        return self

    def all_goals(self) -> list[str]:
        goals = [*(self.goals or []), *([self.goal] if self.goal else [])]
        return [g.strip() for g in goals if g and g.strip()]


def read_jobs(path: Path) -> list[Job]:
    """The jobs of a JSONL file (blank lines and ``#`` comments skipped); a bad line is a ConfigError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read the batch file {path}: {exc.strerror or exc}") from None
    jobs = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            jobs.append(Job.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {number}: not JSON ({exc.msg}).") from None
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, source=f"job at {path}, line {number}")) from None
    if not jobs:
        raise ConfigError(f"The batch file {path} has no jobs: one JSON object a line, e.g. {{\"goal\": \"...\"}}.")
    return jobs


def create_tasks(jobs: Iterable[Job], settings: Settings, store: Store, *, model: str | None = None,
                 max_steps: int | None = None) -> list[TaskRecord]:
    """Store each job as a continuous task (its workspace under the data dir), ready for any worker."""
    records = []
    for job in jobs:
        goals = job.all_goals()
        record = TaskRecord(input="; ".join(goals), name=job.name, role=job.role, goals=goals,
                            options={"continuous": True, "max_steps": job.max_steps or max_steps or settings.max_steps,
                                     "max_seconds": job.max_seconds, "language": None,
                                     "model": job.model or model or settings.model, "origin": "batch"})
        record.workspace = str(settings.workspaces_dir / record.task_id)
        records.append(store.create_task(record))
    return records


async def run_task(task_id: str, settings: Settings, store: Store, model: Model | None = None,
                   memory: LongTermMemory | None = None) -> dict[str, Any]:
    """Run (or go on with) a stored task to its end; its result line. ``model`` and ``memory``: shared by the
    worker's tasks (loaded once), else opened for this one."""
    started = time.monotonic()
    record = store.get_task(task_id)
    if record.resumable:
        shared = {k: v for k, v in {"model": model, "memory": memory}.items() if v is not None}
        agent = AutoGPT.resume(task_id, settings=settings, store=store, continuous=True, **shared)
        if record.options.get("max_seconds"):
            agent.max_seconds = record.options["max_seconds"]
        try:
            await agent.arun(task_id=task_id)
        finally:
            agent.close()
    return result_line(store.get_task(task_id), seconds=time.monotonic() - started)


def result_line(record: TaskRecord, seconds: float = 0.0) -> dict[str, Any]:
    """A task's outcome as ``autogpt batch --json`` writes it."""
    result = record.result or {}
    return {"task_id": record.task_id, "goals": record.goals, "status": record.status,
            "summary": result.get("summary", ""), "steps": result.get("steps", record.state.get("steps", 0)),
            "tokens": result.get("tokens", record.state.get("tokens", 0)), "cost": result.get("cost", 0.0),
            "seconds": round(seconds, 2), "artifacts": result.get("artifacts", []), "workspace": record.workspace,
            "error": result.get("error")}


async def run_local(task_ids: list[str], settings: Settings, store: Store, *, parallel: int = 1,
                    model_factory: ModelFactory | None = None,
                    on_result: Callable[[dict[str, Any]], None] = lambda line: None) -> list[dict[str, Any]]:
    """Run tasks in this process, ``parallel`` at a time (one model per model id, shared)."""
    gate = asyncio.Semaphore(max(1, parallel))
    models: dict[str, Model] = {}
    memory = open_memory(settings)

    async def one(task_id: str) -> dict[str, Any]:
        async with gate:
            record = store.get_task(task_id)
            model = model_factory(record) if model_factory else model_for(record, settings, models)
            line = await run_task(task_id, settings, store, model, memory)
            on_result(line)
            return line

    try:
        return list(await asyncio.gather(*(one(task_id) for task_id in task_ids)))
    finally:
        if memory is not None:
            memory.close()


def model_for(record: TaskRecord, settings: Settings, loaded: dict[str, Model]) -> Model:
    """The task's model: a local one loaded once and shared (``loaded``), an API one made for the task."""
    model_id = record.options.get("model") or settings.model
    if not runs_in_process(model_id):
        return create_model(model_id, settings)
    if model_id not in loaded:
        loaded[model_id] = create_model(model_id, settings)
    return loaded[model_id]


def open_memory(settings: Settings) -> LongTermMemory | None:
    """One long-term memory for all the tasks of a worker (None when off or unavailable: each run says why)."""
    if not settings.memory:
        return None
    try:
        return create_memory(settings)
    except MemoryUnavailableError:
        return None


__all__ = ["Job", "ModelFactory", "create_tasks", "model_for", "open_memory", "read_jobs", "result_line", "run_local", "run_task"]
