"""Tasks inside the server: each runs as an :class:`~autogpt.AutoGPT` run in the background, waits for the
client's approval between steps (unless continuous), and streams its events to any number of listeners.

Everything durable is in the store, written by the run itself after every step; a :class:`Session` only
holds what is live (the running job, the approval channel, the listeners). After a restart a task resumes
from the store the first time a client drives it (continuous tasks resume at start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, Protocol

from autogpt.agent.agent import AutoGPT
from autogpt.agent.events import Event
from autogpt.agent.schema import Reply
from autogpt.config import Settings
from autogpt.console import printable
from autogpt.errors import AgentStateError, MemoryUnavailableError, NotFoundError
from autogpt.llm.base import Model
from autogpt.llm.registry import create_model
from autogpt.memory import LongTermMemory, create_memory
from autogpt.store.base import ArtifactRecord, ProtocolStep, Store, TaskRecord, keep_lease, unreachable
from autogpt.workspace import Workspace

log = logging.getLogger(__name__)
#: Seconds a server's hold on a running task lasts unless renewed (it renews every third of it).
LEASE_SECONDS = 30.0
#: How often the events of a task running elsewhere (an executor's worker) are read from the store.
POLL_SECONDS = 0.3


class Executor(Protocol):
    """Runs a stored task elsewhere to its end (e.g. :class:`autogpt.cluster.raycluster.RayExecutor`)."""

    async def arun(self, task_id: str) -> dict[str, Any]: ...
    def cancel(self, task_id: str) -> bool: ...
    def shutdown(self) -> None: ...

ModelFactory = Callable[[TaskRecord], Model]
Listener = asyncio.Queue[tuple[int, str, dict[str, Any]]]


class ConflictError(AgentStateError):
    """The task cannot do that now (it has ended, or another step is running)."""


class ServerHuman:
    """The client, as the loop's :class:`~autogpt.agent.control.Human`: each approval waits for a POST step."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def approve(self, step: int, reply: Reply) -> str:
        return await self.session.wait_for_client()

    async def ask(self, question: str) -> str:
        return await self.session.wait_for_client(asking=True)

    async def paused(self) -> str:
        return "n"  # the only pause in the server is a stop


class Session:
    """One task's live state in this process."""

    def __init__(self, manager: TaskManager, task_id: str) -> None:
        self.manager, self.task_id = manager, task_id
        self.agent: AutoGPT | None = None
        self.job: asyncio.Task[Any] | None = None
        self.answers: asyncio.Queue[str] = asyncio.Queue()
        self.waiting = False
        self.asking = False  # the wait is for an answer to ask_user, not an approval
        self.stopping = False
        self.turn = asyncio.Event()  # set when the run waits for the client or has ended
        self.listeners: set[Listener] = set()
        self.stepping = asyncio.Lock()
        self.actions: list[dict[str, Any]] = []  # commands run since the last POST step
        self._seen = 0  # the last stored event handled, for a run on an executor (see _stream_events)

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.done()

    async def wait_for_client(self, asking: bool = False) -> str:
        """The next answer from the client; an answer given before the question (a resumed task's pending
        proposal) is used at once, without ending the client's turn. After a stop, every approval is "n"."""
        if self.stopping and not asking:
            return "n"
        if not self.answers.empty():
            return self.answers.get_nowait()
        self.waiting, self.asking = True, asking
        self.manager.store.update_task(self.task_id, status="waiting")
        self.publish_task()
        self.turn.set()
        try:
            return await self.answers.get()
        finally:
            self.waiting = self.asking = False
            self.manager.store.update_task(self.task_id, status="running")
            self.publish_task()

    def start(self) -> None:
        if self.running:
            return
        store = self.manager.store
        record = store.get_task(self.task_id)
        if not record.resumable:
            raise ConflictError(f"Task {self.task_id} has ended ({record.status}).")
        if not self.manager.claim(self.task_id):  # one runner per task
            holder = store.lease(self.task_id)
            raise ConflictError(f"Task {self.task_id} is running in another server ({holder[0] if holder else '?'}); "
                                "ask that one, or wait until it lets go.")
        self.stopping = False
        options = record.options
        if self.manager.executor is not None and options.get("continuous"):  # on a Ray worker, which holds the lease
            self.manager.store.release(self.task_id, self.manager.worker_id)
            self.turn.clear()
            self.job = asyncio.create_task(self._run_remote())
            return
        self.agent = AutoGPT(
            record.name, record.role, record.goals, model=self.manager.model_for(record), workspace=record.workspace,
            continuous=bool(options.get("continuous")), human=ServerHuman(self), max_steps=options.get("max_steps"),
            max_seconds=options.get("max_seconds"), language=options.get("language"), settings=self.manager.settings, store=self.manager.store,
            memory=self.manager.memory,
        )
        self.turn.clear()
        self.job = asyncio.create_task(self._run(record))

    async def _run(self, record: TaskRecord) -> None:
        assert self.agent is not None
        store, worker = self.manager.store, self.manager.worker_id
        holding = asyncio.create_task(keep_lease(store, self.task_id, worker, LEASE_SECONDS))  # approval waits too
        try:
            await self._guarded(self.agent.arun(on_event=self._on_event, task_id=record.task_id), "crashed")
        finally:
            holding.cancel()
            with contextlib.suppress(Exception):
                store.release(self.task_id, worker)
            self._ended()

    async def _run_remote(self) -> None:
        """Run on the executor (Ray); the worker writes the steps and events to the store, which are streamed
        from there to this server's listeners as they appear."""
        assert self.manager.executor is not None
        self._seen = max((seq for seq, _ in self.manager.store.events(self.task_id)), default=0)
        polling = asyncio.create_task(self._poll_events())
        try:
            await self._guarded(self.manager.executor.arun(self.task_id), "failed on the executor")
        finally:
            polling.cancel()
            with contextlib.suppress(Exception):
                self._stream_events()  # the last ones
            self._ended()

    async def _guarded(self, work: Awaitable[Any], what: str) -> None:
        """Await the run; an exception is a bug, not the model's fault: the task must still end, not stay
        "running"."""
        try:
            await work
        except Exception as exc:
            log.exception("Task %s %s", self.task_id, what)
            with contextlib.suppress(Exception):
                self._end_with_error(exc)

    def _ended(self) -> None:
        with contextlib.suppress(Exception):  # whatever happened, the client's step must return
            self.manager.sync_artifacts(self.task_id)
            self.publish_task()
        self.turn.set()

    async def _poll_events(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            with contextlib.suppress(Exception):
                self._stream_events()

    def _stream_events(self) -> None:
        """Handle the stored events that came after the last one handled (a run on an executor's worker)."""
        for seq, data in self.manager.store.events(self.task_id, self._seen):
            self._seen = seq
            self._handle(seq, printable(data))

    def _end_with_error(self, exc: Exception) -> None:
        store = self.manager.store
        record = store.get_task(self.task_id)
        if record.resumable:
            summary = printable(f"The run stopped on an internal error: {type(exc).__name__}: {exc}")
            store.update_task(self.task_id, status="error",
                              result={**(record.result or {}), "summary": summary, "error": summary})

    def _on_event(self, event: Event) -> None:
        # A model's lone surrogate cannot go out as UTF-8 JSON; a helper's event has no number of this task's.
        self._handle(event.seq if event.depth == 0 else 0, printable(event.to_dict()))

    def _handle(self, seq: int, data: dict[str, Any]) -> None:
        """One event of the run, from this process's loop or from the store: streamed to the listeners, and
        what the task's own steps did kept for the client's step (a helper's events, ``depth`` > 0, are only
        streamed)."""
        kind, own = data.get("type", "event"), not data.get("depth")
        if kind == "tool_finished" and own:
            self.actions.append({"name": data.get("name"), "ok": data.get("ok"), "result": data.get("output")})
        self._broadcast(seq, kind, data)
        if kind == "step_finished" and own:
            self.manager.sync_artifacts(self.task_id)
        if kind in ("run_started", "proposed", "step_finished", "run_finished"):
            self.publish_task()

    def publish_task(self) -> None:
        if self.listeners:
            self._broadcast(0, "task", self.manager.task_json(self.manager.store.get_task(self.task_id)))

    def _broadcast(self, seq: int, kind: str, data: dict[str, Any]) -> None:
        for queue in list(self.listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((seq, kind, data))

    def continuous(self) -> None:
        """Run without asking from now on (and approve what is waiting)."""
        record = self.manager.store.get_task(self.task_id)
        self.manager.store.update_task(self.task_id, options={**record.options, "continuous": True})
        if self.agent is not None:
            self.agent.continuous = True
            if self.agent.runner is not None:
                self.agent.runner.options.continuous = True
        if self.waiting and not self.asking:
            self.answers.put_nowait("y")

    def stop(self) -> None:
        """Stop at the next safe point: now if a proposal waits; right after the step if it is acting."""
        self.stopping = True
        executor = self.manager.executor
        if executor is not None and self.agent is None and executor.cancel(self.task_id):
            return  # on the executor: its run ends as interrupted
        if self.agent is not None and self.agent.runner is not None:
            self.agent.runner.request_pause()
        if self.waiting:
            self.answers.put_nowait("" if self.asking else "n")


class TaskManager:
    """The tasks of one server process. Several servers may share one store (PostgreSQL): a task runs where its
    lease is held, and a continuous task whose server died is taken up by another once the lease expires."""

    def __init__(self, settings: Settings, store: Store, model_factory: ModelFactory | None = None,
                 executor: Executor | None = None) -> None:
        self.settings, self.store = settings, store
        #: where continuous tasks run when not in this process (``autogpt serve --executor ray``)
        self.executor = executor
        #: this server's name in the store's leases: ``serve:HOST:PID:RANDOM``
        self.worker_id = f"serve:{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._memory: LongTermMemory | None = None
        self._model_factory = model_factory
        self._shared_model: Model | None = None
        self.sessions: dict[str, Session] = {}
        self._known: dict[str, set[str]] = {}  # artifact paths already in the store, per task

    @property
    def memory(self) -> LongTermMemory | None:
        """One long-term memory for every task (one connection, not one per task); None when off or
        unavailable (each agent then says why in its own way)."""
        if self._memory is None and self.settings.memory:
            with contextlib.suppress(MemoryUnavailableError):
                self._memory = create_memory(self.settings)
        return self._memory

    def model_for(self, record: TaskRecord) -> Model:
        if self._model_factory is not None:
            return self._model_factory(record)
        model_id = record.options.get("model") or self.settings.model
        if self._shared_model is None or self._shared_model.id != model_id:
            self._shared_model = create_model(model_id, self.settings)
        return self._shared_model

    def session(self, task_id: str) -> Session:
        self.store.get_task(task_id)  # NotFoundError if there is no such task
        if task_id not in self.sessions:
            self.sessions[task_id] = Session(self, task_id)
        return self.sessions[task_id]

    # --- what the routes call ---------------------------------------------------------------------------

    def create(self, goal: str, extra: dict[str, Any]) -> TaskRecord:
        goals = [g.strip() for g in extra.get("goals") or [] if isinstance(g, str) and g.strip()] or [goal.strip()]
        record = TaskRecord(input=goal, additional_input=extra, goals=goals,
                            name=str(extra.get("name") or "AutoGPT"), role=str(extra.get("role") or "AI Assistant"),
                            options={"continuous": bool(extra.get("continuous", False)),
                                     "max_steps": extra.get("max_steps"), "max_seconds": extra.get("max_seconds"),
                                     "language": extra.get("language") or None, "model": extra.get("model"),
                                     "origin": extra.get("origin") or "server"})
        record.workspace = str(self.settings.workspaces_dir / record.task_id)
        Workspace(record.workspace)  # created now, so files can be uploaded before the first step
        self.store.create_task(record)
        if record.options["continuous"]:
            self.session(record.task_id).start()
        return record

    async def step(self, task_id: str, text: str | None, extra: dict[str, Any]) -> ProtocolStep:
        session = self.session(task_id)
        if session.stepping.locked():
            raise ConflictError("Another step of this task is running; wait for it to return.")
        async with session.stepping:
            record = self.store.get_task(task_id)
            if not record.resumable:
                raise ConflictError(f"Task {task_id} has ended ({record.status}); create a new task.")
            answer = (text or "").strip()
            step = ProtocolStep(task_id=task_id, input=text, additional_input=extra, status="running")
            self.store.save_protocol_step(step)
            before = {a.artifact_id for a in self.store.list_artifacts(task_id, 1, 10_000)[0]}
            session.actions.clear()
            session.turn.clear()
            if session.waiting or (not session.running and record.state.get("pending")):
                session.answers.put_nowait(answer)
            if not session.running:
                try:
                    session.start()
                except Exception as exc:  # e.g. the task's model cannot be used here: the step ends, not "running"
                    step.status, step.output = "completed", f"The step could not start: {exc}"
                    self.store.save_protocol_step(step)
                    raise
            await session.turn.wait()
            return self._finish_step(step, session, before)

    def _finish_step(self, step: ProtocolStep, session: Session, before: set[str]) -> ProtocolStep:
        record = self.store.get_task(step.task_id)
        pending = record.state.get("pending") if session.waiting else None
        last = session.actions[-1] if session.actions else None
        parts = []
        if last is not None:
            step.name = last["name"]
            parts.append(last["result"])
        if pending:
            speak = pending["reply"]["thoughts"].get("speak") or ""
            parts.append(f"Next: {pending['reply']['command']['name']} — {speak}".strip(" —"))
        elif not record.resumable:
            parts.append((record.result or {}).get("summary") or record.status)
        step.output = "\n\n".join(p for p in parts if p)
        step.additional_output = {
            "last_action": last, "task_status": record.status,
            "thoughts": pending["reply"]["thoughts"] if pending else None,
            "command": pending["reply"]["command"] if pending else None,
            "tokens": record.state.get("tokens", 0), "cost": record.state.get("cost", 0.0),
        }
        step.name = step.name or (pending["reply"]["command"]["name"] if pending else "think")
        step.is_last = not record.resumable
        step.artifacts = [a.artifact_id for a in self.store.list_artifacts(step.task_id, 1, 10_000)[0]
                          if a.artifact_id not in before]
        step.status = "completed"
        # A model's lone surrogate (or a name that is not UTF-8) cannot be stored or sent as UTF-8 JSON.
        step.output, step.additional_output = printable(step.output), printable(step.additional_output)
        self.store.save_protocol_step(step)
        return step

    async def run(self, task_id: str, wait: bool) -> TaskRecord:
        session = self.session(task_id)
        session.continuous()
        if not session.running:
            session.start()
        if wait and session.job is not None:
            await asyncio.shield(session.job)
        return self.store.get_task(task_id)

    def stop(self, task_id: str) -> TaskRecord:
        session = self.session(task_id)
        if session.running:
            session.stop()
        else:
            record = self.store.get_task(task_id)
            if record.resumable:
                self.store.update_task(task_id, status="stopped")
        return self.store.get_task(task_id)

    def sync_artifacts(self, task_id: str) -> None:
        """Every file in the workspace is an artifact (those the agent wrote, and those uploaded)."""
        record = self.store.get_task(task_id)
        known = self._known.setdefault(task_id, set())
        for path in Workspace(record.workspace).files():
            if path not in known:
                folder, _, name = path.rpartition("/")
                self.store.add_artifact(ArtifactRecord(task_id=task_id, file_name=name, relative_path=folder))
                known.add(path)

    def claim(self, task_id: str) -> bool:
        """Take the task's lease; a lease of a server on this machine whose process is gone (killed) is taken
        over at once instead of waiting for it to expire."""
        if self.store.claim(task_id, self.worker_id, LEASE_SECONDS):
            return True
        holder = self.store.lease(task_id)
        if holder is None or not _gone(holder[0]):
            return False
        self.store.release(task_id, holder[0])
        return self.store.claim(task_id, self.worker_id, LEASE_SECONDS)

    def resume_continuous(self, records: Iterable[TaskRecord] | None = None) -> int:
        """Continuous server tasks that nobody runs go on here: at start-up every such task whose lease is free
        or whose server on this machine is gone; later (``records``: :meth:`watch_abandoned`) those whose lease
        expired. CLI and batch runs are left alone. How many were taken up."""
        taken = 0
        for record in self._all_tasks() if records is None else records:
            if record.resumable and record.status != "created" and record.options.get("continuous") \
                    and record.options.get("origin") == "server":
                with contextlib.suppress(ConflictError, NotFoundError):
                    session = self.session(record.task_id)
                    if not session.running:
                        session.start()
                        taken += 1
        return taken

    def _all_tasks(self) -> Iterator[TaskRecord]:
        page = 1
        while True:
            tasks, total = self.store.list_tasks(page, 100)
            yield from tasks
            if page * 100 >= total:
                return
            page += 1

    async def watch_abandoned(self) -> None:
        """While the server runs: take up the continuous tasks of servers that died (their lease expired)."""
        while True:
            await asyncio.sleep(LEASE_SECONDS / 2)
            with contextlib.suppress(Exception):  # a store hiccup: try again next time
                self.resume_continuous(self.store.claimable(limit=100))

    async def shutdown(self) -> None:
        jobs = [s.job for s in self.sessions.values() if s.job is not None and not s.job.done()]
        for job in jobs:
            job.cancel()
        for job in jobs:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await job

    def task_json(self, record: TaskRecord) -> dict[str, Any]:
        state, result = record.state, record.result or {}
        pending = state.get("pending")
        return printable({
            "task_id": record.task_id, "input": record.input, "additional_input": record.additional_input,
            "created_at": record.created_at, "modified_at": record.modified_at,
            "artifacts": [artifact_json(a) for a in self.store.list_artifacts(record.task_id, 1, 1000)[0]],
            "name": record.name, "role": record.role, "goals": record.goals, "status": record.status,
            "continuous": bool(record.options.get("continuous")), "plan": state.get("plan", []),
            "pending": {"step": pending["number"], "thoughts": pending["reply"]["thoughts"],
                        "command": pending["reply"]["command"]} if pending and record.status == "waiting" else None,
            "steps": state.get("steps", 0), "tokens": state.get("tokens", 0), "cost": state.get("cost", 0.0),
            "summary": result.get("summary"),
            "parent_id": record.options.get("parent_id"), "children": self.children_json(record.task_id),
            "worker": lease[0] if (lease := self.store.lease(record.task_id)) else None,
            "unreachable": unreachable(record, lease) and not (record.task_id in self.sessions
                                                               and self.sessions[record.task_id].running),
        })

    def children_json(self, task_id: str, depth: int = 0) -> list[dict[str, Any]]:
        """The helpers a task delegated to, nested (their helpers inside), each with its steps in short."""
        if depth > 5:
            return []
        out = []
        for child in self.store.children(task_id):
            steps = []
            for step in self.store.history(child.task_id):
                if step.get("kind") == "action":
                    command = step["reply"]["command"]
                    steps.append({"number": step["number"], "command": command["name"], "ok": step.get("ok", True),
                                  "observation": " ".join(str(step.get("observation", "")).split())[:300]})
            out.append({"task_id": child.task_id, "name": child.name, "role": child.role, "goals": child.goals,
                        "status": child.status, "parent_step": child.options.get("parent_step"),
                        "summary": (child.result or {}).get("summary"), "workspace": child.workspace,
                        "steps": steps, "children": self.children_json(child.task_id, depth + 1)})
        return out


def _gone(worker_id: str) -> bool:
    """Whether a ``serve:HOST:PID:...`` lease holder is a process of this machine that no longer runs."""
    parts = worker_id.split(":")
    if len(parts) != 4 or parts[0] != "serve" or parts[1] != socket.gethostname() or not parts[2].isdigit():
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (owned by another user)
        return False
    return False


def artifact_json(a: ArtifactRecord) -> dict[str, Any]:
    return {"artifact_id": a.artifact_id, "agent_created": a.agent_created, "file_name": a.file_name,
            "relative_path": a.path, "created_at": a.created_at}
