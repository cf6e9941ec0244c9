"""How a run looks in a terminal: rich styled output on a TTY, plain lines without one, JSON lines on request.

:class:`RunView` turns the event stream into output; :class:`ConsoleHuman` asks the person at the
terminal for approvals and answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import sys
import threading
import time
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.status import Status as Spinner
from rich.text import Text

from autogpt.agent import events as ev
from autogpt.agent.schema import Reply

LABELS = {
    "en": {
        "thoughts": "THOUGHTS", "reasoning": "REASONING", "plan": "PLAN", "criticism": "CRITICISM",
        "speak": "SPEAK", "command": "COMMAND", "result": "RESULT", "failed": "FAILED", "thinking": "Thinking",
        "running": "Running", "goals": "Goals", "workspace": "Workspace", "model": "Model", "files": "Files produced",
        "status": "Status", "steps": "steps", "tokens": "tokens", "approve": (
            "Enter 'y' to run this command, 'y -N' to run N steps without asking, 'n' to stop, "
            "or type feedback for the agent"
        ),
        "paused": "Paused. Press Enter to continue, 'n' to stop, or type a note for the agent",
        "question": "The agent asks", "no_input": "No input (stdin is closed): stopping. Use --continuous to run unattended.",
        "mode_continuous": "continuous mode: commands run without approval",
        "mode_manual": "each command waits for your approval",
        "helper": "helper", "helper_started": "started", "helper_ended": "ended",
    },
    "zh": {
        "thoughts": "思考", "reasoning": "推理", "plan": "计划", "criticism": "自我批评", "speak": "说明",
        "command": "命令", "result": "结果", "failed": "失败", "thinking": "思考中", "running": "执行",
        "goals": "目标", "workspace": "工作区", "model": "模型", "files": "生成的文件", "status": "状态",
        "steps": "步", "tokens": "tokens", "approve": "输入 y 执行该命令，y -N 连续执行 N 步，n 停止，或输入给智能体的反馈",
        "paused": "已暂停。按回车继续，输入 n 停止，或输入给智能体的说明",
        "question": "智能体提问", "no_input": "没有输入（标准输入已关闭）：停止。无人值守请使用 --continuous。",
        "mode_continuous": "连续模式：命令无需批准直接执行", "mode_manual": "每条命令都等待你的批准",
        "helper": "助手", "helper_started": "开始", "helper_ended": "结束",
    },
}
STATUS_STYLE = {"finished": "bold green", "interrupted": "yellow", "stopped": "yellow"}
PLAN_MARK = {"done": "[green]☑[/]", "doing": "[yellow]▶[/]", "todo": "☐"}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader went away (e.g. `autogpt run ... | head`): stop printing; the run goes on, logged.
        _silence(self.file)
        self.quiet = True


def _silence(stream: IO[str]) -> None:
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


class RunView:
    """Renders run events. ``mode`` is ``rich`` (colours, spinner; needs a TTY), ``plain`` or ``json``."""

    def __init__(self, mode: str = "auto", out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.console = _Console(file=self.out, highlight=False, soft_wrap=False)
        self.mode = ("rich" if self.console.is_terminal else "plain") if mode == "auto" else mode
        if self.mode == "plain":
            self.console = _Console(file=self.out, highlight=False, no_color=True, width=10_000, soft_wrap=True)
        self.lang = "en"
        self._spinner: Spinner | None = None
        self._thinking_since = self._step_started = 0.0
        self._tokens = 0
        self._last_progress = -1.0

    def label(self, key: str) -> str:
        return LABELS[self.lang][key]

    # --- dispatch ------------------------------------------------------------------------------------------

    def handle(self, event: ev.Event) -> None:
        if not isinstance(event, ev.Token):
            event = printable_event(event)
        if self.mode == "json":
            if not isinstance(event, ev.Token) and not self.console.quiet:
                try:
                    print(json.dumps(event.to_dict(), ensure_ascii=False, default=str), file=self.out, flush=True)
                except BrokenPipeError:
                    self.console.on_broken_pipe()
            return
        if event.depth > 0:  # a helper the run delegated to: one indented line for what matters
            self._helper(event)
            return
        handler = getattr(self, f"_on_{event.type}", None)
        if handler:
            handler(event)

    def _helper(self, e: ev.Event) -> None:
        lead = f"{'  ' * e.depth}↳ {self.label('helper')} {e.run_id[-6:]}"  # a run id's random end
        if isinstance(e, ev.RunStarted):
            line = f"{self.label('helper_started')}: {'; '.join(e.goals)} ({e.workspace})"
        elif isinstance(e, ev.Proposed):
            args = ", ".join(f"{k}={_clip(v, 80)}" for k, v in (e.command.get("args") or {}).items())
            line = f"{e.step}. {e.command.get('name', '')}({args})"
        elif isinstance(e, ev.ToolFinished):
            first = (e.output.strip().splitlines() or [""])[0][:160]
            line = f"{self.label('result') if e.ok else self.label('failed')} {'✓' if e.ok else '✗'} {first}"
        elif isinstance(e, ev.RunFinished):
            line = f"{self.label('helper_ended')}: {e.status} · {e.steps} {self.label('steps')} · {e.summary[:200]}"
        elif isinstance(e, ev.Notice):
            line = e.message[:200]
        else:
            return
        self.stop_spinner()
        self.console.print(f"[dim]{escape(lead)}[/] {escape(line)}")

    def stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def notice(self, message: str, style: str = "yellow") -> None:
        message = printable(message)
        if self.mode == "json":
            print(json.dumps({"type": "notice", "message": message}), file=self.out, flush=True)
            return
        self.stop_spinner()
        self.console.print(f"[{style}]{escape(message)}[/]")

    # --- events --------------------------------------------------------------------------------------------

    def _on_run_started(self, e: ev.RunStarted) -> None:
        self.lang = e.language if e.language in LABELS else "en"
        goals = "\n".join(f"  {i}. {escape(goal)}" for i, goal in enumerate(e.goals, 1))
        mode = self.label("mode_continuous" if e.continuous else "mode_manual")
        body = (f"[bold]{escape(e.name)}[/] — {escape(e.role)}\n{self.label('goals')}:\n{goals}\n"
                f"{self.label('workspace')}: {escape(e.workspace)}\n{self.label('model')}: {escape(e.model)} ({mode})")
        self._block(body, "blue")

    def _on_status(self, e: ev.Status) -> None:
        if e.progress is not None and e.progress < 1.0 and e.progress - self._last_progress < 0.1:
            return  # throttle progress lines
        self._last_progress = e.progress if e.progress is not None else -1.0
        pct = f" {e.progress:.0%}" if e.progress is not None else ""
        self.stop_spinner()
        self.console.print(f"[dim]… {escape(e.message)}{pct}[/]")

    def _on_thinking(self, e: ev.Thinking) -> None:
        self._thinking_since, self._tokens = time.monotonic(), 0
        if e.attempt == 1:
            self._step_started = self._thinking_since
        if self.mode == "rich":
            self.stop_spinner()
            self._spinner = self.console.status(self._spinner_text(e.step))
            self._spinner.start()
            threading.Thread(target=self._tick, args=(self._spinner, e.step), daemon=True).start()
        else:
            self.console.print(f"\\[step {e.step}] {self.label('thinking')}…")

    def _spinner_text(self, step: int) -> str:
        elapsed = time.monotonic() - self._thinking_since
        return f"[cyan]{self.label('thinking')}… step {step} · {elapsed:4.1f}s · {self._tokens} {self.label('tokens')}[/]"

    def _tick(self, spinner: Spinner, step: int) -> None:
        while self._spinner is spinner:
            spinner.update(self._spinner_text(step))
            time.sleep(0.1)

    def _on_token(self, e: ev.Token) -> None:
        self._tokens += 1

    def _on_proposed(self, e: ev.Proposed) -> None:
        self.stop_spinner()
        thoughts, command = e.thoughts, e.command
        p = self.console.print
        if thoughts.get("observations"):
            p(f"[bold yellow]{self.label('thoughts')}:[/] {escape(thoughts['observations'])}")
        if thoughts.get("reasoning"):
            p(f"[bold yellow]{self.label('reasoning')}:[/] {escape(thoughts['reasoning'])}")
        if thoughts.get("plan"):
            p(f"[bold yellow]{self.label('plan')}:[/]")
            for item in thoughts["plan"]:
                p(f"  {PLAN_MARK.get(item.get('status', 'todo'), '☐')} {escape(str(item.get('task', '')))}")
        if thoughts.get("criticism"):
            p(f"[bold red]{self.label('criticism')}:[/] [dim]{escape(thoughts['criticism'])}[/]")
        if thoughts.get("speak"):
            p(f"[bold green]{self.label('speak')}:[/] {escape(thoughts['speak'])}")
        args = ", ".join(f"{k}={_clip(v)}" for k, v in (command.get("args") or {}).items())
        p(f"[bold cyan]{self.label('command')}:[/] [cyan]{escape(command.get('name', ''))}({escape(args)})[/]")

    def _on_notice(self, e: ev.Notice) -> None:
        self.notice(e.message, "red" if e.level == "error" else "yellow")

    def _on_tool_finished(self, e: ev.ToolFinished) -> None:
        lines = e.output.splitlines() or [""]
        shown = "\n".join(lines[:12]) + (f"\n… ({len(lines) - 12} more lines)" if len(lines) > 12 else "")
        if e.ok:
            self.console.print(f"[bold green]{self.label('result')} ✓[/] {escape(shown)}")
        else:
            self.console.print(f"[bold red]{self.label('failed')} ✗[/] {escape(shown)}")

    def _on_step_finished(self, e: ev.StepFinished) -> None:
        cost = f" · ${e.total_cost:.4f}" if e.total_cost else ""
        self.console.print(
            f"[dim]step {e.step} · {e.prompt_tokens}+{e.completion_tokens} {self.label('tokens')} · "
            f"{time.monotonic() - self._step_started:.1f}s · total {e.total_tokens} {self.label('tokens')}{cost}[/]"
        )

    def _on_run_finished(self, e: ev.RunFinished) -> None:
        self.stop_spinner()
        style = STATUS_STYLE.get(e.status, "bold red")
        files = "\n".join(f"  {escape(e.workspace)}/{escape(a)}" for a in e.artifacts) or "  -"
        body = (f"{self.label('status')}: [{style}]{e.status}[/]\n{escape(e.summary)}\n"
                f"{e.steps} {self.label('steps')} · {e.tokens} {self.label('tokens')} · ${e.cost:.4f} · {e.seconds:.1f}s\n"
                f"{self.label('files')}:\n{files}")
        self._block(body, style.split()[-1])

    def _block(self, body: str, colour: str) -> None:
        if self.mode == "rich":
            self.console.print(Panel(body, border_style=colour, expand=False))
        else:
            self.console.print(Text.from_markup(body).plain, markup=False)


def printable(value: Any) -> Any:
    """``value`` with every lone surrogate in its text written out (``\\udcff``): a model's reply may hold one
    (a JSON ``"\\udcff"``), and so may a file name that is not UTF-8. Neither can be printed or sent as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, list | tuple):
        items = [printable(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(printable(k), printable(v)) for k, v in value.items()]
        return value if all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items(), strict=True)) \
            else dict(pairs)
    return value


def printable_event(event: ev.Event) -> ev.Event:
    """The event with its text made :func:`printable` (the same event when nothing needed it)."""
    changes = {f.name: printable(getattr(event, f.name)) for f in dataclasses.fields(event) if f.init}
    if all(changes[name] is getattr(event, name) for name in changes):
        return event
    return dataclasses.replace(event, **changes)


def _clip(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


async def read_line(prompt: str, out: IO[str]) -> str | None:
    """Read one line from stdin without blocking the event loop; ``None`` at end of input.

    A daemon thread does the blocking read, so an exit (Ctrl-C twice) never waits for a keypress.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def worker() -> None:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            line = ""
        result = line.rstrip("\r\n") if line else None
        loop.call_soon_threadsafe(lambda: future.done() or future.set_result(result))

    print(prompt, end="", file=out, flush=True)
    threading.Thread(target=worker, daemon=True).start()
    return await future


class ConsoleHuman:
    """The person at the terminal: approves commands, answers questions, resumes after a pause."""

    def __init__(self, view: RunView, prompt_out: IO[str] | None = None) -> None:
        self.view = view
        self.out = prompt_out or (sys.stderr if view.mode == "json" else view.out)
        self.on_pause_answered: Any = None

    async def _ask(self, prompt: str) -> str:
        self.view.stop_spinner()
        answer = await read_line(f"{prompt}: ", self.out)
        if answer is None:
            self.view.notice(self.view.label("no_input"), "red")
            return "n"
        return answer

    async def approve(self, step: int, reply: Reply) -> str:
        return await self._ask(self.view.label("approve"))

    async def ask(self, question: str) -> str:
        self.view.stop_spinner()
        answer = await read_line(f"{self.view.label('question')}: {printable(question)}\n> ", self.out)
        return answer or ""

    async def paused(self) -> str:
        answer = await self._ask(self.view.label("paused"))
        if self.on_pause_answered:
            self.on_pause_answered()
        return answer
