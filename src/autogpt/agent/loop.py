"""The core loop: think → judge → (approve) → act → record, until ``finish`` or a budget ends the run.

:meth:`Runner.run` and :meth:`Runner._step` are the whole algorithm; the judgement of the work (which commands
may run, notes on results, whether ``finish`` may end the run) is the checks' (:mod:`autogpt.checks`), called at
four points. The helpers below each do one thing.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from autogpt import tracing
from autogpt.agent import planning, prompts
from autogpt.agent.control import Budget, Decision, Human, parse_decision
from autogpt.agent.events import (
    CheckFired,
    Event,
    Notice,
    Proposed,
    RunFinished,
    RunStarted,
    Status,
    StepFinished,
    Thinking,
    Token,
    ToolFinished,
    ToolStarted,
)
from autogpt.agent.parser import parse_completion
from autogpt.agent.prompts import Language, t
from autogpt.agent.schema import PlanItem, Reply, narrow, reply_json_schema
from autogpt.agent.steps import ActionStep, ErrorStep, FeedbackStep, NoteStep, Step, StepBase, StepClock
from autogpt.checks import Act, ChecksState, Engine
from autogpt.errors import (
    AutoGPTError,
    ModelError,
    ModelUnavailableError,
    ReplyParseError,
    ToolCrashedError,
    ToolError,
    ToolUnavailableError,
    UnknownToolError,
)
from autogpt.goal import GoalSpec, outputs_of
from autogpt.llm.base import REPEATING, Completion, Message, Model, ModelRequest, Usage
from autogpt.memory.short_term import ShortTermMemory, truncate_observation
from autogpt.tools.registry import Tool, ToolContext, ToolRegistry
from autogpt.workspace import Workspace

STATUSES = ("finished", "max_steps", "max_tokens", "max_cost", "max_time", "stuck", "stopped", "error", "interrupted")


class RunResult(BaseModel):
    run_id: str
    status: str  # one of STATUSES
    summary: str
    steps: int
    artifacts: list[str] = Field(default_factory=list)
    workspace: str = ""
    tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    error: str | None = None
    history: list[Step] = Field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "finished"


@dataclass
class Task:
    name: str
    role: str
    goals: list[str]


class Proposal(BaseModel):
    """A reply that was paid for but has no recorded result yet (see :class:`RunState`)."""

    number: int
    reply: Reply
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


class RunState(BaseModel):
    """Everything the loop needs to go on after the process died, saved after every step.

    ``pending`` is a proposal not yet run (waiting for approval, or the process died before running it): a
    resumed run uses it instead of asking the model again. ``running`` is a command that started and has no
    recorded result: a resumed run does not run it again, it tells the model it was interrupted. ``checks`` is
    what the checks remember (their refusals, the goal spec), so a resumed run judges as the first one did.
    """

    steps: int = 0
    tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    plan: list[PlanItem] = Field(default_factory=list)
    errors_in_a_row: int = 0
    auto_steps: int = 0
    withdrawn: list[str] = Field(default_factory=list)
    snapshot: dict[str, tuple[int, int]] = Field(default_factory=dict)
    checks: ChecksState | None = None
    pending: Proposal | None = None
    running: Proposal | None = None


#: Saves the state (and the step just finished, if any) durably; see :class:`autogpt.store.base.Store`.
Checkpoint = Callable[[RunState, StepBase | None], None]


@dataclass
class LoopOptions:
    continuous: bool = True
    temperature: float = 0.2
    max_reply_tokens: int = 1024
    history_verbatim_steps: int = 5
    max_observation_tokens: int = 1200
    reply_retries: int = 3
    max_consecutive_errors: int = 3
    checks: str = "full"  # the checks' profile: full | light | off (see autogpt.checks)
    compact: bool = False  # replies without criticism and speak (see autogpt.agent.schema.reply_json_schema)
    params: dict[str, object] = field(default_factory=dict)


class Runner:
    """Runs one task to its end. Create one per run."""

    def __init__(
        self, task: Task, model: Model, tools: ToolRegistry, workspace: Workspace, budget: Budget,
        options: LoopOptions, *, run_id: str, lang: Language, human: Human | None = None,
        emit: Callable[[Event], None] = lambda event: None, context: ToolContext | None = None,
        state: RunState | None = None, history: Sequence[StepBase] = (), checkpoint: Checkpoint | None = None,
        lessons: str = "", known: str = "", recall: Callable[[str], str] | None = None, keep_dir: Path | None = None,
        on_call: Callable[[int, list[Message], str], None] | None = None,
    ) -> None:
        self.task, self.model, self.tools, self.workspace = task, model, tools, workspace
        self.budget, self.options, self.run_id, self.lang = budget, options, run_id, lang
        self.human, self.emit = human, emit
        self.memory = ShortTermMemory(options.history_verbatim_steps, model.count_tokens)
        self.plan: list[PlanItem] = []
        self.result: RunResult | None = None
        self._auto_steps = self._errors_in_a_row = 0
        self._pause_requested = False
        self._snapshot = workspace.snapshot()
        self._checkpoint = checkpoint or (lambda state, step: None)
        self._on_call = on_call  # told each step's prompt and the reply that parsed (kept for fine-tuning)
        self._restored: Proposal | None = None
        self._running: Proposal | None = None
        self._withdrawn: set[str] = set()  # tools that said they cannot work in this run (ToolUnavailableError)
        self._schemas: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
        self._system: tuple[Message, int] | None = None
        self._lessons = lessons  # from earlier runs of similar tasks: part of the system prompt
        self._known = known  # what long-term memory holds about the goals: part of the system prompt
        self._recall = recall  # long-term memory relevant to a query, rendered (or "")
        self._clock = StepClock()  # the current step's: where its time goes (started again after each step)
        for step in history:
            self.memory.add(step)
        if state is not None:
            self._restore(state)
        checks = state.checks if state is not None else None
        spec = checks.spec if checks is not None else GoalSpec.parse(task.goals, self._snapshot, self._read_start)
        self._context = context or ToolContext(workspace=workspace, model=model)
        self._context.ask_human = human.ask if human else None
        self._context.goals, self._context.spec = list(task.goals), spec
        self.checks = Engine(spec, profile=checks.profile if checks else options.checks, lang=lang,
                             workspace=workspace, tools=tools, state=checks, report=self._report_check,
                             ask_model=self._ask_model, given=[known] if known else [], keep_dir=keep_dir,
                             existing=list(self._snapshot), examples=prompts.example_commands())
        self._tool_specs = [tool.spec() for tool in self._tools()]

    def request_pause(self) -> None:
        """Pause at the next safe point (between steps): Ctrl-C once."""
        self._pause_requested = True

    async def run(self) -> RunResult:
        """Run to the end, in one trace span (see :mod:`autogpt.tracing`) with the steps inside."""
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": self.task.name,
                      "gen_ai.agent.description": self.task.role[:300], "gen_ai.conversation.id": self.run_id,
                      **tracing.model_attributes(self.model.id)}
        with tracing.span(f"invoke_agent {self.task.name}", attributes) as span:
            result = await self._run()
            span.set_attributes({"autogpt.run.status": result.status, "autogpt.run.steps": result.steps,
                                 "autogpt.run.tokens": result.tokens})
            if not result.ok:
                span.record_error(result.status, result.summary)
            return result

    async def _run(self) -> RunResult:
        self._emit(RunStarted, name=self.task.name, role=self.task.role, goals=self.task.goals,
                   workspace=str(self.workspace.root), model=self.model.id, language=self.lang,
                   continuous=self.options.continuous)
        try:
            await self.model.prepare(lambda message, progress: self._emit(Status, message=message, progress=progress))
            self._clock = StepClock()
            self._recover_interrupted()
            while True:
                if limit := self.budget.exhausted():
                    return self._end(limit)
                if self._pause_requested and await self._pause() == "stop":
                    return self._end("stopped")
                number = self.budget.steps + 1
                with tracing.span("autogpt.step", {"autogpt.step.number": number}):
                    ended = await self._step(number)
                if ended is not None:
                    return ended
        except asyncio.CancelledError:
            self._end("interrupted")
            raise
        except _OutOfTime:
            return self._end("max_time")
        except ModelUnavailableError:
            raise
        except ModelError as exc:
            return self._end("error", error=str(exc))
        except AutoGPTError as exc:  # our own bug (e.g. a tool crashed): record the end, then raise
            self._end("error", error=str(exc))
            raise

    async def _step(self, number: int) -> RunResult | None:
        """One step: think, let the checks judge the command, ask the human, act. The result when the run ends."""
        reply, usage, cost = await self._think(number)
        if reply is None:
            if self._errors_in_a_row >= self.options.max_consecutive_errors:
                return self._end("error", error="The model gave no usable reply several times in a row.")
            return None
        self._errors_in_a_row = 0
        command = reply.command
        refusal = await self.checks.before(number, command.name, command.args, self._acts())
        invalid = refusal is None and not self._valid(reply)  # the tool call tells the model what is wrong
        decision = Decision("run") if refusal or invalid else await self._approve(number, reply)
        if decision.action == "stop":
            return self._end("stopped")
        if decision.action == "feedback":
            self._record(FeedbackStep(number=number, reply=reply, feedback=decision.feedback), usage, cost)
            return None
        if refusal is not None:
            if self.checks.stuck:
                return self._end("stuck")
            self._emit(Notice, step=number, message=f"Not running {command.short()}: {refusal}", level="warning")
            self._record(ActionStep(number=number, reply=reply, executed=False, ok=False, observation=refusal),
                         usage, cost)
            return None
        step = await self._act(number, reply, usage, cost)
        if step.ok and self._ends_run(command.name):
            return self._end("finished", summary=step.observation)
        return None

    # --- think: prompt → model → parsed reply ------------------------------------------------------------

    async def _think(self, number: int) -> tuple[Reply | None, Usage, float]:
        """Ask the model for this step's reply; an unusable reply is sent back with the error, a few times.

        A proposal restored from the store (the run was resumed) is used as it is: it was already paid for.
        """
        if self._restored is not None:
            proposal, self._restored = self._restored, None
            self._emit(Proposed, step=number, thoughts=proposal.reply.thoughts.model_dump(),
                       command=proposal.reply.command.model_dump())
            return proposal.reply, Usage(proposal.prompt_tokens, proposal.completion_tokens), proposal.cost
        messages = prompt = self._prompt(number)
        usage, cost, error, raw = Usage(), 0.0, "", ""
        for attempt in range(1, self.options.reply_retries + 2):
            self._emit(Thinking, step=number, attempt=attempt)
            completion = await self._call_model(messages, number)
            usage += completion.usage
            cost += completion.cost
            try:
                reply = parse_completion(completion)
            except ReplyParseError as exc:
                error, raw = str(exc), completion.text
                cut = completion.finish_reason in ("length", REPEATING)
                seen = f" It began {raw[:300]!r} and ended {raw[-300:]!r}." if cut else ""
                self._emit(Notice, step=number, message=f"Unusable reply ({error}); asking again.{seen}", level="warning")
                # A runaway reply is not shown back whole: the model would go on with it.
                shown = f"{raw[:300]} …" if cut else raw[:2000]
                messages = [*messages, Message("assistant", shown),
                            Message("user", f"{t(self.lang, 'bad_reply', error=error)} {t(self.lang, 'reply_again')}")]
                continue
            if self._on_call is not None:
                self._on_call(number, prompt, completion.text)  # the step's prompt, without the retries' turns
            if reply.thoughts.plan:
                self.plan = planning.keep_done(self.plan, reply.thoughts.plan)
            self._checkpoint(self._state(pending=Proposal(number=number, reply=reply, prompt_tokens=usage.prompt_tokens,
                                                          completion_tokens=usage.completion_tokens, cost=cost)), None)
            self._emit(Proposed, step=number, thoughts=reply.thoughts.model_dump(), command=reply.command.model_dump())
            return reply, usage, cost
        self._errors_in_a_row += 1
        self._record(ErrorStep(number=number, error=error, raw=raw[:2000]), usage, cost)
        return None, usage, cost

    def _choices(self, number: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The commands the model may choose from now, and the reply schema that allows exactly those: every tool
        less the withdrawn ones and those whose ``available_if`` says no, as the checks' menu narrows them."""
        menu = self.checks.menu(self._acts(), number)
        available = {tool.name for tool in self._tools() if tool.name not in self._withdrawn
                     and (tool.available_if is None or tool.available_if(self._context))}
        specs = [narrow(spec, *menu.choices[spec["name"]]) if spec["name"] in menu.choices else spec
                 for spec in self._tool_specs if spec["name"] in available and menu.allows(spec["name"])]
        specs = specs or [spec for spec in self._tool_specs if spec["name"] in available] or self._tool_specs
        key = json.dumps(specs, sort_keys=True)
        if key not in self._schemas:
            self._schemas[key] = (specs, reply_json_schema(specs, compact=self.options.compact))
        return self._schemas[key]

    @property
    def system_message(self) -> Message | None:
        """The run's system message, once its first prompt is built."""
        return self._system[0] if self._system is not None else None

    def _prompt(self, number: int) -> list[Message]:
        if self._system is None:  # the same for the whole run; counted once the model (and tokenizer) is loaded
            now = {tool.name: tool.available_if is None or tool.available_if(self._context) for tool in self._tools()}
            tools = [tool for tool in self._tools() if now[tool.name] or tool.listed_if_unavailable]
            online = any(tool.untrusted and now[tool.name] for tool in tools)  # a web tool can reach the internet
            text = prompts.system_prompt(self.task.name, self.task.role, self.task.goals, tools, self.lang,
                                         online=online, lessons=self._lessons, known=self._known,
                                         compact=self.options.compact)
            self._system = (Message("system", text), self.model.count_tokens(text))
        system, system_tokens = self._system
        last = self.memory.steps[-1] if self.memory.steps else None
        failed = isinstance(last, ActionStep) and last.executed and not last.ok
        self.plan, unmade = planning.reopen_missing(
            self.plan, lambda task: [name for name in outputs_of(task) if not self._is_file(name)])
        results = self.checks.spec.results
        missing = [name for name in results if not self._is_file(name)]
        completed = isinstance(last, ActionStep) and self.checks.spec.completed_by(last.changed, self._is_file)
        made = results if completed else []
        state = prompts.state_message(number, self.budget.max_steps, self.plan, self.workspace.files(), self.lang,
                                      last_failed=failed, missing=missing, unmade=unmade, made=made)
        if self._recall is not None:  # what long-term memory knows about the goals and the current sub-task
            doing = next((item.task for item in self.plan if item.status == "doing"), "")
            recalled = self._recall(" ".join([*self.task.goals, doing]))
            if recalled:
                state = f"{t(self.lang, 'recalled')}\n{recalled}\n\n{state}"
        room = self.model.context_size - system_tokens - self.model.count_tokens(state) - self.options.max_reply_tokens
        history = self.memory.render(max(room - 64, 256), self.lang)
        return [system, Message("user", f"{history}\n\n{state}" if history else state)]

    async def _call_model(self, messages: list[Message], number: int) -> Completion:
        specs, schema = self._choices(number)
        request = ModelRequest(
            messages=messages,
            response_schema=schema,
            tools=specs,
            params={"temperature": self.options.temperature, "max_tokens": self.options.max_reply_tokens,
                    **self.options.params},
            on_token=self._token_sink(number),
        )
        return await self._complete(request)

    async def _complete(self, request: ModelRequest) -> Completion:
        """One model call: within the run's time, charged to the budget, timed on the step's clock."""
        model = tracing.model_attributes(self.model.id)
        with tracing.span(f"chat {model['gen_ai.request.model']}", {
            "gen_ai.operation.name": "chat", **model, "gen_ai.request.temperature": request.params.get("temperature"),
            "gen_ai.request.max_tokens": request.params.get("max_tokens")}, client=True) as span:
            try:
                completion = await self._clock.model(asyncio.wait_for(self.model.complete(request),
                                                                       timeout=self.budget.seconds_left()))
            except TimeoutError:
                span.record_error("timeout", "The run's time ran out during the model call.")
                raise _OutOfTime() from None
            span.set_attributes({"gen_ai.usage.input_tokens": completion.usage.prompt_tokens,
                                 "gen_ai.usage.output_tokens": completion.usage.completion_tokens,
                                 "gen_ai.response.model": completion.model or None,
                                 "gen_ai.response.finish_reasons": [completion.finish_reason]
                                 if completion.finish_reason else None})
        completion.cost = completion.cost or self.model.cost_of(completion.usage)
        self.budget.charge(completion)
        return completion

    def _token_sink(self, number: int) -> Callable[[str], None]:
        """Tokens reach ``emit`` in order, whether the model streams from this loop or from a worker thread."""
        loop = asyncio.get_running_loop()
        thread = threading.get_ident()

        def sink(text: str) -> None:
            token = Token(run_id=self.run_id, step=number, text=text)
            if threading.get_ident() == thread:
                self.emit(token)
            else:
                loop.call_soon_threadsafe(self.emit, token)

        return sink

    async def _ask_model(self, request: ModelRequest) -> Completion:
        """A model call of the checks (the goal verifier): within the run's time, its tokens on the run's budget."""
        self._emit(Status, message="Checking the outputs against the goals…" if self.lang != "zh"
                   else "正在对照目标检查输出……")
        completion = await self._complete(request)
        self._emit(Notice, step=self.budget.steps + 1, message=f"{request.purpose}: {completion.text[:600]}")
        return completion

    def _report_check(self, step: int, check: str, stage: str, verdict: str, message: str) -> None:
        self._emit(CheckFired, step=step, check=check, stage=stage, verdict=verdict, message=message)

    # --- decide and act --------------------------------------------------------------------------------

    def _valid(self, reply: Reply) -> bool:
        """Whether the command names a tool of this run with well-formed arguments."""
        try:
            self._tool(reply.command.name).validate(reply.command.args)
        except ToolError:
            return False
        return True

    async def _approve(self, number: int, reply: Reply) -> Decision:
        if self.options.continuous or self.human is None:
            return Decision("run")
        if self._auto_steps > 0:
            self._auto_steps -= 1
            return Decision("run")
        decision = parse_decision(await self._clock.wait(self.human.approve(number, reply)))
        self._auto_steps = decision.auto_steps
        return decision

    async def _act(self, number: int, reply: Reply, usage: Usage, cost: float) -> ActionStep:
        """Run the command, let the checks note on its result, and record the step."""
        command = reply.command
        self._running = Proposal(number=number, reply=reply, prompt_tokens=usage.prompt_tokens,
                                 completion_tokens=usage.completion_tokens, cost=cost)
        self._checkpoint(self._state(), None)
        self._emit(ToolStarted, step=number, name=command.name, args=command.args)
        started, before = time.perf_counter(), self.workspace.snapshot()
        crash: ToolCrashedError | None = None
        untrusted = False
        with tracing.span(f"execute_tool {command.name}", {"gen_ai.operation.name": "execute_tool",
                                                            "gen_ai.tool.name": command.name,
                                                            "gen_ai.tool.type": "function"}) as span:
            try:
                tool = self._tool(command.name)
                untrusted = tool.untrusted
                output, ok = await self._clock.tool(tool.call(command.args, self._context)), True
            except ToolUnavailableError as exc:
                output, ok = str(exc), False
                self._withdrawn |= {command.name, *exc.also}
            except ToolError as exc:
                output, ok = str(exc), False
            except ToolCrashedError as exc:
                output, ok, crash = str(exc), False, exc
            if not ok:
                span.record_error(type(crash).__name__ if crash else "tool_error", output)
        changed = self.workspace.changed_since(before)
        output = truncate_observation(output, self.options.max_observation_tokens, self.lang)
        notes = self.checks.after(number, command.name, command.args, ok, output, changed, self._acts())
        seconds = time.perf_counter() - started
        self._emit(ToolFinished, step=number, name=command.name, ok=ok,
                   output="\n".join([output, *notes]), seconds=seconds)
        step = ActionStep(number=number, reply=reply, ok=ok, observation=output, notes=notes, changed=changed,
                          seconds=seconds, untrusted=untrusted)
        if ok:
            self.plan = planning.advance(self.plan, planning.targets(command.args))
        self._record(step, usage, cost)
        if crash is not None:
            raise crash
        return step

    async def _pause(self) -> str:
        self._pause_requested = False
        self._emit(Notice, step=self.budget.steps, message="Paused.", level="warning")
        if self.human is None:
            return "stop"
        answer = (await self._clock.wait(self.human.paused())).strip()
        decision = parse_decision(answer)
        if decision.action == "stop":
            return "stop"
        if decision.action == "feedback":
            self.memory.add(NoteStep(number=self.budget.steps, text=decision.feedback))
        return "go"

    # --- bookkeeping ------------------------------------------------------------------------------------

    def _tools(self) -> list[Tool]:
        return self.tools.available(human_present=self.human is not None)

    def _tool(self, name: str) -> Tool:
        tool = self.tools.get(name)
        if tool.requires_human and self.human is None:
            names = ", ".join(t.name for t in self._tools())
            raise UnknownToolError(f"{name} is not available: no human is present. Available commands: {names}.")
        return tool

    def _ends_run(self, name: str) -> bool:
        return name in self.tools and self.tools.get(name).ends_run

    def _acts(self) -> list[Act]:
        """The run's steps as the checks see them."""
        return [Act(number=s.number, tool=s.reply.command.name, args=s.reply.command.args, executed=s.executed,
                    ok=s.ok, output=s.observation, changed=tuple(s.changed))
                for s in self.memory.steps if isinstance(s, ActionStep)]

    def review(self) -> tuple[list[str], dict[str, list[str]]]:
        """The files the goals ask for that are missing, and the numbers typed into outputs that no command
        showed (see :meth:`autogpt.checks.Engine.review`)."""
        return self.checks.review(self._acts())

    def _is_file(self, name: str) -> bool:
        try:
            return self.workspace.resolve(name).is_file()
        except (AutoGPTError, OSError):
            return False

    def _read_start(self, name: str) -> str | None:
        """A file's text when the run begins (the goal spec reads instruction files the goals give)."""
        try:
            return self.workspace.read_text(name, max_bytes=20_000)
        except (AutoGPTError, OSError):
            return None

    def _record(self, step: StepBase, usage: Usage, cost: float) -> None:
        step.prompt_tokens, step.completion_tokens, step.cost = usage.prompt_tokens, usage.completion_tokens, cost
        step.timing, self._clock = self._clock.stop(), StepClock()  # saving and reporting it: the next step's time
        self.memory.add(step)
        self.budget.steps += 1
        self._running = None
        self._checkpoint(self._state(), step)
        self._emit(StepFinished, step=step.number, kind=step.kind, prompt_tokens=step.prompt_tokens,  # type: ignore[attr-defined]
                   completion_tokens=step.completion_tokens, cost=step.cost, seconds=step.seconds,
                   total_tokens=self.budget.tokens, total_cost=self.budget.cost, timing=step.timing.model_dump())

    def _end(self, status: str, *, summary: str = "", error: str | None = None) -> RunResult:
        if self.result is not None:
            return self.result
        self.result = RunResult(
            run_id=self.run_id, status=status, summary=summary or self._best_effort_summary(status, error),
            steps=self.budget.steps, artifacts=self.workspace.changed_since(self._snapshot),
            workspace=str(self.workspace.root), tokens=self.budget.tokens, cost=self.budget.cost,
            seconds=self.budget.elapsed(), error=error, history=list(self.memory.steps),  # type: ignore[arg-type]
        )
        data = self.result.model_dump(exclude={"history", "run_id"})
        self._emit(RunFinished, **data)
        return self.result

    def _best_effort_summary(self, status: str, error: str | None) -> str:
        b = self.budget
        limit = {"max_steps": b.max_steps, "max_tokens": b.max_tokens, "max_cost": b.max_cost,
                 "max_time": b.max_seconds}.get(status)
        # "finished" has no text of its own: its summary is finish's reason, which may be empty (finish(reason=""))
        parts = [t(self.lang, f"end_{status}", limit=limit, error=error)] if status != "finished" else []
        done = [item.task for item in self.plan if item.status == "done"]
        if done:
            parts.append(t(self.lang, "end_done", tasks="; ".join(done)))
        last = next((s.reply.thoughts.speak for s in reversed(self.memory.steps)
                     if isinstance(s, ActionStep) and s.reply.thoughts.speak), "")
        if last:
            parts.append(t(self.lang, "end_last", text=last))
        return " ".join(parts)

    # --- durability ---------------------------------------------------------------------------------------

    def _state(self, pending: Proposal | None = None) -> RunState:
        b = self.budget
        return RunState(steps=b.steps, tokens=b.tokens, cost=b.cost, seconds=b.elapsed(), plan=self.plan,
                        errors_in_a_row=self._errors_in_a_row, auto_steps=self._auto_steps,
                        withdrawn=sorted(self._withdrawn), snapshot=self._snapshot,
                        checks=self.checks.state.model_copy(deep=True), pending=pending, running=self._running)

    def _restore(self, state: RunState) -> None:
        b = self.budget
        b.steps, b.tokens, b.cost, b.started = state.steps, state.tokens, state.cost, time.monotonic() - state.seconds
        self.plan, self._errors_in_a_row, self._auto_steps = list(state.plan), state.errors_in_a_row, state.auto_steps
        self._withdrawn, self._snapshot = set(state.withdrawn), dict(state.snapshot)
        self._restored, self._running = state.pending, state.running

    def _recover_interrupted(self) -> None:
        """A command that was running when the process died is not run again: the model is told instead."""
        if self._running is None:
            return
        running = self._running
        step = ActionStep(number=running.number, reply=running.reply, ok=False,
                          observation=t(self.lang, "interrupted"))
        self._emit(Notice, step=running.number, level="warning",
                   message=f"{running.reply.command.short()} was interrupted; it is not run again.")
        self._record(step, Usage(running.prompt_tokens, running.completion_tokens), running.cost)

    def _emit(self, kind: type[Event], /, **fields: object) -> None:
        self.emit(kind(run_id=self.run_id, **fields))  # type: ignore[arg-type]


class _OutOfTime(Exception):
    """The time budget ran out while the model was thinking."""
