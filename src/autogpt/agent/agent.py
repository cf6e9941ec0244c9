"""``AutoGPT``: the agent as the seeds describe it — a name, a role and goals — plus the chat mode.

    agent = AutoGPT(ai_name="AutoGPT", ai_role="AI Assistant", goals=["Write post.md about AI agents"])
    result = agent.run()                    # or: await agent.arun() / async for event in agent.astream()

    agent = AutoGPT()
    agent.set_model_name("qwen2.5-coder-0.5b")
    agent.set_parameter("temperature", 0.2)
    print(agent.generate_response("What can you do?"))

The class holds configuration; each run gets a fresh :class:`~autogpt.agent.loop.Runner`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from autogpt.agent.control import Budget, Human
from autogpt.agent.delegation import KEY as DELEGATION
from autogpt.agent.delegation import Delegation, agent_tool, delegate_tool
from autogpt.agent.events import Event, Notice
from autogpt.agent.loop import LoopOptions, Runner, RunResult, RunState, Task
from autogpt.agent.prompts import Language, chat_system_prompt, detect_language
from autogpt.agent.steps import Step, StepBase
from autogpt.checks import resolve_profile
from autogpt.config import MCPServerConfig, Settings
from autogpt.errors import (
    AgentStateError,
    ConfigError,
    InvalidParameterError,
    MemoryUnavailableError,
    ModelError,
    SandboxUnavailableError,
)
from autogpt.llm.assets import EMBEDDED_MODELS
from autogpt.llm.base import Message, Model, ModelRequest, StatusCallback
from autogpt.llm.lora import Adapter, LoraParams, Progress, adapter_dir, hf_target
from autogpt.llm.registry import create_model
from autogpt.memory import LongTermMemory, create_memory
from autogpt.memory.knowledge import (
    ACCEPTS,
    IN_RUNS,
    KNOWLEDGE,
    TrainParams,
    TrainReport,
    cite,
    document_chunks,
    ingest,
    relevant_hits,
    render_hits,
)
from autogpt.memory.lessons import LEARN_FROM, LessonBook, checked_reward, reflect, render_lessons
from autogpt.sandbox import Limits, Sandbox, create_sandbox
from autogpt.sandbox.environment import sandbox_interpreter
from autogpt.store import create_store
from autogpt.store.base import Store, TaskRecord
from autogpt.tools import Tool, ToolContext, ToolRegistry, default_tools
from autogpt.workspace import Workspace

T = TypeVar("T")
_DONE = object()
_NOT_REVIEWED = ("stopped", "interrupted", "error")  # ends a review would learn nothing true from
_STEP: TypeAdapter[StepBase] = TypeAdapter(Step)


#: The LoRA training's hyper-parameters ``set_parameter`` takes (see :class:`autogpt.llm.lora.LoraParams`).
LORA_PARAMETERS = ["batch_size", "learning_rate", "epochs", "lora_rank", "lora_alpha", "max_length"]

class AutoGPT:
    """An autonomous agent with a name, a role and goals; also a chat assistant."""

    def __init__(
        self,
        ai_name: str = "AutoGPT",
        ai_role: str = "AI Assistant",
        goals: Iterable[str] = (),
        *,
        model: str | Model | None = None,
        tools: Iterable[Tool | Callable[..., Any]] = (),
        workspace: str | Path | None = None,
        continuous: bool = True,
        human: Human | None = None,
        max_steps: int | None = None,
        max_tokens: int | None = None,
        max_cost: float | None = None,
        max_seconds: float | None = None,
        language: str | None = None,
        sandbox: Sandbox | None = None,
        settings: Settings | None = None,
        store: Store | None = None,
        memory: LongTermMemory | None = None,
        checks: str | None = None,
        mcp_servers: Iterable[str | MCPServerConfig] = (),
    ) -> None:
        self.settings = settings or Settings.load()
        if checks not in (None, "auto", "full", "light", "off"):
            raise ConfigError(f"checks must be 'auto', 'full', 'light' or 'off', not {checks!r}.")
        #: Which checks judge the work (docs/checks.md): "auto" is "full" for local models, "light" for APIs
        self.checks = checks or self.settings.checks
        self.ai_name, self.ai_role = ai_name, ai_role
        self.goals = [g.strip() for g in goals if g and g.strip()]
        self.tools = default_tools(self.settings)
        for extra in tools:
            self.tools.add(extra)
        #: Model Context Protocol servers whose tools each run adds (the settings' ``mcp_servers`` first)
        self.mcp_servers = [*self.settings.mcp_servers, *map(MCPServerConfig.of, mcp_servers)]
        self.workspace = Path(workspace) if workspace else self.settings.workspace
        if not continuous and human is None:
            raise ConfigError("continuous=False needs a human= to approve each command (see autogpt.agent.control).")
        self.continuous, self.human = continuous, human
        self.max_steps = max_steps if max_steps is not None else self.settings.max_steps
        self.max_tokens = max_tokens if max_tokens is not None else self.settings.max_tokens
        self.max_cost = max_cost if max_cost is not None else self.settings.max_cost
        self.max_seconds = max_seconds if max_seconds is not None else self.settings.max_seconds
        if language not in (None, "auto", "en", "zh"):
            raise ConfigError(f"language must be 'auto', 'en' or 'zh', not {language!r}.")
        self.language = language or self.settings.language
        self._model: Model | None = model if isinstance(model, Model) else None
        self._model_id = model.id if isinstance(model, Model) else (model or self.settings.model)
        self._params: dict[str, Any] = {}
        self._sandbox, self._sandbox_error = sandbox, ""
        self.chat_history: list[Message] = []
        self.last_result: RunResult | None = None
        self._runner: Runner | None = None
        self._store = store
        self._memory, self._memory_error = memory, ""
        self._opened: list[Store | LongTermMemory] = []  # what this agent opened itself; close() closes it
        #: how ``train()`` learns documents into memory (``set_parameter("chunk_size", 800)``, ``"embed_batch_size"``,
        #: ``"lesson_rate"``), and how ``train(..., method="lora")`` fine-tunes (``"batch_size"``, ``"learning_rate"``,
        #: ``"epochs"``, ``"lora_rank"``, ...)
        self.train_params = TrainParams()
        self.lora_params = LoraParams(seed=self.settings.seed or 0)
        self._lineage: tuple[str, int, int] | None = None  # a helper's (parent run, parent step, depth)
        self.task_id: str | None = None  # the stored task of the current or last run
        self._resume_id: str | None = None  # set by resume(): the next run goes on with this task

    @classmethod
    def resume(cls, task_id: str, *, settings: Settings | None = None, store: Store | None = None,
               **overrides: Any) -> AutoGPT:
        """The agent of a stored task, ready to go on from its last completed step with :meth:`arun`
        (``task_id`` is remembered). ``overrides`` replace stored options (e.g. ``model=``, ``max_steps=``)."""
        settings = settings or Settings.load()
        store = store or create_store(settings)
        record = store.get_task(task_id)
        options = {k: v for k, v in record.options.items() if k in ("continuous", "max_steps", "language", "model")
                   and v is not None}
        options.update(overrides)
        if not options.get("continuous", True) and options.get("human") is None:
            options["continuous"] = True  # nobody to approve in this process: an API task resumed from code
        agent = cls(record.name, record.role, record.goals, workspace=record.workspace, settings=settings,
                    store=store, **options)
        agent._resume_id = task_id
        return agent

    @property
    def store(self) -> Store:
        """Where runs are kept (``<data_dir>/autogpt.db`` unless given)."""
        if self._store is None:
            self._store = create_store(self.settings)
            self._opened.append(self._store)
        return self._store

    @property
    def memory(self) -> LongTermMemory | None:
        """Long-term memory (knowledge, remembered facts, lessons), opened on first use; ``None`` when it is
        off (``memory: false``) or unavailable (``memory_error`` says why)."""
        if self._memory is None and self.settings.memory and not self._memory_error:
            try:
                self._memory = create_memory(self.settings)
                self._opened.append(self._memory)
            except MemoryUnavailableError as exc:
                self._memory_error = str(exc)
        return self._memory

    def close(self) -> None:
        """Close the long-term memory and run store this agent opened (not those it was given); a later use
        opens them again."""
        for resource in self._opened:
            resource.close()
            if resource is self._memory:
                self._memory = None
            if resource is self._store:
                self._store = None
        self._opened.clear()

    @property
    def memory_error(self) -> str:
        return self._memory_error

    @property
    def runner(self) -> Runner | None:
        """The live loop while a run is going on."""
        return self._runner

    # --- model and parameters (the seeds' chat API) ------------------------------------------------------

    @property
    def model(self) -> Model:
        """The model, created on first use (weights load on the first call, not here)."""
        if self._model is None:
            self._model = create_model(self._model_id, self.settings)
            for name, value in self._params.items():
                with contextlib.suppress(InvalidParameterError):
                    self._model.set_parameter(name, value)
        return self._model

    @property
    def model_name(self) -> str:
        return self._model_id

    def set_model_name(self, name: str) -> None:
        """Switch to another configured model id (``autogpt models`` lists them)."""
        model = create_model(name, self.settings)  # raises UnknownModelError with the known ids
        for key, value in self._params.items():
            with contextlib.suppress(InvalidParameterError):
                model.set_parameter(key, value)
        self._model, self._model_id = model, name

    def set_parameter(self, name: str, value: Any) -> None:
        """Set a generation parameter (temperature, top_p, max_tokens, seed, ...), one of the LoRA training's
        (batch_size, learning_rate, epochs, lora_rank, lora_alpha, max_length) or of learning documents into
        memory (chunk_size, chunk_overlap, embed_batch_size, lesson_rate); unknown names raise."""
        if name in TrainParams.LIMITS:
            self.train_params.set(name, value)
            return
        if name in LORA_PARAMETERS:
            if isinstance(value, bool):
                raise InvalidParameterError(name, LORA_PARAMETERS, f"{name} must be a number, not {value!r}.")
            try:
                self.lora_params = LoraParams.model_validate({**self.lora_params.model_dump(), name: value})
            except ValidationError as exc:
                problem = exc.errors()[0]["msg"]
                raise InvalidParameterError(name, LORA_PARAMETERS, f"{name}: {problem} (got {value!r}).") from None
            return
        try:
            self.model.set_parameter(name, value)
        except InvalidParameterError as exc:
            if exc.name == name and name not in exc.valid:  # unknown everywhere: list train()'s names too
                raise InvalidParameterError(name, [*exc.valid, *TrainParams.LIMITS, *LORA_PARAMETERS]) from None
            raise
        self._params[name] = self.model.params[name]

    @property
    def sandbox(self) -> Sandbox | None:
        """Where code runs (bubblewrap by default); ``None`` if unavailable (``sandbox_error`` says why)."""
        if self._sandbox is None and not self._sandbox_error:
            s = self.settings
            try:
                self._sandbox = create_sandbox(
                    s.sandbox, read_only_paths=s.sandbox_read_only_paths,
                    python=sandbox_interpreter(s.sandbox_python, s.cache_dir),
                    limits=Limits(timeout=s.sandbox_timeout, cpu_seconds=s.sandbox_cpu_seconds,
                                  memory_mb=s.sandbox_memory_mb, file_size_mb=s.sandbox_file_size_mb,
                                  processes=s.sandbox_processes, workspace_mb=s.sandbox_workspace_mb,
                                  workspace_files=s.sandbox_workspace_files),
                )
            except SandboxUnavailableError as exc:
                self._sandbox_error = str(exc)
        return self._sandbox

    @property
    def sandbox_error(self) -> str:
        return self._sandbox_error

    async def prepare(self, report: StatusCallback | None = None) -> None:
        """Load the model now (assembling the embedded weights the first time), reporting progress."""
        await self.model.prepare(report)

    # --- knowledge: train() ----------------------------------------------------------------------------------

    def train(self, sources: Any = None, *, method: str = "memory", name: str | None = None,
              report: StatusCallback | None = None, progress: Progress | None = None) -> Any:
        """Learn from ``sources``, in one of two ways.

        ``method="memory"`` (the default): documents go into long-term memory, and chat answers and runs retrieve
        and cite them (files, folders of .txt, .md, .html, .pdf, .docx, or texts). Training on the same file again
        adds nothing; a changed file replaces what was learned from it. ``set_parameter("chunk_size", ...)``,
        ``"chunk_overlap"`` and ``"embed_batch_size"`` configure it; ``"lesson_rate"`` is how fast lessons from
        runs move. Returns a :class:`~autogpt.memory.knowledge.TrainReport`.

        ``method="lora"`` (the ``hf`` extra): the local model itself is fine-tuned with a LoRA adapter, on
        question/answer pairs (a JSONL file or a list of mappings, see :func:`~autogpt.llm.lora.read_pairs`) or
        on documents the model first turns into such pairs. ``set_parameter("batch_size", ...)``,
        ``"learning_rate"``, ``"epochs"`` and ``"lora_rank"`` are the training's hyper-parameters. The adapter is
        saved as ``<data_dir>/adapters/NAME``; use it with ``set_model_name("hf:BASE+lora:NAME")`` or, when the
        base is a GGUF model, ``"BASE+lora:NAME"`` on the embedded runtime. Returns the
        :class:`~autogpt.llm.lora.Adapter` (its ``model_ids``, losses and time).
        """
        if method == "lora":
            return self._train_lora(sources, name, report, progress)
        if method != "memory":
            raise ConfigError(f"train() method must be 'memory' or 'lora', not {method!r}.")
        if sources is None or (not isinstance(sources, (str, Path)) and not (sources := list(sources))):
            message = f"train() was given nothing to learn from; it accepts {ACCEPTS}."
            warnings.warn(message, UserWarning, stacklevel=2)
            return TrainReport(problems=[message])
        memory = self.memory
        if memory is None:
            raise MemoryUnavailableError(self._memory_error or "Long-term memory is off (memory: false); train() needs it.")
        return ingest(memory, sources, self.train_params)

    def _train_lora(self, sources: Any, name: str | None, report: StatusCallback | None,
                    progress: Progress | None) -> Adapter:
        import time

        from autogpt.llm.lora import pairs_from_documents, read_pairs, train_lora

        base = hf_target(self._model_id, EMBEDDED_MODELS)
        if base is None:
            raise ConfigError(f"LoRA fine-tunes a local model; {self._model_id} is an API. Choose one first, e.g. "
                              "set_model_name('qwen2.5-coder-0.5b') or set_model_name('hf:/path/to/checkpoint').")
        if sources is None or (isinstance(sources, list | tuple) and not sources):
            raise ConfigError("train(method='lora') needs data: a JSONL file of question/answer pairs, a list of "
                              "{'question': ..., 'answer': ...} mappings, or documents to make pairs from.")
        name = name or time.strftime("lora-%Y%m%d-%H%M%S")
        out = adapter_dir(self.settings.data_dir, name)
        if out.exists():
            raise ConfigError(f"An adapter named {name} exists ({out}); choose another name.")
        if isinstance(sources, list | tuple) and len(sources) == 1 and isinstance(sources[0], str | Path):
            sources = sources[0]  # ["faq.jsonl"], as a command line gives it
        if isinstance(sources, str | Path) and str(sources).endswith(".jsonl"):
            chats = read_pairs(Path(sources))
        elif isinstance(sources, list | tuple) and all(isinstance(item, dict) for item in sources):
            chats = read_pairs(sources)
        else:  # documents: the model writes question/answer pairs about each chunk
            chunks, problems = document_chunks([sources] if isinstance(sources, str | Path) else sources,
                                               self.train_params)
            if not chunks:
                raise ConfigError("; ".join(problems) or f"Nothing to learn from: train() accepts {ACCEPTS}.")
            if report:
                report(f"Writing question/answer pairs about {len(chunks)} chunks with {self._model_id}…", None)
            chats = self._sync(pairs_from_documents(self.model, chunks, lang=self._language(*chunks[:3])))
        return train_lora(base, chats, self.lora_params, out, models_dir=self.settings.models_dir, report=report,
                          progress=progress)

    # --- chat mode -----------------------------------------------------------------------------------------

    async def agenerate_response(self, text: str) -> str:
        """Answer one chat message, remembering the conversation; what was learned with :meth:`train` that
        is relevant to the message is given to the model, and the answer cites it."""
        if not text or not text.strip():
            raise ConfigError("generate_response needs a non-empty message.")
        lang = self._language(text)
        memory = self.memory
        hits = relevant_hits(memory, text) if memory is not None else []
        knowledge = render_hits(hits, self.settings.memory_prompt_tokens * 2, self.model.count_tokens)
        system = Message("system", chat_system_prompt(self.ai_name, self.ai_role, lang, knowledge))
        history = self._fit_history(system, text)
        completion = await self.model.complete(
            ModelRequest(messages=[system, *history, Message("user", text)],
                         params={"temperature": self.settings.temperature, "max_tokens": self.settings.max_reply_tokens})
        )
        answer = completion.text.strip()
        cited = [cite(hit) for hit in hits if hit.record.namespace == KNOWLEDGE]
        if cited and not re.search(r"\[[^\]\n]+#\d+\]", answer):  # the model did not cite: name what it was given
            answer += ("\n\n来源：" if lang == "zh" else "\n\nSources: ") + " ".join(dict.fromkeys(cited))
        self.chat_history += [Message("user", text), Message("assistant", answer)]
        return answer

    def generate_response(self, text: str) -> str:
        return self._sync(self.agenerate_response(text))

    def reset_chat(self) -> None:
        self.chat_history.clear()

    def _fit_history(self, system: Message, text: str) -> list[Message]:
        budget = self.model.context_size - self.settings.max_reply_tokens - self.model.count_tokens(system.content + text)
        kept: list[Message] = []
        for message in reversed(self.chat_history):
            budget -= self.model.count_tokens(message.content) + 4
            if budget < 0:
                break
            kept.append(message)
        return kept[::-1]

    # --- autonomous runs -------------------------------------------------------------------------------------

    async def astream(self, on_event: Callable[[Event], None] | None = None, *,
                      task_id: str | None = None) -> AsyncIterator[Event]:
        """Run the goals, yielding every :mod:`event <autogpt.agent.events>` as it happens.

        ``on_event`` is called synchronously as each event happens, before the loop goes on: use it when
        output must stay in step with the loop (a console that also asks for approval).

        Every step is written to the store as it finishes. With ``task_id`` (or after :meth:`resume`) the run
        goes on from that stored task's last completed step instead of starting a new task.
        """
        if not self.goals:
            raise ConfigError("Give the agent at least one goal, e.g. AutoGPT(goals=['Write hello to a.txt']).")
        store = self.store
        record, history, state = self._task_record(task_id or self._resume_id)
        self._resume_id = None
        run_id = record.task_id
        self.task_id = run_id
        workspace = Workspace(record.workspace)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        memory = self.memory
        lessons = self._lesson_book(memory)
        learned: dict[str, Any] = {}  # the run's reward and lessons, kept with its result
        held: list[Event] = []  # run_finished waits for the review, so it stays the last event

        def deliver(event: Event) -> None:
            own = event.run_id == run_id  # else a helper's (delegated), stored with its own run
            if event.type != "token" and own:
                event.seq = store.add_event(run_id, event.to_dict())
            if event.type == "run_finished" and own:
                store.update_task(run_id, status=event.status)  # type: ignore[attr-defined]
            if on_event is not None:
                on_event(event)
            queue.put_nowait(event)

        def emit(event: Event) -> None:
            if event.type == "run_finished" and lessons is not None and event.status not in _NOT_REVIEWED:  # type: ignore[attr-defined]
                held.append(event)
            else:
                deliver(event)

        options = LoopOptions(
            continuous=self.continuous, temperature=self.settings.temperature,
            max_reply_tokens=self.settings.max_reply_tokens, history_verbatim_steps=self.settings.history_verbatim_steps,
            max_observation_tokens=self.settings.max_observation_tokens, reply_retries=self.settings.reply_retries,
            checks=resolve_profile(self.checks, self.model),
            compact=self.settings.reply_format == "compact",
            params={} if self.settings.seed is None else {"seed": self.settings.seed},
        )
        budget = Budget(self.max_steps, self.max_tokens, self.max_cost, self.max_seconds)
        task = Task(self.ai_name, self.ai_role, self.goals)
        context = ToolContext(workspace=workspace, sandbox=self.sandbox, sandbox_error=self.sandbox_error,
                              settings=self.settings, model=self.model)
        servers, tools = await self._start_mcp(run_id, deliver)
        try:  # the MCP servers' processes are stopped if the run cannot start
            delegation = Delegation(self, run_id, budget, deliver, depth=self._lineage[2] if self._lineage else 0)
            if delegation.can_delegate():
                tools = tools.extended([delegate_tool()])
            used = lessons.relevant("\n".join(self.goals)) if lessons else []
            known = relevant_hits(memory, "\n".join(self.goals), min_similarity=IN_RUNS) if memory and memory.count() else []
            known_text = render_hits(known, self.settings.memory_prompt_tokens, self.model.count_tokens, cited=False)
            shown = {hit.record.id for hit in known}
            context.extras.update(memory=memory, run_id=run_id, **{DELEGATION: delegation})
            lang = self._language(*self.goals, self.ai_role)
            self._runner = runner = Runner(task, self.model, tools, workspace, budget, options, run_id=run_id,
                                           lang=lang, human=self.human, emit=emit, context=context, state=state,
                                           history=history, checkpoint=lambda st, step: self._checkpoint(run_id, st, step),
                                           lessons=render_lessons(used), known=known_text,
                                           recall=self._recaller(memory, shown),
                                           keep_dir=self.settings.data_dir / "kept" / run_id,
                                           on_call=self._call_keeper(run_id))
            store.update_task(run_id, status="running")
        except BaseException:
            if servers is not None:
                await servers.close()
            raise
        job = asyncio.create_task(runner.run())
        job.add_done_callback(lambda _: queue.put_nowait(_DONE))
        try:
            while (event := await queue.get()) is not _DONE:
                yield event
            self.last_result = job.result()
            if held and lessons is not None:
                notice, learned = await self._learn(lessons, used, runner, context, lang)
                deliver(notice)
                deliver(held.pop())
                while not queue.empty():
                    yield queue.get_nowait()
        finally:
            if not job.done():
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            if held:  # the review did not happen (cancelled): the run still ends
                deliver(held.pop())
            if runner.result is not None:
                self.last_result = runner.result
                store.update_task(run_id, status=runner.result.status,
                                  result={**runner.result.model_dump(mode="json", exclude={"history"}), **learned})
            self._runner = None
            if servers is not None:
                await servers.close()

    async def arun(self, on_event: Callable[[Event], None] | None = None, *, task_id: str | None = None) -> RunResult:
        """Run the goals to the end; ``on_event`` sees every event as it happens (``task_id``: see astream)."""
        async for _ in self.astream(on_event, task_id=task_id):
            pass
        assert self.last_result is not None
        return self.last_result

    def run(self) -> RunResult:
        """Run the goals to the end (sync wrapper around :meth:`arun`)."""
        return self._sync(self.arun())

    def request_pause(self) -> None:
        """Ask the running loop to pause at the next safe point (what Ctrl-C does in the CLI)."""
        if self._runner is not None:
            self._runner.request_pause()

    async def _start_mcp(self, run_id: str, deliver: Callable[[Event], None]) -> tuple[Any, ToolRegistry]:
        """The run's MCP servers, started, and the tools with theirs; a server that fails is a warning."""
        if not self.mcp_servers:
            return None, self.tools
        from autogpt.tools.mcp import MCPServers

        servers = MCPServers(self.mcp_servers)
        await servers.start()
        for problem in servers.problems:
            deliver(Notice(run_id=run_id, step=0, level="warning",
                           message=f"{problem} The run goes on without its tools."))
        return servers, self.tools.extended(servers.tools(taken=[t.name for t in self.tools]))

    # --- sub-agents ----------------------------------------------------------------------------------------

    def as_tool(self, name: str | None = None, description: str | None = None) -> Tool:
        """This agent as a tool of another: ``boss = AutoGPT(..., tools=[tester.as_tool()])``. A call runs a copy
        of it on the goal it is given, in a sub-folder of the caller's workspace, within a budget carved from
        the caller's (see :mod:`autogpt.agent.delegation`)."""
        return agent_tool(self, name, description)

    def _copy_for_child(self) -> AutoGPT:
        child = AutoGPT(self.ai_name, self.ai_role, model=self._model or self._model_id, settings=self.settings,
                        store=self._store, memory=self._memory, sandbox=self._sandbox, checks=self.checks,
                        language=self.language, mcp_servers=self.mcp_servers[len(self.settings.mcp_servers):])
        child.tools = self.tools
        return child

    # --- long-term memory in runs ---------------------------------------------------------------------------

    def _lesson_book(self, memory: LongTermMemory | None) -> LessonBook | None:
        if memory is None or not self.settings.lessons:
            return None
        return LessonBook(memory, self.train_params.lesson_rate)

    def _recaller(self, memory: LongTermMemory | None, shown: set[str]) -> Callable[[str], str] | None:
        """What the loop calls each step: the memories relevant to the goals and the current sub-task that the
        system prompt does not already show (``shown``), rendered within ``memory_prompt_tokens`` (the same
        query gives the same text, so the prompt prefix is kept)."""
        if memory is None or self.settings.memory_prompt_tokens == 0:
            return None
        cache: dict[tuple[str, int], str] = {}

        def recall(query: str) -> str:
            key = (query, memory.count())
            if key not in cache:
                hits = [h for h in relevant_hits(memory, query, min_similarity=IN_RUNS) if h.record.id not in shown] \
                    if key[1] else []
                cache[key] = render_hits(hits, self.settings.memory_prompt_tokens, self.model.count_tokens,
                                         cited=False)
            return cache[key]

        return recall

    async def _learn(self, book: LessonBook, used: list[Any], runner: Runner, context: ToolContext,
                     lang: Language) -> tuple[Notice, dict[str, Any]]:
        """After a run: score it, reward the lessons it was given, and keep what the model learned from it."""
        result = runner.result
        assert result is not None
        missing, typed = runner.review()  # files the goals ask for that are missing; numbers no command showed
        summary = result.summary + "".join(f" {name} holds {', '.join(found)}, which no command printed: typed, "
                                           "not computed." for name, found in typed.items())
        try:
            self_score, learned = await reflect(self.model, self.goals, result.history, result.status, summary, lang,
                                                system=runner.system_message)
        except ModelError as exc:
            self_score, learned = None, []
            problem = f" (the review failed: {exc})"
        else:
            problem = ""
        score = checked_reward(result.status, result.history, missing=missing,
                               max_steps=self.max_steps, self_score=self_score, typed_numbers=bool(typed))
        pruned = book.reward(used, score.reward)
        keep = learned if score.reward >= LEARN_FROM else []  # a run that went wrong teaches wrong lessons
        stored = book.learn("\n".join(self.goals), keep, score.reward, run_id=result.run_id)
        learned = {"reward": score.reward, "reward_parts": score.parts, "lessons": [r.id for r in stored],
                   "lessons_used": [r.id for r in used]}
        message = (f"Reward {score.reward:.2f}; {len(stored)} lesson(s) kept, {len(used)} used, "
                   f"{len(pruned)} pruned{problem}.")
        return Notice(run_id=result.run_id, step=result.steps, message=message), learned

    # --- durability ----------------------------------------------------------------------------------------

    def _task_record(self, task_id: str | None) -> tuple[TaskRecord, list[StepBase], RunState | None]:
        """The stored task to go on with (its history and state), or a new one."""
        if task_id is not None:
            record = self.store.get_task(task_id)
            if not record.resumable:
                raise AgentStateError(f"Task {task_id} has ended ({record.status}); it cannot be resumed.")
            history = [_STEP.validate_python(step) for step in self.store.history(task_id)]
            return record, history, RunState.model_validate(record.state) if record.state else None
        options = {"continuous": self.continuous, "max_steps": self.max_steps, "language": self.language,
                   "model": self._model_id}
        if self._lineage is not None:  # a helper: its parent's run and step, and how deep it is
            options.update(zip(("parent_id", "parent_step", "depth"), self._lineage, strict=True))
        record = TaskRecord(input="; ".join(self.goals), name=self.ai_name, role=self.ai_role, goals=self.goals,
                            options=options)
        record.workspace = str(Path(self.workspace) if self.workspace else self.settings.workspaces_dir / record.task_id)
        return self.store.create_task(record), [], None

    def _call_keeper(self, run_id: str) -> Callable[[int, list[Message], str], None] | None:
        """What keeps each step's prompt and reply in the store (the ``keep_prompts`` setting)."""
        if not self.settings.keep_prompts:
            return None

        def keep(number: int, messages: list[Message], reply: str) -> None:
            self.store.record_call(run_id, number, {"messages": [m.to_dict() for m in messages], "reply": reply,
                                                    "model": self._model_id})

        return keep

    def run_pairs(self, *, limit: int = 500, min_reward: float = LEARN_FROM) -> list[dict[str, Any]]:
        """Training pairs from this agent's own runs that went well: each step's prompt and the reply the model
        gave (kept with ``keep_prompts``), from the stored runs that ended ``finished`` (their finish passed
        the checks) and, where a reward was computed, scored at least ``min_reward``; the newest ``limit`` runs.
        For ``train(agent.run_pairs(), method="lora")``."""
        records, _ = self.store.list_tasks(1, limit)
        pairs = []
        for record in records:
            reward = (record.result or {}).get("reward")
            if record.status != "finished" or (isinstance(reward, int | float) and reward < min_reward):
                continue
            pairs += [{"messages": [*call["messages"], {"role": "assistant", "content": call["reply"]}]}
                      for call in self.store.calls(record.task_id)
                      if isinstance(call.get("messages"), list) and isinstance(call.get("reply"), str)]
        return pairs

    def _checkpoint(self, task_id: str, state: RunState, step: StepBase | None) -> None:
        data = state.model_dump(mode="json")
        if step is None:
            self.store.save_state(task_id, data)
        else:
            self.store.record_step(task_id, step.number, step.model_dump(mode="json"), data)

    # --- helpers -------------------------------------------------------------------------------------------

    def _language(self, *texts: str) -> Language:
        return self.language if self.language in ("en", "zh") else detect_language(*texts)  # type: ignore[return-value]

    def _sync(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            coro.close()
            raise AgentStateError("This is the sync API; inside an event loop use the async one (await agent.arun()).")

        async def run_then_close() -> T:
            try:
                return await coro
            finally:
                await self.model.aclose()  # HTTP clients belong to this event loop

        return asyncio.run(run_then_close())

