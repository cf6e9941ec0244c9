"""The core loop: think → (approve) → act → record, until ``finish`` or a budget ends the run.

:meth:`Runner.run` is the whole algorithm on one screen; the helpers below it each do one thing.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from autogpt.agent import planning, prompts
from autogpt.agent.control import Budget, Decision, Human, parse_decision
from autogpt.agent.events import (
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
from autogpt.agent.prompts import Language, example_files, is_not_shown, t
from autogpt.agent.schema import PlanItem, Reply, narrow, reply_json_schema
from autogpt.agent.steps import ActionStep, ErrorStep, FeedbackStep, NoteStep, Step, StepBase
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
from autogpt.llm.base import REPEATING, Completion, Message, Model, ModelRequest, Usage
from autogpt.memory.short_term import ShortTermMemory, truncate_observation
from autogpt.tools.core import (
    COMPUTE_NEXT,
    FIX_NEXT,
    SAID_DONE,
    WRITE_NEXT,
    absent,
    asked_outputs,
    expected_outputs,
    missing_files,
    missing_results,
    protect_inputs,
    text_to_translate,
    web_addresses,
)
from autogpt.tools.grounding import shown_by
from autogpt.tools.registry import LINKS, SHOWN_IN_PART, Tool, ToolContext, ToolRegistry
from autogpt.tools.untested import untried
from autogpt.tools.workspace import Workspace

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
    recorded result: a resumed run does not run it again, it tells the model it was interrupted.
    """

    steps: int = 0
    tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    plan: list[PlanItem] = Field(default_factory=list)
    last_signature: str | None = None
    repeats: int = 0
    errors_in_a_row: int = 0
    auto_steps: int = 0
    withdrawn: list[str] = Field(default_factory=list)
    #: {command signature: (the step it failed at, the workspace's fingerprint then)}
    failed: dict[str, tuple[int, int]] = Field(default_factory=dict)
    rest_after: int = 0
    said_done: int = 0
    write_next: int = 0
    compute_next: int = 0
    fix_next: int = 0
    printed: tuple[str, str] | None = None
    snapshot: dict[str, tuple[int, int]] = Field(default_factory=dict)
    pending: Proposal | None = None
    running: Proposal | None = None


#: Saves the state (and the step just finished, if any) durably; see :class:`autogpt.store.base.Store`.
Checkpoint = Callable[[RunState, StepBase | None], None]


@dataclass
class LoopOptions:
    continuous: bool = True
    temperature: float = 0.2
    max_reply_tokens: int = 1024
    history_verbatim_steps: int = 4
    max_observation_tokens: int = 1200
    reply_retries: int = 3
    max_consecutive_errors: int = 3
    params: dict[str, object] = field(default_factory=dict)


class Runner:
    """Runs one task to its end. Create one per run."""

    def __init__(
        self, task: Task, model: Model, tools: ToolRegistry, workspace: Workspace, budget: Budget,
        options: LoopOptions, *, run_id: str, lang: Language, human: Human | None = None,
        emit: Callable[[Event], None] = lambda event: None, context: ToolContext | None = None,
        state: RunState | None = None, history: Sequence[StepBase] = (), checkpoint: Checkpoint | None = None,
        lessons: str = "", known: str = "", recall: Callable[[str], str] | None = None,
    ) -> None:
        self.task, self.model, self.tools, self.workspace = task, model, tools, workspace
        self.budget, self.options, self.run_id, self.lang = budget, options, run_id, lang
        self.human, self.emit = human, emit
        self.memory = ShortTermMemory(options.history_verbatim_steps, model.count_tokens)
        self.plan: list[PlanItem] = []
        self.result: RunResult | None = None
        self._auto_steps = 0
        self._last_signature: str | None = None
        self._repeats = 0
        self._errors_in_a_row = 0
        self._pause_requested = False
        self._snapshot = workspace.snapshot()
        self._checkpoint = checkpoint or (lambda state, step: None)
        self._restored: Proposal | None = None
        self._running: Proposal | None = None
        self._context = context or ToolContext(workspace=workspace, model=model)
        self._context.ask_human = human.ask if human else None
        self._context.goals = list(task.goals)
        self._tool_specs = [tool.spec() for tool in self._tools()]
        self._reply_schema = reply_json_schema(self._tool_specs)
        self._withdrawn: set[str] = set()  # tools that said they cannot work in this run (ToolUnavailableError)
        self._schemas: dict[frozenset[str], tuple[list[dict[str, Any]], dict[str, Any]]] = {}
        self._just_read: tuple[int, str, str] | None = None  # (step, tool, what it showed whole)
        self._shown: dict[str, tuple[int, tuple[int, int] | None]] = {}  # file read whole: (step, its size and time)
        # Commands that failed: {signature: (step, the workspace then)}. Run again unchanged on unchanged files, a
        # program fails the same way (WebFollowLink's model ran the same `import requests` program five times).
        self._failed: dict[str, tuple[int, int]] = {}
        self._rest_after = 0  # the step whose tool said it cannot work that way: left out for the next step
        self._said_done = 0  # the step whose result said every asked file exists: the next may finish or check
        self._compute_next = 0  # the step that wrote numbers nothing showed: the next computes (no writing tools)
        self._fix_next = 0  # the step whose program failed in the module it tests: the next rewrites the module
        self._write_next = 0  # the step whose program printed a computed answer for a missing file: the next writes
        self._printed: tuple[str, str] | None = None  # and what it printed, for which file
        self._system: tuple[Message, int] | None = None
        self._lessons = lessons  # from earlier runs of similar tasks: part of the system prompt
        self._known = known  # what long-term memory holds about the goals: part of the system prompt
        self._recall = recall  # long-term memory relevant to a query, rendered (or "")
        if known:
            self._context.observations.append(known)
        for step in history:
            self.memory.add(step)
            if isinstance(step, ActionStep) and (seen := shown_by(step.ok, step.observation)):
                self._context.observations.append(seen)
        if state is not None:
            self._restore(state)
        # The files the goals give to read, as they were when the run began, are not to be overwritten (the
        # embedded model "fixed" a broken input.json in place), nor the lines of a file they say to add to.
        protect_inputs(self._context, self._snapshot)

    def request_pause(self) -> None:
        """Pause at the next safe point (between steps): Ctrl-C once."""
        self._pause_requested = True

    async def run(self) -> RunResult:
        self._emit(RunStarted, name=self.task.name, role=self.task.role, goals=self.task.goals,
                   workspace=str(self.workspace.root), model=self.model.id, language=self.lang,
                   continuous=self.options.continuous)
        try:
            await self.model.prepare(lambda message, progress: self._emit(Status, message=message, progress=progress))
            self._recover_interrupted()
            while True:
                if limit := self.budget.exhausted():
                    return self._end(limit)
                if self._pause_requested and await self._pause() == "stop":
                    return self._end("stopped")
                number = self.budget.steps + 1
                reply, usage, cost = await self._think(number)
                if reply is None:
                    if self._errors_in_a_row >= self.options.max_consecutive_errors:
                        return self._end("error", error="The model gave no usable reply several times in a row.")
                    continue
                self._errors_in_a_row = 0
                problem = self._check_command(reply)
                decision = Decision("run") if problem else await self._approve(number, reply)
                if decision.action == "stop":
                    return self._end("stopped")
                if decision.action == "feedback":
                    self._record(FeedbackStep(number=number, reply=reply, feedback=decision.feedback), usage, cost)
                    continue
                if problem == "repeat" and self._repeats >= 2:
                    return self._end("stuck")
                step = await self._act(number, reply, problem, usage, cost)
                if step.ok and step.executed and self.tools.get(reply.command.name).ends_run:
                    return self._end("finished", summary=step.observation)
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
        messages = self._prompt(number)
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
            if reply.thoughts.plan:
                self.plan = planning.keep_done(self.plan, reply.thoughts.plan)
            self._checkpoint(self._state(pending=Proposal(number=number, reply=reply, prompt_tokens=usage.prompt_tokens,
                                                          completion_tokens=usage.completion_tokens, cost=cost)), None)
            self._emit(Proposed, step=number, thoughts=reply.thoughts.model_dump(), command=reply.command.model_dump())
            return reply, usage, cost
        self._errors_in_a_row += 1
        self._record(ErrorStep(number=number, error=error, raw=raw[:2000]), usage, cost)
        return None, usage, cost

    def _choices(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The commands the model may choose from now, and the reply schema that allows exactly those.

        Withdrawn tools are left out, and those whose ``available_if`` says no. Goals that give web addresses
        start by reading one (:meth:`_page_first`); goals that give a text to translate may only write until
        its file exists (:meth:`_writing_only`). For one step, so is the tool of a command that was just
        repeated instead of run, or that failed in a way that cannot work here (:class:`ToolError` ``rest``: code
        that needs the network), and ``finish`` right after a refused finish: small models otherwise repeat the
        same reply until the run is stuck (after repeats in a row, the tools of all of them). After two writes in a
        row of the same untested ``.py`` file, the writing tools rest a step (:meth:`_rewriting_untested`). After a
        step whose result said every file the task asks for exists, the next step may only finish or read. They
        also read the same file or page again right after it was shown whole: for the next step a tool that just read a page may name only the page's links not read yet (it is
        left out if there are none), and the tools that run code are left out (they cannot fetch it); while a file
        the task asks for is missing, only the writing tools stay beside it (WebFact's model searched the web for
        what the page had just said); right after a file, the web tools are left out. Once a write to a file of the
        system prompt's worked example was refused, the writing tools may name only the files the task asks for.
        After a write of numbers nothing showed (for a computing goal), the writing tools rest a step; after a
        program failed in the written module it tests, only the writing tools are left (the module must change). ``read_file`` may name only the files there are (without the ones
        a step still shown in full read whole, unchanged since), and is left out when there are none: small models
        read made-up names.
        """
        left_out = set(self._withdrawn)
        left_out |= {tool.name for tool in self._tools() if tool.available_if and not tool.available_if(self._context)}
        if not any(isinstance(step, ActionStep) for step in self.memory.steps) and (
                first := self._page_first(left_out)):
            return first
        if writing := self._writing_only(left_out):
            return writing
        last = self.memory.steps[-1] if self.memory.steps else None
        if isinstance(last, ActionStep) and last.reply.command.name in self.tools:
            repeated = not last.executed
            refused_finish = last.executed and not last.ok and self.tools.get(last.reply.command.name).ends_run
            if repeated or refused_finish or last.number == self._rest_after:
                left_out.add(last.reply.command.name)
            if repeated:  # and the tools of the repeats just before it: Slugify's model went back and forth
                for step in reversed(self.memory.steps[-4:-1]):  # between two blocked commands for six steps
                    if not isinstance(step, ActionStep) or step.executed or step.reply.command.name not in self.tools:
                        break
                    left_out.add(step.reply.command.name)
        if self._rewriting_untested():  # ParseDuration's model wrote duration.py four times, never running it
            left_out |= {tool.name for tool in self._tools() if tool.writes}
        if isinstance(last, ActionStep) and last.number == self._said_done:
            # told every asked file exists, JoinCsv's model ran three more programs over its right table and broke
            # it; WordCount's overwrote its answer: the next step finishes, or reads to check first
            left_out |= {tool.name for tool in self._tools() if tool.writes or tool.runs_code or tool.untrusted}
        if isinstance(last, ActionStep) and last.number == self._compute_next:
            # WordCount, run 22: told the 1024 it wrote was typed, the model wrote 1024 four more times
            left_out |= {tool.name for tool in self._tools() if tool.writes}
        if isinstance(last, ActionStep) and last.number == self._fix_next:
            # Slugify, run 23: its test failed on what slugify.py gave; it ran the same test again, then the module
            # alone twice (nothing changes until the module does)
            left_out |= {tool.name for tool in self._tools() if not tool.writes}
        if isinstance(last, ActionStep) and last.number == self._write_next:
            # ZhAverageScore (runs 12 and 18): its program printed the average and was told to write it to
            # average.txt; it ran seven more programs instead, then typed a wrong one
            left_out |= {tool.name for tool in self._tools() if not tool.writes and not tool.ends_run}
        just_read = None
        narrowed: dict[str, tuple[str, list[str]]] = {}
        if self._just_read and isinstance(last, ActionStep) and last.number == self._just_read[0]:
            _, name, target = self._just_read
            just_read = self._workspace_file(target)
            if just_read is None:  # a page: code cannot fetch it (the model wrote requests programs for it)
                left_out |= {tool.name for tool in self._tools() if tool.runs_code}
                links = [address for address in self._context.extras.get(LINKS, {}).get(target, [])
                         if not self._read_before(name, address)]
                if links:  # the next step may follow one of them
                    narrowed[name] = (self.tools.get(name).reads or "", links)
                else:
                    left_out.add(name)
                writers = {tool.name for tool in self._tools() if tool.writes and tool.name not in left_out}
                if writers and missing_results(self._context):  # write what it shows (or follow a link)
                    left_out |= {tool.name for tool in self._tools() if tool.name not in writers and tool.name != name}
            else:  # a file: the next step works with it. Offered the web, the model read made-up addresses.
                left_out |= {tool.name for tool in self._tools() if tool.untrusted}
        if asked := self._after_example_write():
            for tool in self._tools():
                if tool.writes and tool.name not in left_out and "path" in tool.args_model.model_fields:
                    narrowed[tool.name] = ("path", asked)
        # A file can be read only if it is there (and not just read): small models read made-up names.
        files = self.workspace.files(limit=100)
        shown = self._recently_shown() if files else set()
        for tool in self._tools():
            if tool.reads == "path" and tool.name not in left_out:
                readable = [f for f in files if f != just_read and f not in shown]
                if not readable:
                    left_out.add(tool.name)
                elif len(files) < 100:  # else too many to list: the tool stays as it is
                    narrowed[tool.name] = (tool.reads, readable)
        if narrowed:
            specs = [narrow(spec, *narrowed[spec["name"]]) if spec["name"] in narrowed else spec
                     for spec in self._tool_specs if spec["name"] not in left_out]
            return specs, reply_json_schema(specs)
        if not left_out:
            return self._tool_specs, self._reply_schema
        key = frozenset(left_out)
        if key not in self._schemas:
            specs = [spec for spec in self._tool_specs if spec["name"] not in left_out] or self._tool_specs
            self._schemas[key] = (specs, reply_json_schema(specs))
        return self._schemas[key]

    def _page_first(self, left_out: set[str]) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        """For the first step of goals that give web addresses: only the tool that reads addresses, on those.
        Code cannot reach the web from the sandbox, yet both web challenges' model began with a requests program,
        and one never came back to read_webpage."""
        addresses = web_addresses("\n".join(self.task.goals))
        reader = next((tool for tool in self._tools() if tool.reads == "url" and tool.name not in left_out), None)
        if not addresses or reader is None:
            return None
        specs = [narrow(spec, "url", addresses) for spec in self._tool_specs if spec["name"] == reader.name]
        return specs, reply_json_schema(specs)

    def _writing_only(self, left_out: set[str]) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        """For goals that give a text to translate, while the file to write is missing: only the writing tools
        and ``translate``. Nothing here can translate but the model, yet TranslateChinese's model began with
        googletrans programs, then searched the web for the error, until its time ran out; in another run, it went
        back to googletrans right after its untranslated text was refused."""
        if not text_to_translate(self.task.goals) or not missing_results(self._context):
            return None
        specs = [spec for spec in self._tool_specs if spec["name"] not in left_out
                 and (self.tools.get(spec["name"]).writes or spec["name"] == "translate")]
        return (specs, reply_json_schema(specs)) if specs else None

    def _rewriting_untested(self) -> bool:
        """Whether the last step wrote a ``.py`` file that no program has run since, and either the step before
        wrote it too or every file the goals name is there: the writing tools then rest a step, so the next one runs
        it. ParseDuration's model wrote duration.py four times in a row, never running it; Slugify's (run 27) wrote
        a right slugify.py, then rewrote it wrong at once, four times in nine steps, and never ran the test the note
        gave."""
        paths = [str(step.reply.command.args.get("path", "")) if isinstance(step, ActionStep) and step.executed
                 and step.ok and step.reply.command.name in self.tools and self.tools.get(step.reply.command.name).writes
                 else "" for step in self.memory.steps[-2:]]
        if not paths or not (path := paths[-1]).endswith(".py"):
            return False
        relative = self._workspace_file(path)
        if relative is None or relative not in untried(self._context):
            return False
        return (len(paths) == 2 and paths[0] == path) or not missing_files(self._context)

    def _after_example_write(self) -> list[str]:
        """After a write to a file of the system prompt's worked example was refused (the task asks for other
        files), the files the writing tools may name from then on: the ones the task asks for. InventoryReport's
        model, run 21, lost after a refused copy, wrote 2023 to the example's year.txt six times in seven steps."""
        examples, writers = example_files(), {tool.name for tool in self._tools() if tool.writes}
        refused = any(isinstance(step, ActionStep) and not step.ok and step.reply.command.name in writers
                      and step.reply.command.args.get("path") in examples for step in self.memory.steps)
        return asked_outputs(self._context) if refused else []

    def _recently_shown(self) -> set[str]:
        """The files a step still in the history's full part showed whole, unchanged since. ZhAverageScore's model
        read scores.csv again after each failed program, four times in ten steps, until the cutoff."""
        if not self._shown:
            return set()
        oldest = self.memory.steps[-1].number - self.options.history_verbatim_steps if self.memory.steps else 0
        return {path for path, (step, seen) in self._shown.items() if step > oldest and self._stamp(path) == seen}

    def _stamp(self, relative: str) -> tuple[int, int] | None:
        """The workspace file's size and modification time, or None when it is gone."""
        try:
            found = self.workspace.resolve(relative).stat()
        except (AutoGPTError, OSError):
            return None
        return found.st_size, found.st_mtime_ns

    def _read_before(self, tool: str, target: str) -> bool:
        """Whether an earlier step of this run read ``target`` whole with ``tool``."""
        reader = self.tools.get(tool)
        return any(isinstance(step, ActionStep) and step.ok and step.reply.command.name == tool
                   and reader.read_target(step.reply.command.args) == target for step in self.memory.steps)

    def _fingerprint(self) -> int:
        """The workspace's files, their sizes and times, as one number, the same in every process (it is
        checkpointed with the failed commands)."""
        return zlib.crc32(json.dumps(sorted(self.workspace.snapshot().items())).encode("utf-8"))

    def _workspace_file(self, target: str) -> str | None:
        """``target`` as a workspace file's relative path, or None when it is not one (an address)."""
        try:
            path = self.workspace.resolve(target)
        except AutoGPTError:
            return None
        return self.workspace.relative(path) if path.is_file() else None

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
                                         online=online, lessons=self._lessons, known=self._known)
            self._system = (Message("system", text), self.model.count_tokens(text))
        system, system_tokens = self._system
        last = self.memory.steps[-1] if self.memory.steps else None
        failed = isinstance(last, ActionStep) and last.executed and not last.ok
        self.plan, unmade = planning.reopen_missing(
            self.plan, lambda task: absent(self._context, expected_outputs(task)))
        printed = self._printed if isinstance(last, ActionStep) and last.number == self._write_next else None
        state = prompts.state_message(number, self.budget.max_steps, self.plan, self.workspace.files(), self.lang,
                                      last_failed=failed, missing=missing_files(self._context), unmade=unmade,
                                      printed=printed)
        if self._recall is not None:  # what long-term memory knows about the goals and the current sub-task
            doing = next((item.task for item in self.plan if item.status == "doing"), "")
            recalled = self._recall(" ".join([*self.task.goals, doing]))
            if recalled:
                self._context.observations.append(recalled)
                state = f"{t(self.lang, 'recalled')}\n{recalled}\n\n{state}"
        room = self.model.context_size - system_tokens - self.model.count_tokens(state) - self.options.max_reply_tokens
        history = self.memory.render(max(room - 64, 256), self.lang)
        return [system, Message("user", f"{history}\n\n{state}" if history else state)]

    async def _call_model(self, messages: list[Message], number: int) -> Completion:
        specs, schema = self._choices()
        request = ModelRequest(
            messages=messages,
            response_schema=schema,
            tools=specs,
            params={"temperature": self.options.temperature, "max_tokens": self.options.max_reply_tokens,
                    **self.options.params},
            on_token=self._token_sink(number),
        )
        left = self.budget.seconds_left()
        try:
            completion = await asyncio.wait_for(self.model.complete(request), timeout=left)
        except TimeoutError:
            raise _OutOfTime() from None
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

    # --- decide and act --------------------------------------------------------------------------------

    def _check_command(self, reply: Reply) -> str | None:
        """Why the command must not go to the human: ``"repeat"`` (same as the previous step), ``"failed_before"``
        (failed earlier, and no file has changed since), ``"placeholder"`` (an argument is the mark a failed step's
        long text is shown as) or ``"invalid"`` (unknown command, bad arguments: the tool call will tell the model).
        ``None`` if fine."""
        signature = reply.command.signature()
        self._repeats = self._repeats + 1 if signature == self._last_signature else 0
        self._last_signature = signature
        ends_run = reply.command.name in self.tools and self.tools.get(reply.command.name).ends_run
        # finish's refusals each ask once and say "call finish again": the same finish sent again is meant
        if self._repeats and not ends_run:
            return "repeat"
        failed = self._failed.get(signature)
        if failed and failed[1] == self._fingerprint() and not ends_run:
            return "failed_before"
        if any(is_not_shown(value) for value in reply.command.args.values()):
            return "placeholder"
        try:
            self._tool(reply.command.name).validate(reply.command.args)
        except ToolError:
            return "invalid"
        return None

    async def _approve(self, number: int, reply: Reply) -> Decision:
        if self.options.continuous or self.human is None:
            return Decision("run")
        if self._auto_steps > 0:
            self._auto_steps -= 1
            return Decision("run")
        decision = parse_decision(await self.human.approve(number, reply))
        self._auto_steps = decision.auto_steps
        return decision

    async def _act(self, number: int, reply: Reply, problem: str | None, usage: Usage, cost: float) -> ActionStep:
        """Run the command (unless it repeats the previous one) and record the step."""
        command = reply.command
        if problem in ("repeat", "failed_before", "placeholder"):
            if problem != "placeholder":
                self._emit(Notice, step=number, message=f"Not running {command.short()} again.", level="warning")
            text = (t(self.lang, problem) if problem != "failed_before"
                    else t(self.lang, problem, step=self._failed[command.signature()][0]))
            step = ActionStep(number=number, reply=reply, executed=False, ok=False, observation=text)
            self._record(step, usage, cost)
            return step
        self._running = Proposal(number=number, reply=reply, prompt_tokens=usage.prompt_tokens,
                                 completion_tokens=usage.completion_tokens, cost=cost)
        self._checkpoint(self._state(), None)
        self._emit(ToolStarted, step=number, name=command.name, args=command.args)
        started = time.perf_counter()
        crash: ToolCrashedError | None = None
        untrusted = retry = False
        try:
            tool = self._tool(command.name)
            untrusted = tool.untrusted
            output, ok = await tool.call(command.args, self._context), True
        except ToolUnavailableError as exc:
            output, ok = str(exc), False
            self._withdrawn |= {command.name, *exc.also}
        except ToolError as exc:
            output, ok = str(exc), False
            if exc.rest:
                self._rest_after = number
            if exc.retry:  # a one-time refusal: the same command, sent again, is carried out
                retry, self._last_signature = True, None
        except ToolCrashedError as exc:
            output, ok, crash = str(exc), False, exc
        self._said_done = number if self._context.extras.pop(SAID_DONE, False) and ok else 0
        self._compute_next = number if self._context.extras.pop(COMPUTE_NEXT, False) and ok else 0
        self._fix_next = number if self._context.extras.pop(FIX_NEXT, False) and not ok else 0
        printed = self._context.extras.pop(WRITE_NEXT, None)
        self._write_next, self._printed = (number, tuple(printed)) if printed and ok else (0, None)
        shown = truncate_observation(output, self.options.max_observation_tokens, self.lang)
        in_part = self._context.extras.pop(SHOWN_IN_PART, False) or shown != output
        target = tool.read_target(command.args) if ok and not in_part else None
        self._just_read = (number, command.name, target) if target else None
        if target and (relative := self._workspace_file(target)) is not None:
            self._shown[relative] = (number, self._stamp(relative))
        output, seconds = shown, time.perf_counter() - started
        self._emit(ToolFinished, step=number, name=command.name, ok=ok, output=output, seconds=seconds)
        step = ActionStep(number=number, reply=reply, ok=ok, observation=output, seconds=seconds, untrusted=untrusted)
        if (not ok and not untrusted and not retry and command.name in self.tools
                and not self.tools.get(command.name).ends_run):
            # not the web (a page may answer later), nor a refused finish (it counts its own refusals)
            self._failed[command.signature()] = (number, self._fingerprint())
        if seen := shown_by(ok, output):
            self._context.observations.append(seen)
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
        answer = (await self.human.paused()).strip()
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

    def _record(self, step: StepBase, usage: Usage, cost: float) -> None:
        step.prompt_tokens, step.completion_tokens, step.cost = usage.prompt_tokens, usage.completion_tokens, cost
        self.memory.add(step)
        self.budget.steps += 1
        self._running = None
        self._checkpoint(self._state(), step)
        self._emit(StepFinished, step=step.number, kind=step.kind, prompt_tokens=step.prompt_tokens,  # type: ignore[attr-defined]
                   completion_tokens=step.completion_tokens, cost=step.cost, seconds=step.seconds,
                   total_tokens=self.budget.tokens, total_cost=self.budget.cost)

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
        parts = [t(self.lang, f"end_{status}", limit=limit, error=error)]
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
                        last_signature=self._last_signature, repeats=self._repeats,
                        errors_in_a_row=self._errors_in_a_row, auto_steps=self._auto_steps,
                        withdrawn=sorted(self._withdrawn), failed=self._failed, rest_after=self._rest_after,
                        said_done=self._said_done, write_next=self._write_next, compute_next=self._compute_next,
                        fix_next=self._fix_next, printed=self._printed, snapshot=self._snapshot, pending=pending, running=self._running)

    def _restore(self, state: RunState) -> None:
        b = self.budget
        b.steps, b.tokens, b.cost, b.started = state.steps, state.tokens, state.cost, time.monotonic() - state.seconds
        self.plan, self._last_signature, self._repeats = list(state.plan), state.last_signature, state.repeats
        self._errors_in_a_row, self._auto_steps = state.errors_in_a_row, state.auto_steps
        self._withdrawn, self._snapshot = set(state.withdrawn), dict(state.snapshot)
        self._failed, self._rest_after, self._said_done = dict(state.failed), state.rest_after, state.said_done
        self._write_next, self._printed = state.write_next, state.printed
        self._compute_next, self._fix_next = state.compute_next, state.fix_next
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
