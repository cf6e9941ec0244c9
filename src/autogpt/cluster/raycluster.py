"""Ray as the execution engine (the ``ray`` extra): each task runs on a worker of a Ray cluster.

    executor = RayExecutor(settings)              # RAY_ADDRESS, or a local cluster on this machine
    lines = executor.run(task_ids, on_result=print)

* A worker is a Ray actor that loads its model once and runs one task at a time; as many workers are started
  as the cluster has room for, by what each model needs (:func:`task_resources`: the embedded models ask for
  CPU cores and memory, API and scripted models for a quarter of a core).
* Workers read and write the same run store as the driver (the SQLite file on one machine; the PostgreSQL
  store across machines), so a task whose worker dies is given to another worker and goes on from its last
  stored step: no completed step is lost or run again. A task is retried at most ``retries`` times.
* Settings travel with the work (API keys included, inside the cluster's own connections).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections import deque
from collections.abc import Callable
from typing import Any

from autogpt.cluster.jobs import ModelFactory, model_for, open_memory, result_line, run_task
from autogpt.config import Settings
from autogpt.errors import ConfigError
from autogpt.llm.base import Model
from autogpt.llm.registry import create_model, runs_in_process
from autogpt.store import create_store
from autogpt.store.base import keep_lease

#: Seconds a worker's hold on a task lasts unless renewed (it renews while it runs the task).
LEASE_SECONDS = 60.0
#: CPU cores and memory (bytes) an embedded model's task asks for, by model id.
EMBEDDED = {"qwen2.5-coder-1.5b": 2.5e9, "qwen2.5-coder-0.5b": 1.2e9}
LIGHT_CPUS = 0.25


def require_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("Running on Ray needs the ray extra: pip install 'autogpt[ray]'.") from None
    return ray


def task_resources(model_id: str, settings: Settings) -> dict[str, float]:
    """What one task of this model asks the cluster for: ``num_cpus`` and, for local models, ``memory``."""
    if runs_in_process(model_id):  # llama.cpp in the worker's process
        return {"num_cpus": float(settings.n_threads or 2), "memory": EMBEDDED.get(model_id, 3e9)}
    return {"num_cpus": LIGHT_CPUS}


class _Cluster:
    """A connection to a Ray cluster (RAY_ADDRESS, ``address``, or a local one started here, and stopped with
    :meth:`shutdown`) and a pool of actors sized by what one task of the settings' model asks for."""

    def __init__(self, settings: Settings, *, address: str | None, workers: int | None,
                 num_cpus: int | None = None) -> None:
        self.ray = require_ray()
        self.settings = settings
        address = address or os.environ.get("RAY_ADDRESS") or None
        self._started = not self.ray.is_initialized()
        if self._started:
            self.ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                          logging_level="warning")
        self.options = task_resources(settings.model, settings)
        room = self.ray.cluster_resources().get("CPU", 1.0) / self.options["num_cpus"]
        self.size = workers or max(1, int(room))
        self.workers: list[Any] = []  # every actor started and not dead
        self._idle: list[Any] = []  # those free for the next task

    def _spawn(self, actor_class: type, *args: Any) -> Any:
        """A new actor ``actor_class(*args)`` asking for what a task needs."""
        actor = self.ray.remote(max_concurrency=1, max_restarts=0, **self.options)(actor_class)
        worker = actor.remote(*args)
        self.workers.append(worker)
        return worker

    def shutdown(self) -> None:
        for worker in self.workers:
            self.ray.kill(worker)
        self.workers.clear()
        self._idle.clear()
        if self._started:
            self.ray.shutdown()


class _Worker:
    """A Ray actor (see :meth:`RayExecutor._worker`): one model per model id, one memory, one store.

    It holds a task's lease while running it (renewed every third of :data:`LEASE_SECONDS`), so no other
    process sharing the store runs the task too; a dead worker's lease is released by the driver, or expires."""

    def __init__(self, values: dict[str, Any], model_factory: ModelFactory | None, worker_id: str) -> None:
        self.settings = Settings.load(**values)
        self.store = create_store(self.settings)
        self.memory = open_memory(self.settings)
        self.model_factory, self.id = model_factory, worker_id
        self.models: dict[str, Model] = {}

    async def run(self, task_id: str) -> dict[str, Any]:
        if not self.store.claim(task_id, self.id, LEASE_SECONDS):
            holder = self.store.lease(task_id)
            return {**result_line(self.store.get_task(task_id)), "worker": os.getpid(),
                    "error": f"another worker ({holder[0] if holder else '?'}) is running it"}
        holding = asyncio.create_task(keep_lease(self.store, task_id, self.id, LEASE_SECONDS))
        try:
            record = self.store.get_task(task_id)
            model = self.model_factory(record) if self.model_factory else model_for(record, self.settings,
                                                                                       self.models)
            line = await run_task(task_id, self.settings, self.store, model, self.memory)
        finally:
            holding.cancel()
            self.store.release(task_id, self.id)
        return {**line, "worker": os.getpid()}


class RayExecutor(_Cluster):
    """Runs stored tasks on a Ray cluster, workers replaced and tasks retried when a worker dies."""

    def __init__(self, settings: Settings, *, address: str | None = None, workers: int | None = None,
                 model_factory: ModelFactory | None = None, retries: int = 2, num_cpus: int | None = None) -> None:
        super().__init__(settings, address=address, workers=workers, num_cpus=num_cpus)
        self.model_factory, self.retries = model_factory, retries
        self._ids: dict[Any, str] = {}  # each worker's name in the store's leases
        self._refs: dict[str, Any] = {}  # arun()'s running tasks
        self._gate: asyncio.Semaphore | None = None
        self.store = create_store(settings)

    def _worker(self) -> Any:
        if self._idle:
            return self._idle.pop()
        worker_id = f"ray-{socket.gethostname()}-{os.getpid()}-{len(self._ids) + 1}"
        worker = self._spawn(_Worker, self.settings.model_dump(), self.model_factory, worker_id)
        self._ids[worker] = worker_id
        return worker

    def _lost(self, worker: Any, task_id: str) -> None:
        """``worker`` died running the task: its lease is let go at once, for the next worker."""
        self.workers.remove(worker)
        self.store.release(task_id, self._ids[worker])

    def run(self, task_ids: list[str], on_result: Callable[[dict[str, Any]], None] = lambda line: None
            ) -> list[dict[str, Any]]:
        """Run every task to its end; one result line per task, in the order given."""
        ray = self.ray
        queue: deque[str] = deque(task_ids)
        running: dict[Any, tuple[str, Any]] = {}
        tries: dict[str, int] = {}
        lines: dict[str, dict[str, Any]] = {}
        while queue or running:
            while queue and len(running) < self.size:
                task_id = queue.popleft()
                worker = self._worker()
                running[worker.run.remote(task_id)] = (task_id, worker)
            done, _ = ray.wait(list(running), num_returns=1)
            for ref in done:
                task_id, worker = running.pop(ref)
                try:
                    lines[task_id] = ray.get(ref)
                except ray.exceptions.RayActorError:  # the worker died (killed, out of memory, its machine gone)
                    self._lost(worker, task_id)
                    tries[task_id] = tries.get(task_id, 0) + 1
                    if tries[task_id] <= self.retries:
                        queue.appendleft(task_id)  # another worker goes on from its last stored step
                        continue
                    lines[task_id] = self._failed(task_id, f"its worker died {tries[task_id]} times")
                except ray.exceptions.RayTaskError as exc:  # our code raised in the worker: a bug, said plainly
                    self._idle.append(worker)
                    lines[task_id] = self._failed(task_id, str(exc.cause if exc.cause else exc).splitlines()[0])
                else:
                    self._idle.append(worker)
                on_result(lines[task_id])
        return [lines[task_id] for task_id in task_ids]

    async def arun(self, task_id: str) -> dict[str, Any]:
        """Run one task to its end from async code (``autogpt serve --executor ray``): at most ``size`` at once,
        a dead worker replaced and the task retried from its last stored step. :meth:`cancel` stops it."""
        ray = self.ray
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.size)
        async with self._gate:
            for attempt in range(self.retries + 1):
                worker = self._worker()
                ref = worker.run.remote(task_id)
                self._refs[task_id] = ref
                try:
                    line = await ref
                except ray.exceptions.RayActorError:
                    self._lost(worker, task_id)
                    if attempt == self.retries:
                        return self._failed(task_id, f"its worker died {attempt + 1} times")
                    continue
                except (ray.exceptions.TaskCancelledError, asyncio.CancelledError):
                    self._idle.append(worker)
                    raise
                finally:
                    self._refs.pop(task_id, None)
                self._idle.append(worker)
                return line
        raise AssertionError("unreachable")

    def cancel(self, task_id: str) -> bool:
        """Stop a task started with :meth:`arun` (its run ends as interrupted, every finished step kept)."""
        ref = self._refs.get(task_id)
        if ref is None:
            return False
        self.ray.cancel(ref)
        return True

    def _failed(self, task_id: str, why: str) -> dict[str, Any]:
        return {**result_line(self.store.get_task(task_id)), "error": why}

    def shutdown(self) -> None:
        super().shutdown()
        self.store.close()


class _BenchWorker:
    """A Ray actor running benchmark attempts with its model loaded once (it is also the attempts' judge)."""

    def __init__(self, values: dict[str, Any], max_steps: int) -> None:
        self.settings, self.max_steps = Settings.load(**values), max_steps
        self.model = create_model(self.settings.model, self.settings)

    async def attempt(self, challenge: Any, workspace: Any, attempt: int) -> Any:
        from autogpt.bench.runner import run_attempt

        local = runs_in_process(self.settings.model)  # an API model is made per attempt, a local one shared
        return await run_attempt(challenge, workspace, settings=self.settings, attempt=attempt,
                                 model_factory=(lambda c: self.model) if local else None,
                                 judge=self.model, max_steps=self.max_steps)


class RayBench(_Cluster):
    """``autogpt bench --ray``: the attempts spread over a cluster's workers (``run_suite(attempt_runner=...)``);
    an attempt whose worker died is run again on a new one, once."""

    def __init__(self, settings: Settings, *, max_steps: int, address: str | None = None,
                 workers: int | None = None) -> None:
        super().__init__(settings, address=address, workers=workers)
        self.max_steps = max_steps

    async def __call__(self, challenge: Any, workspace: Any, attempt: int) -> Any:
        for last in (False, True):
            worker = self._idle.pop() if self._idle else self._spawn(_BenchWorker, self.settings.model_dump(),
                                                                         self.max_steps)
            try:
                result = await worker.attempt.remote(challenge, workspace, attempt)
            except self.ray.exceptions.RayActorError:
                self.workers.remove(worker)
                if last:
                    raise
                continue
            self._idle.append(worker)
            return result
        raise AssertionError("unreachable")


__all__ = ["RayBench", "RayExecutor", "require_ray", "task_resources"]
