"""The ``autogpt`` command line: ``run``, ``chat``, ``train``, ``lessons``, ``memory``, ``serve``, ``bench``, ...

Exit codes: 0 the run finished its goals; 1 it ended otherwise (budget, stuck, stopped, error);
2 bad usage or configuration; 130 interrupted (Ctrl-C twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autogpt import __version__
from autogpt.agent import events as ev
from autogpt.agent.agent import AutoGPT
from autogpt.agent.loop import RunResult
from autogpt.agent.steps import StepTiming
from autogpt.config import Settings, read_yaml_mapping
from autogpt.console import ConsoleHuman, RunView, read_line
from autogpt.errors import AutoGPTError, ConfigError
from autogpt.llm.registry import describe_models
from autogpt.store import Store, create_store
from autogpt.store.base import unreachable

app = typer.Typer(
    name="autogpt",
    help="An autonomous LLM agent: give it a name, a role and goals, and it plans, acts and checks until done.\n\n"
    "Every setting also reads from AUTOGPT_* environment variables and a .env file "
    "(e.g. AUTOGPT_MODEL, AUTOGPT_MODEL_PATH, AUTOGPT_DATA_DIR, AUTOGPT_WORKSPACE).\n\n"
    "`autogpt COMMAND --help` explains every flag of a command.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
models_app = typer.Typer(help="List the models autogpt can use, or prepare the embedded one.", add_completion=False)
app.add_typer(models_app, name="models")
sandbox_app = typer.Typer(help="Check the code sandbox, or run a command in it exactly as the agent's tools do.",
                          add_completion=False, no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
lessons_app = typer.Typer(help="The lessons the agent learnt from past runs: list, show, delete.", add_completion=False)
app.add_typer(lessons_app, name="lessons")
memory_app = typer.Typer(help="Long-term memory: search it, list what was learnt, forget a document.",
                         add_completion=False, no_args_is_help=True)
app.add_typer(memory_app, name="memory")
mcp_app = typer.Typer(help="Model Context Protocol: serve autogpt to MCP clients, or list the servers whose tools it uses.",
                      add_completion=False, no_args_is_help=True)
app.add_typer(mcp_app, name="mcp")

EXIT_FINISHED, EXIT_NOT_FINISHED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
AI_SETTINGS_KEYS = {"ai_name", "ai_role", "ai_goals", "api_budget"}
CHAT_EXIT = {"exit", "quit", "退出"}

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML file of settings (same names as the AUTOGPT_* variables, lower case).")]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", metavar="ID", help="Model id (see `autogpt models`); default: the embedded model.")]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="Where autogpt stores runs and workspaces (AUTOGPT_DATA_DIR).")]
McpOpt = Annotated[list[str] | None, typer.Option("--mcp", metavar="CMD|URL", help="An MCP server whose tools the agent may use: a command to start (\"python server.py\") or a streamable-HTTP URL; repeat for several (also the mcp_servers setting).")]
ToolOpt = Annotated[list[str] | None, typer.Option("--tool", metavar="NAME|MODULE:FUNCTION", help="Another tool: an installed plugin (see `autogpt tools`) or a function by its import path; repeat for several (also the tools setting).")]
ChecksOpt = Annotated[str | None, typer.Option("--checks", metavar="PROFILE", help="Which checks judge the work: full, light, off or auto (full for local models, light for APIs; see docs/checks.md).")]


def _version(value: bool) -> None:
    if value:
        print(f"autogpt {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """autogpt command line."""
    from autogpt import tracing

    try:
        tracing.configure_from_env()  # OTEL_EXPORTER_OTLP_ENDPOINT and friends: traces of runs (autogpt.tracing)
    except AutoGPTError as exc:
        _fail(exc)


@app.command()
def run(
    name: Annotated[str | None, typer.Option("--name", "-n", metavar="TEXT", help="The agent's name (ai_name).")] = None,
    role: Annotated[str | None, typer.Option("--role", "-r", metavar="TEXT", help="The agent's role (ai_role).")] = None,
    goal: Annotated[list[str] | None, typer.Option("--goal", "-g", metavar="TEXT", help="A goal; repeat for several goals.")] = None,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="AutoGPT ai_settings.yaml: ai_name, ai_role, ai_goals, api_budget.")] = None,
    workspace: Annotated[Path | None, typer.Option("--workspace", "-w", help="Folder where files are read and written (default: a fresh folder per run, printed at the start).")] = None,
    continuous: Annotated[bool, typer.Option("--continuous", help="Run commands without asking for approval (use with --max-steps).")] = False,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1, help="Stop after this many steps (default 30).")] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", min=1, help="Stop after this many tokens (prompt + completion).")] = None,
    max_cost: Annotated[float | None, typer.Option("--max-cost", min=0, help="Stop when the run has cost this many USD (API models).")] = None,
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", min=1, help="Stop after this many seconds of wall time.")] = None,
    model: ModelOpt = None,
    language: Annotated[str | None, typer.Option("--language", help="auto (follow the goals), en or zh.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON event per line instead of styled text.")] = False,
    resume: Annotated[str | None, typer.Option("--resume", metavar="ID", help="Go on with a stored run from its last completed step (see `autogpt list`).")] = None,
    checks: ChecksOpt = None,
    mcp: McpOpt = None,
    tool: ToolOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Run the agent on goals until it finishes them or a budget ends the run.

    Every step is stored as it finishes: a run that was killed goes on with `autogpt run --resume ID`.

    Each command waits for your approval: 'y' runs it, 'y -N' runs N steps without asking, 'n' stops,
    anything else is feedback to the agent. Ctrl-C once pauses after the current step; twice exits.
    """
    try:
        settings = _with_extras(Settings.load(config, model=model, workspace=workspace, data_dir=data_dir,
                                           language=language, checks=checks), mcp, tool)
        view = RunView("json" if json_output else "auto")
        continuous = continuous or settings.continuous
        # A human is present when someone can answer: always when approving, else only at a terminal.
        human = ConsoleHuman(view) if (not continuous or sys.stdin.isatty()) else None
        if resume is not None:
            if goal or name or role or settings_file:
                raise ConfigError("--resume goes on with the stored goals; do not give --goal, --name, --role or --settings.")
            budgets = {k: v for k, v in {"max_steps": max_steps, "max_tokens": max_tokens, "max_cost": max_cost,
                                          "max_seconds": max_seconds, "model": model}.items() if v is not None}
            agent = AutoGPT.resume(resume, settings=settings, continuous=continuous, human=human, **budgets)
            result = asyncio.run(_drive(agent, view, human))
            raise typer.Exit(_exit_code(result))
        ai = _read_ai_settings(settings_file) if settings_file else {}
        goals = list(goal or ai.get("ai_goals") or [])
        if not goals:
            goals = _ask_for_goal()
        agent = AutoGPT(
            ai_name=name or ai.get("ai_name") or "AutoGPT",
            ai_role=role or ai.get("ai_role") or "AI Assistant",
            goals=goals,
            settings=settings,
            continuous=continuous,
            human=human,
            max_steps=max_steps,
            max_tokens=max_tokens,
            max_cost=max_cost if max_cost is not None else ai.get("api_budget"),
            max_seconds=max_seconds,
        )
        result = asyncio.run(_drive(agent, view, human))
    except AutoGPTError as exc:
        _fail(exc)
    raise typer.Exit(_exit_code(result))


def _exit_code(result: RunResult) -> int:
    if result.status == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_FINISHED if result.ok else EXIT_NOT_FINISHED


@app.command("list")
def list_runs(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show this many of the newest runs.")] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """List stored runs (CLI and server), newest first."""
    console = Console(highlight=False)
    try:
        store = create_store(Settings.load(config, data_dir=data_dir))
        tasks, total = store.list_tasks(1, limit)
    except AutoGPTError as exc:
        _fail(exc)
    gone = {task.task_id for task in tasks if unreachable(task, store.lease(task.task_id))}
    if json_output:
        for task in tasks:
            print(json.dumps({"task_id": task.task_id, "status": task.status, "name": task.name, "goals": task.goals,
                              "steps": task.state.get("steps", 0), "created_at": task.created_at.isoformat(),
                              "unreachable": task.task_id in gone}, ensure_ascii=False))
        return
    if not tasks:
        console.print("No runs yet. Start one with: autogpt run --goal \"...\"")
        return
    table = Table("Status", "Steps", "Name", "Goals", "Started")
    table.add_column("ID", no_wrap=True)
    for task in tasks:
        status = f"{task.status} (no worker)" if task.task_id in gone else task.status
        table.add_row(status, str(task.state.get("steps", 0)), escape(task.name),
                      escape("; ".join(task.goals))[:60], task.created_at.strftime("%Y-%m-%d %H:%M"), task.task_id)
    console.print(table)
    if total > len(tasks):
        console.print(f"({total - len(tasks)} older runs not shown; use --limit)")


@app.command()
def show(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="A run id from `autogpt list`.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the run and its steps as JSON.")] = False,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show a stored run: its goals, status, every step and the result."""
    console = Console(highlight=False)
    try:
        store = create_store(Settings.load(config, data_dir=data_dir))
        task = store.get_task(task_id)
        history = store.history(task_id)
        children = store.children(task_id)
    except AutoGPTError as exc:
        _fail(exc)
    if json_output:
        data = task.model_dump(mode="json", exclude={"state"})
        data["steps"] = history
        data["children"] = [_run_tree(store, child) for child in children]  # helpers it delegated to, nested
        data["pending"] = task.state.get("pending")  # a proposal not yet run
        data["running"] = task.state.get("running")  # a command cut off while running
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{escape(task.name)}[/bold] ({escape(task.role)}) · {task.task_id} · [bold]{task.status}[/bold]")
    for goal in task.goals:
        console.print(f"  • {escape(goal)}")
    console.print(f"Workspace: {escape(task.workspace)}")
    timings = []
    for step in history:
        if "timing" in step:  # where the step's time went (runs stored before it was recorded have none)
            timings.append(StepTiming.model_validate(step["timing"]))
        if step.get("kind") == "action":
            command = step["reply"]["command"]
            mark = "✓" if step.get("ok") else "✗"
            args = json.dumps(command.get("args", {}), ensure_ascii=False)
            console.print(f"{step['number']:>3}. {mark} {escape(command['name'])} {escape(args[:100])}")
            console.print(f"      {escape(' '.join(step.get('observation', '').split())[:160])}")
            for note in step.get("notes", []):  # what the checks added to the result
                console.print(f"      [yellow]{escape(' '.join(note.split())[:160])}[/yellow]")
        else:
            text = step.get("feedback") or step.get("text") or step.get("error") or ""
            console.print(f"{step['number']:>3}. ({step.get('kind')}) {escape(text[:160])}")
        if "timing" in step:
            console.print(f"      [dim]{escape(timings[-1].line())}[/dim]")
        for child in children:
            if child.options.get("parent_step") == step["number"]:
                _print_helper(console, store, child, "      ")
    if timings:
        console.print(f"Time of {len(timings)} step{'s' if len(timings) != 1 else ''}: "
                      f"{escape(StepTiming.total(timings).line(label='all'))}")
    if task.result:
        console.print(f"Result: {escape(task.result.get('summary', ''))}")
    elif task.active:
        console.print(f"Not finished: go on with `autogpt run --resume {task.task_id}`.")


def _print_helper(console: Console, store: Store, child: Any, indent: str) -> None:
    """A helper run under the step that delegated to it: its goal, steps and result (its helpers inside)."""
    console.print(f"{indent}[bold]↳ {escape(child.name)}[/bold] ({escape(child.role)}) · {child.task_id} · "
                  f"[bold]{child.status}[/bold]: {escape('; '.join(child.goals))}")
    grandchildren = store.children(child.task_id)
    for step in store.history(child.task_id):
        if step.get("kind") == "action":
            command = step["reply"]["command"]
            args = json.dumps(command.get("args", {}), ensure_ascii=False)
            console.print(f"{indent}  {step['number']:>3}. {'✓' if step.get('ok') else '✗'} "
                          f"{escape(command['name'])} {escape(args[:80])}")
        for grandchild in grandchildren:
            if grandchild.options.get("parent_step") == step["number"]:
                _print_helper(console, store, grandchild, indent + "    ")
    if child.result:
        console.print(f"{indent}  Result: {escape((child.result.get('summary') or '')[:300])}")


def _run_tree(store: Store, record: Any) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"state"})
    data["steps"] = store.history(record.task_id)
    data["children"] = [_run_tree(store, child) for child in store.children(record.task_id)]
    return data


async def _drive(agent: AutoGPT, view: RunView, human: ConsoleHuman | None) -> RunResult:
    """Stream the run into the view; Ctrl-C once pauses at the next safe point, twice exits."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    presses = 0

    def on_sigint() -> None:
        nonlocal presses
        presses += 1
        if presses == 1:
            agent.request_pause()
            view.notice("Ctrl-C: pausing after the current step (press Ctrl-C again to exit).")
        elif main is not None:
            main.cancel()

    def reset() -> None:
        nonlocal presses
        presses = 0

    if human is not None:
        human.on_pause_answered = reset
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    shown: list[ev.Event] = []

    def show(event: ev.Event) -> None:
        view.handle(event)
        if isinstance(event, ev.RunFinished):
            shown.append(event)

    try:
        await agent.arun(on_event=show)
    except asyncio.CancelledError:
        pass  # Ctrl-C twice: the runner recorded the interruption; show its summary below
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await agent.model.aclose()
    result = agent.last_result
    if result is None:
        raise ConfigError("The run ended before it started.")
    if not shown:
        view.handle(ev.RunFinished(run_id=result.run_id, **result.model_dump(exclude={"history", "run_id"})))
    return result


@app.command()
def chat(
    model: ModelOpt = None,
    name: Annotated[str, typer.Option("--name", "-n", help="The assistant's name.")] = "AutoGPT",
    role: Annotated[str, typer.Option("--role", "-r", help="The assistant's role.")] = "AI Assistant",
    message: Annotated[str | None, typer.Option("--message", help="Answer this one message and exit (for scripts).")] = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Chat with the model. Type 'exit', 'quit' or '退出' to leave."""
    try:
        settings = Settings.load(config, model=model, data_dir=data_dir)
        agent = AutoGPT(ai_name=name, ai_role=role, settings=settings)
        asyncio.run(_chat(agent, message))
    except AutoGPTError as exc:
        _fail(exc)


async def _chat(agent: AutoGPT, message: str | None) -> None:
    view = RunView("auto", out=sys.stderr)  # progress goes to stderr, answers to stdout
    try:
        await agent.prepare(lambda text, progress: view.handle(ev.Status(run_id="", message=text, progress=progress)))
        if message is not None:
            print(await agent.agenerate_response(message), flush=True)
            return
        print("Type 'exit', 'quit' or '退出' to leave. / 输入 exit、quit 或 退出 结束对话。", file=sys.stderr)
        while True:
            line = await read_line("You / 你: ", sys.stdout)
            if line is None or line.strip().lower() in CHAT_EXIT:
                break
            if not line.strip():
                continue
            print(f"AI: {await agent.agenerate_response(line)}", flush=True)
    finally:
        await agent.model.aclose()


@app.command()
def train(
    paths: Annotated[list[str] | None, typer.Argument(metavar="PATH...", help="Files or folders (.txt .md .html .pdf .docx); with --lora also a JSONL file of question/answer pairs.")] = None,
    lora: Annotated[bool, typer.Option("--lora", help="Fine-tune the local model with a LoRA adapter instead (the hf extra): on the pairs of a .jsonl file, or on pairs the model writes about the documents.")] = False,
    from_runs: Annotated[bool, typer.Option("--from-runs", help="With --lora: train on the agent's own runs that went well (each step's prompt and reply, kept in the store).")] = False,
    name: Annotated[str | None, typer.Option("--name", help="With --lora: the adapter's name (default: lora-DATE-TIME).")] = None,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, help="With --lora: passes over the data (default 3).")] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, help="With --lora: pairs per step (default 4).")] = None,
    learning_rate: Annotated[float | None, typer.Option("--learning-rate", help="With --lora: AdamW's learning rate (default 2e-4).")] = None,
    lora_rank: Annotated[int | None, typer.Option("--lora-rank", min=1, help="With --lora: the adapter's rank (default 8).")] = None,
    chunk_size: Annotated[int | None, typer.Option("--chunk-size", help="Characters per chunk (default 800).")] = None,
    chunk_overlap: Annotated[int | None, typer.Option("--chunk-overlap", help="Characters shared by neighbouring chunks (default 100).")] = None,
    model: ModelOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Learn documents into long-term memory; `autogpt chat` and runs then answer from them, citing them.
    With --lora, fine-tune the local model (--model, default the embedded one) with a LoRA adapter instead.

    Training on the same file again adds nothing; a changed file replaces what was learnt from it."""
    try:
        agent = AutoGPT(settings=Settings.load(config, data_dir=data_dir, model=model))
        for key, value in (("chunk_size", chunk_size), ("chunk_overlap", chunk_overlap), ("epochs", epochs),
                           ("batch_size", batch_size), ("learning_rate", learning_rate), ("lora_rank", lora_rank)):
            if value is not None:
                agent.set_parameter(key, value)
        if not lora:
            if name or from_runs or any(v is not None for v in (epochs, batch_size, learning_rate, lora_rank)):
                raise ConfigError("--name, --from-runs, --epochs, --batch-size, --learning-rate and --lora-rank go "
                                  "with --lora.")
            if not paths:
                raise ConfigError("Give the files or folders to learn.")
            print(agent.train(paths).describe())
            return
        if from_runs == bool(paths):
            raise ConfigError("--lora trains on PATH... or --from-runs (one of them).")
        if from_runs:
            pairs = agent.run_pairs()
            if not pairs:
                raise ConfigError("No finished run has its prompts kept yet (the keep_prompts setting keeps them).")
            print(f"{len(pairs)} steps of the runs that went well.", file=sys.stderr)
        adapter = _train_lora(agent, pairs if from_runs else paths or [], name)
    except AutoGPTError as exc:
        _fail(exc)
    losses = " → ".join(f"{loss:.3f}" for loss in adapter.epoch_losses)
    print(f"Adapter {adapter.name}: {adapter.pairs} pairs, {len(adapter.losses)} steps in {adapter.seconds:.0f} s, "
          f"loss per epoch {losses}.")
    print("Use it with --model " + " or --model ".join(adapter.model_ids))


def _train_lora(agent: AutoGPT, paths: list[Any], name: str | None) -> Any:
    """``agent.train(..., method="lora")`` with its progress shown: a bar with the loss and the time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
                  TimeRemainingColumn(), console=err, transient=False) as bar:
        job = bar.add_task("training", total=None, loss="–")

        def report(message: str, fraction: float | None) -> None:
            bar.console.print(escape(message))

        def progress(step: int, steps: int, loss: float, left: float) -> None:
            bar.update(job, completed=step, total=steps, loss=f"{loss:.3f}")

        return agent.train(paths, method="lora", name=name, report=report, progress=progress)


def _memory(config: Path | None, data_dir: Path | None) -> Any:
    agent = AutoGPT(settings=Settings.load(config, data_dir=data_dir))
    if agent.memory is None:
        raise ConfigError(agent.memory_error or "Long-term memory is off (memory: false).")
    return agent.memory


@lessons_app.callback(invoke_without_command=True)
def lessons_list(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """List the lessons, highest weight first."""
    if ctx.invoked_subcommand:
        return
    try:
        records = _memory(config, data_dir).list("lessons", limit=10_000)
    except AutoGPTError as exc:
        _fail(exc)
    records.sort(key=lambda r: float(r.metadata.get("weight", 0.5)), reverse=True)
    if json_output:
        for r in records:
            print(json.dumps(r.model_dump(mode="json"), ensure_ascii=False))
        return
    if not records:
        print("No lessons yet: they are distilled after each run (setting lessons: true).")
        return
    table = Table("Weight", "Uses", "Lesson", "Learnt from")
    table.add_column("ID", no_wrap=True)
    for r in records:
        table.add_row(f"{float(r.metadata.get('weight', 0.5)):.2f}", str(r.metadata.get("uses", 0)), escape(r.text),
                      escape(str(r.metadata.get("task", "")))[:40], r.id)
    Console(highlight=False).print(table)


@lessons_app.command("show")
def lessons_show(lesson_id: Annotated[str, typer.Argument(metavar="ID")], data_dir: DataDirOpt = None,
                 config: ConfigOpt = None) -> None:
    """Show one lesson: its text, weight, uses, and the task and run it came from."""
    try:
        record = _memory(config, data_dir).get(lesson_id)
    except AutoGPTError as exc:
        _fail(exc)
    print(json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2))


@lessons_app.command("delete")
def lessons_delete(lesson_ids: Annotated[list[str], typer.Argument(metavar="ID...")], data_dir: DataDirOpt = None,
                   config: ConfigOpt = None) -> None:
    """Delete lessons (bad advice): later runs no longer see them."""
    try:
        memory = _memory(config, data_dir)
        for lesson_id in lesson_ids:
            if memory.get(lesson_id).namespace != "lessons":
                raise ConfigError(f"{lesson_id} is not a lesson (see `autogpt lessons`).")
            memory.delete(lesson_id)
    except AutoGPTError as exc:
        _fail(exc)
    print(f"Deleted {len(lesson_ids)} lesson(s).")


@memory_app.command("search")
def memory_search(
    query: Annotated[str, typer.Argument(help="What to look for (any language).")],
    namespace: Annotated[str, typer.Option("--namespace", "-n", help="knowledge, memories or lessons.")] = "knowledge",
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many results.")] = 5,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Search long-term memory the way the agent does (vector and keyword search together)."""
    from autogpt.memory.knowledge import cite

    try:
        hits = _memory(config, data_dir).search(query, namespace=namespace, k=k)
    except AutoGPTError as exc:
        _fail(exc)
    if not hits:
        print("Nothing found.")
    for hit in hits:
        label = cite(hit) if namespace == "knowledge" else hit.record.id
        print(f"{label} ({hit.similarity or 0:.2f}) {' '.join(hit.record.text.split())[:300]}")


@memory_app.command("list")
def memory_list(
    namespace: Annotated[str, typer.Option("--namespace", "-n", help="knowledge (by document), memories or lessons.")] = "knowledge",
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """What long-term memory holds: the documents learnt (with their chunk counts), or the memories."""
    try:
        memory = _memory(config, data_dir)
        if namespace == "knowledge":
            sources = memory.sources("knowledge")
            for source, meta in sources.items():
                print(f"{source}\t{meta.get('chunks', '?')} chunks")
            if not sources:
                print("No documents yet: autogpt train PATH...")
            return
        for record in memory.list(namespace, limit=10_000):
            print(f"{record.id}\t{' '.join(record.text.split())[:200]}")
    except AutoGPTError as exc:
        _fail(exc)


@memory_app.command("forget")
def memory_forget(
    item: Annotated[str, typer.Argument(metavar="SOURCE|ID", help="A document (as `memory list` shows it) or a memory id.")],
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Forget a learnt document (all its chunks) or one memory."""
    try:
        memory = _memory(config, data_dir)
        if item in memory.sources("knowledge") or Path(item).exists():
            source = item if item in memory.sources("knowledge") else str(Path(item).resolve())
            count = memory.delete_source(source, namespace="knowledge")
            if not count:
                raise ConfigError(f"{item} was never learnt (see `autogpt memory list`).")
            print(f"Forgot {source} ({count} chunks).")
        else:
            memory.delete(item)
            print(f"Forgot {item}.")
    except AutoGPTError as exc:
        _fail(exc)


@models_app.callback(invoke_without_command=True)
def models_list(ctx: typer.Context, data_dir: DataDirOpt = None, config: ConfigOpt = None) -> None:
    """List the models (embedded, transformers, local servers, API presets and the LoRA adapters trained here)."""
    if ctx.invoked_subcommand:
        return
    try:
        settings = Settings.load(config, data_dir=data_dir)
    except AutoGPTError as exc:
        _fail(exc)
    rows = describe_models(settings.data_dir)
    table = Table(title="autogpt models")
    # The id is what users copy into --model: never cut it short; the other columns wrap instead.
    table.add_column("id", no_wrap=True, min_width=max(len(row["id"]) for row in rows))
    for header in ("kind", "details", "ready"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(row["id"], row["kind"], row["detail"], row["ready"])
    Console().print(table)
    print("Choose one with --model ID or AUTOGPT_MODEL=ID; API keys come from the variables shown.")


@models_app.command("prepare")
def models_prepare(model: Annotated[str | None, typer.Argument(help="Model id (default: the configured model).")] = None,
                   config: ConfigOpt = None) -> None:
    """Assemble and load a model now, so the first run starts at once."""
    try:
        settings = Settings.load(config, model=model)
        agent = AutoGPT(settings=settings)
        view = RunView("auto")
        asyncio.run(agent.prepare(lambda text, p: view.handle(ev.Status(run_id="", message=text, progress=p))))
        print(f"{agent.model_name} is ready.")
    except AutoGPTError as exc:
        _fail(exc)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but 127.0.0.1/localhost needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option("--token", envvar="AUTOGPT_SERVER_TOKEN", help="Bearer token every API request must carry (AUTOGPT_SERVER_TOKEN).")] = None,
    allow_host: Annotated[list[str] | None, typer.Option("--allow-host", metavar="NAME[:PORT]", help="Another host name the server answers to (repeat for several; also the server_allowed_hosts setting). Requests for other Host names are refused.")] = None,
    executor: Annotated[str, typer.Option("--executor", metavar="local|ray", help="Where continuous tasks run: in this process, or on a Ray cluster (RAY_ADDRESS or --ray-address; docs/scale.md).")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", metavar="ADDR", help="The Ray cluster (with --executor ray).")] = None,
    model: ModelOpt = None,
    mcp: McpOpt = None,
    tool: ToolOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the Agent Protocol (/ap/v1) and the web UI (/) so tools and people can drive the agent.

    Tasks wait for approval before each command unless created with continuous on. Open http://HOST:PORT/.
    """
    try:
        from autogpt.server.app import create_app, is_loopback
    except ImportError as exc:
        _fail(ConfigError(f"The server needs the [server] extra: pip install 'autogpt[server]' ({exc.name} is missing)."))
    try:
        if not is_loopback(host) and not token:
            raise ConfigError(f"Binding {host} exposes the agent to the network: give --token (or AUTOGPT_SERVER_TOKEN).")
        settings = _with_extras(Settings.load(config, model=model, data_dir=data_dir), mcp, tool)
        import uvicorn

        hosts = [*settings.server_allowed_hosts, *(allow_host or [])]
        if not _is_ip(host) and host not in hosts:
            hosts.append(host)  # bound by name: that name is the server's own
        if executor not in ("local", "ray"):
            raise ConfigError(f"--executor must be local or ray, not {executor!r}.")
        on_ray = None
        if executor == "ray":
            from autogpt.cluster.raycluster import RayExecutor

            on_ray = RayExecutor(settings, address=ray_address)
        app_ = create_app(settings, token=token, allowed_hosts=hosts, executor=on_ray)
        console = Console(stderr=True, highlight=False)
        console.print(f"autogpt serving {settings.model} at http://{host}:{port}/ (data: {settings.data_dir})")
        uvicorn.run(app_, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
    except AutoGPTError as exc:
        _fail(exc)


@app.command()
def bench(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATHS", help="Challenge folders or data.json files (default: benchmarks/challenges).")] = None,
    split: Annotated[str | None, typer.Option("--split", metavar="dev|test", help="Only the dev challenges (the agent is tuned on them) or the held-out test ones (default: both).")] = None,
    attempts: Annotated[int, typer.Option("--attempts", min=1, help="Attempts per challenge; solved if any attempt passes, and the success rate is over all attempts.")] = 1,
    first_attempt: Annotated[int, typer.Option("--first-attempt", min=1, help="Number the attempts from this one: a later run adds attempts to an earlier one (benchmarks/merge_runs.py joins their results).")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", help="Sample attempt k with seed SEED+k-1: each attempt differs, and a run can be repeated (default: the seed setting, else unseeded).")] = None,
    parallel: Annotated[int, typer.Option("--parallel", min=1, help="Attempts to run at once.")] = 1,
    category: Annotated[list[str] | None, typer.Option("--category", "-c", help="Only challenges of this category (repeat for several).")] = None,
    model: ModelOpt = None,
    agent_url: Annotated[str | None, typer.Option("--agent-url", metavar="URL", help="Score another agent: an Agent Protocol server's base URL.")] = None,
    max_steps: Annotated[int, typer.Option("--max-steps", min=1, help="Step limit per attempt.")] = 20,
    json_path: Annotated[Path | None, typer.Option("--json", metavar="PATH", help="Also write the summary and one record per attempt (name, split, attempt, success, finished, steps, tokens, seconds, error) here.")] = None,
    results_dir: Annotated[Path | None, typer.Option("--results-dir", help="Where workspaces and results.json go (default: <data_dir>/bench/<time>).")] = None,
    lessons: Annotated[bool, typer.Option("--lessons/--no-lessons", help="Learn lessons after each attempt and use them in later ones (memory starts empty either way).")] = False,
    checks: ChecksOpt = None,
    ray: Annotated[bool, typer.Option("--ray", help="Spread the attempts over a Ray cluster's workers (RAY_ADDRESS; else a local one); --parallel is then the number of workers.")] = False,
    mcp: McpOpt = None,
    tool: ToolOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Run challenges (agbenchmark's data.json format) and print a table of what was solved and finished, with
    totals per split (dev, test) and for all: challenges solved, the per-attempt success rate with its 95 %
    confidence interval, and the runs that finished.

    Exit code 0 when every challenge was solved, 1 otherwise, 2 for bad usage.
    """
    import time as _time

    from autogpt.bench import load_challenges, run_suite
    from autogpt.bench.report import challenge_table, totals_lines
    from autogpt.bench.suite import record, save_progress, write_results

    try:
        settings = _with_extras(Settings.load(config, model=model, data_dir=data_dir, checks=checks), mcp, tool)
        challenges = load_challenges(list(paths or [Path("benchmarks/challenges")]), category, split)
        if not challenges:
            raise ConfigError("No challenges found (check the paths, --split and --category).")
        started = _time.time()
        folder = results_dir or settings.data_dir / "bench" / _time.strftime("%Y%m%d-%H%M%S")
        # A reproducible run: long-term memory starts empty in the results folder (never the user's own
        # documents or lessons), and lessons are learnt only when asked for.
        settings = settings.model_copy(update={"lessons": lessons,
                                               "memory_url": f"sqlite:///{(folder / 'memory.db').resolve()}",
                                               **({"seed": seed} if seed is not None else {})})
        console = Console(highlight=False, stderr=True)
        numbers = f"{attempts} attempt(s)" if first_attempt == 1 else \
            f"attempt(s) {first_attempt}–{first_attempt + attempts - 1}"
        console.print(f"{len(challenges)} challenges × {numbers} on {agent_url or settings.model}"
                      f"{'' if settings.seed is None else f' (seed {settings.seed})'}; workspaces in {folder}")
        from autogpt.agent.agent import AutoGPT as _Agent

        judge = None if agent_url else _Agent(settings=settings).model

        done: list[Any] = []

        def show(result: Any) -> None:
            done.append(result)  # saved as it goes: a run stopped midway keeps what it did
            save_progress(done, challenges, folder, model=settings.model, settings=settings, agent_url=agent_url,
                          started=started)
            mark = "[green]✓[/green]" if result.success else "[red]✗[/red]"
            why = f" ({escape(result.error)})" if result.error else ""
            ended = "" if result.finished or result.error else f", not finished ({escape(result.status or '?')})"
            console.print(f"{mark} {escape(result.name)} #{result.attempt}: {result.steps} steps, "
                          f"{result.seconds:.0f} s{ended}{why}")

        on_ray = None
        if ray:
            from autogpt.cluster.raycluster import RayBench

            on_ray = RayBench(settings, max_steps=max_steps, workers=parallel if parallel > 1 else None)
            parallel, judge = on_ray.size, None
        try:
            results = asyncio.run(run_suite(challenges, settings=settings, results_dir=folder, attempts=attempts,
                                            parallel=parallel, agent_url=agent_url, judge=judge,
                                            max_steps=max_steps, on_result=show, attempt_runner=on_ray,
                                            first_attempt=first_attempt,
                                            model_factory=(lambda c: judge) if judge else None))
        finally:
            if on_ray is not None:
                on_ray.shutdown()
        data = record(results, challenges, model=settings.model, settings=settings, agent_url=agent_url,
                      started=started)
        saved = write_results(data, folder, json_path)
    except AutoGPTError as exc:
        _fail(exc)
    total = data["summary"]
    out = Console(highlight=False)
    out.print(challenge_table(challenges, results))
    for line in totals_lines(total):
        out.print(escape(line), soft_wrap=True)
    out.print(f"suite {data['suite_version']} · {escape(str(saved))}", soft_wrap=True)
    raise typer.Exit(EXIT_FINISHED if total["solved"] == total["challenges"] else EXIT_NOT_FINISHED)


@app.command()
def batch(
    path: Annotated[Path, typer.Argument(metavar="GOALS.jsonl", help='One job a line: {"goal": "..."} or {"goals": [...], "name": ..., "role": ..., "max_steps": ...}.')],
    ray: Annotated[bool, typer.Option("--ray", help="Run the jobs on a Ray cluster (RAY_ADDRESS or --ray-address; else a local one).")] = False,
    ray_address: Annotated[str | None, typer.Option("--ray-address", metavar="ADDR", help="The Ray cluster to use (with --ray).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Ray workers (default: as many as the cluster has room for).")] = None,
    parallel: Annotated[int, typer.Option("--parallel", min=1, help="Without --ray: jobs run at once in this process.")] = 1,
    model: ModelOpt = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1, help="Step limit of a job that gives none.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", metavar="PATH", help="Write one JSON result a line here (task_id, goals, status, summary, steps, tokens, seconds, artifacts, error).")] = None,
    mcp: McpOpt = None,
    tool: ToolOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Run many goals, each as a stored continuous task (`autogpt list` shows them), here or on Ray.

    Exit code 0 when every job finished its goals, 1 otherwise."""
    from autogpt.cluster import create_tasks, read_jobs, run_local

    out = Console(highlight=False, stderr=True)
    lines: list[dict[str, Any]] = []

    def show(line: dict[str, Any]) -> None:
        mark = "[green]✓[/green]" if line["status"] == "finished" else "[red]✗[/red]"
        out.print(f"{mark} {line['task_id']} {escape(line['status'])} · {line['steps']} steps · "
                  f"{escape('; '.join(line['goals'])[:80])}", soft_wrap=True)

    try:
        settings = _with_extras(Settings.load(config, model=model, data_dir=data_dir), mcp, tool)
        jobs = read_jobs(path)
        store = create_store(settings)
        records = create_tasks(jobs, settings, store, model=model, max_steps=max_steps)
        ids = [r.task_id for r in records]
        out.print(f"{len(ids)} jobs on {'Ray' if ray else 'this machine'} · model {settings.model}")
        if ray:
            from autogpt.cluster.raycluster import RayExecutor

            executor = RayExecutor(settings, address=ray_address, workers=workers)
            try:
                lines = executor.run(ids, on_result=show)
            finally:
                executor.shutdown()
        else:
            lines = asyncio.run(run_local(ids, settings, store, parallel=parallel, on_result=show))
        store.close()
    except AutoGPTError as exc:
        _fail(exc)
    if json_path is not None:
        json_path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    done = sum(line["status"] == "finished" for line in lines)
    out.print(f"{done}/{len(lines)} finished")
    raise typer.Exit(EXIT_FINISHED if done == len(lines) else EXIT_NOT_FINISHED)


def _with_extras(settings: Settings, specs: list[str] | None, tools: list[str] | None = None) -> Settings:
    """The settings with ``--mcp`` servers and ``--tool`` tools added to the configured ones."""
    from autogpt.config import MCPServerConfig

    servers = [MCPServerConfig.of(spec, "--mcp") for spec in specs or []]
    return settings.model_copy(update={"mcp_servers": [*settings.mcp_servers, *servers],
                                       "tools": [*settings.tools, *(tools or [])]})


@app.command("tools")
def tools_list(
    tool: ToolOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object per tool.")] = False,
    config: ConfigOpt = None,
) -> None:
    """List the agent's tools: the built-in ones, those of the tools setting (and --tool), and the plugins other
    packages installed (enable one with --tool NAME or the tools setting)."""
    from autogpt.tools import default_tools
    from autogpt.tools.plugins import installed

    try:
        settings = _with_extras(Settings.load(config), None, tool)
        enabled = default_tools(settings)
        plugins = installed()
    except AutoGPTError as exc:
        _fail(exc)
    builtin = default_tools(settings.model_copy(update={"tools": []}))
    rows = [{"name": t.name, "signature": t.signature(), "description": t.description,
             "source": "built-in" if t.name in builtin else "tools setting", "enabled": True} for t in enabled]
    rows += [{"name": name, "signature": "", "description": "", "source": f"plugin {ep.value}", "enabled": False}
             for name, ep in sorted(plugins.items()) if name not in settings.tools]
    if json_output:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title="autogpt tools")
    for header in ("tool", "from", "description"):
        table.add_column(header, overflow="fold")
    for row in rows:
        shown = row["signature"] or f"{row['name']} (not enabled)"
        table.add_row(shown, row["source"], row["description"])
    Console().print(table)
    print("MCP servers add theirs: see `autogpt mcp list`.")


@mcp_app.command("serve")
def mcp_serve(
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1 (default: stdio, for a client that starts autogpt as a command).")] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The HTTP port (with --http).")] = 8001,
    model: ModelOpt = None,
    mcp: McpOpt = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve autogpt to MCP clients: start goals (continuous, with budgets), list and show runs, read the files
    they wrote, search long-term memory. The runs are in the same store as `autogpt list` shows."""
    try:
        from autogpt.tools.mcp import require_sdk

        require_sdk()
        from autogpt.server.mcp import serve as serve_mcp

        settings = _with_extras(Settings.load(config, model=model, data_dir=data_dir), mcp)
        if http:
            Console(stderr=True, highlight=False).print(
                f"autogpt MCP server at http://127.0.0.1:{port}/mcp (data: {settings.data_dir})")
        serve_mcp(settings, http_port=port if http else None)
    except AutoGPTError as exc:
        _fail(exc)


@mcp_app.command("list")
def mcp_list(
    mcp: McpOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object per server.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Start each configured MCP server (and each --mcp), list its tools, and stop it again."""
    try:
        settings = _with_extras(Settings.load(config), mcp)
        if not settings.mcp_servers:
            raise ConfigError("No MCP servers: add some to the mcp_servers setting or give --mcp CMD|URL.")
        from autogpt.tools.mcp import describe_servers

        rows = asyncio.run(describe_servers(settings.mcp_servers))
    except AutoGPTError as exc:
        _fail(exc)
    if json_output:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        raise typer.Exit(EXIT_NOT_FINISHED if any(row["error"] for row in rows) else EXIT_FINISHED)
    console = Console(highlight=False)
    for row in rows:
        if row["error"]:
            console.print(f"[red]✗[/red] {escape(row['name'])} ({escape(row['server'])}): {escape(row['error'])}")
            continue
        console.print(f"[green]✓[/green] {escape(row['name'])} ({escape(row['server'])}): {len(row['tools'])} tools")
        for tool in row["tools"]:
            console.print(f"    {escape(tool['signature'])}  {escape(tool['description'])}", soft_wrap=True)
    if any(row["error"] for row in rows):
        raise typer.Exit(EXIT_NOT_FINISHED)


@sandbox_app.command("check")
def sandbox_check(config: ConfigOpt = None) -> None:
    """Say which isolation is active here and what each layer protects (exit 1 if code cannot run)."""
    try:
        agent = AutoGPT(settings=Settings.load(config))
    except AutoGPTError as exc:
        _fail(exc)
    sandbox = agent.sandbox
    console = Console(highlight=False)
    if sandbox is None:
        console.print(f"[bold red]No sandbox:[/] {escape(agent.sandbox_error)}")
        raise typer.Exit(EXIT_NOT_FINISHED)
    console.print(f"Sandbox: [bold]{escape(sandbox.name)}[/]  (Python: {escape(sandbox.python)})")
    for layer in sandbox.layers():
        mark = "[green]✓[/]" if layer.active else "[red]✗[/]"
        console.print(f" {mark} {escape(layer.name)}: {escape(layer.protects)}")


@sandbox_app.command("setup")
def sandbox_setup(
    package: Annotated[list[str] | None, typer.Option("--package", "-p", help="A package to install instead of "
                                                      "pandas, numpy and pytest (repeat it for more).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Make the Python environment code runs with: the standard library plus pandas, numpy and pytest (from PyPI),
    apart from autogpt's own (no API client, no settings). Run it again to add packages."""
    from autogpt.sandbox.environment import DATA_PACKAGES, create_environment

    try:
        settings = Settings.load(config)
        python = create_environment(settings.cache_dir, package or None)
    except AutoGPTError as exc:
        _fail(exc)
    Console(highlight=False).print(f"Code now runs with {escape(str(python))} "
                                   f"({', '.join(package or DATA_PACKAGES)} and the standard library).")


@sandbox_app.command("run", context_settings={"ignore_unknown_options": True})
def sandbox_run(
    command: Annotated[list[str], typer.Argument(help="The command and its arguments (put them after --).")],
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="The folder the command sees as /workspace.")] = Path("."),
    config: ConfigOpt = None,
) -> None:
    """Run COMMAND in the sandbox, as the agent's tools would: same isolation, limits and timeout.

    Exits with the command's exit code (124 when the time limit stopped it, 137 when it was killed).
    """
    try:
        agent = AutoGPT(settings=Settings.load(config))
        sandbox = agent.sandbox
        if sandbox is None:
            raise ConfigError(agent.sandbox_error)
        if not workspace.is_dir():
            raise ConfigError(f"The workspace {workspace} is not a folder.")
    except AutoGPTError as exc:
        _fail(exc)
    argv = [sandbox.python if word in ("python", "python3") and i == 0 else word for i, word in enumerate(command)]
    result = asyncio.run(sandbox.run(argv, workspace.resolve()))
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.killed:
        print(f"[sandbox] stopped: {result.killed} after {result.seconds:.1f} s", file=sys.stderr)
        raise typer.Exit(124 if result.killed == "timeout" else 137)
    raise typer.Exit(result.exit_code if result.exit_code is not None else 128 + (result.signal or 9))


def _read_ai_settings(path: Path) -> dict[str, Any]:
    """Read AutoGPT's ai_settings.yaml (ai_name, ai_role, ai_goals, api_budget)."""
    data = read_yaml_mapping(path, AI_SETTINGS_KEYS, "AI settings file")
    goals = data.get("ai_goals") or []
    if isinstance(goals, str):
        goals = [goals]
    if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
        raise ConfigError(f"{path}: ai_goals must be a list of strings.")
    budget = data.get("api_budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0):
        raise ConfigError(f"{path}: api_budget must be a number of USD >= 0 (0 or absent: no limit).")
    for key in ("ai_name", "ai_role"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string.")
    return {**data, "ai_goals": goals, "api_budget": budget or None}


def _ask_for_goal() -> list[str]:
    if not sys.stdin.isatty():
        raise ConfigError("No goal given. Use --goal TEXT (repeatable) or --settings ai_settings.yaml.")
    text = input("What should the agent do? / 你想让智能体做什么？ ").strip()
    if not text:
        raise ConfigError("No goal given.")
    return [text]


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _fail(exc: AutoGPTError) -> None:
    Console(stderr=True).print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)  # paths stay whole
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
