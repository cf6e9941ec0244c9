"""autogpt as a Model Context Protocol server: other agents and MCP clients start goals, follow runs, fetch
their files and search long-term memory.

    autogpt mcp serve                      # stdio: an MCP client starts it as a command
    autogpt mcp serve --http --port 8001   # streamable HTTP at http://127.0.0.1:8001/mcp

Runs are tasks of the same store as ``autogpt serve`` and the CLI (``autogpt list`` shows them), run by the
same :class:`~autogpt.server.tasks.TaskManager`: always continuous (there is nobody to approve), within the
budgets given. The tools answer JSON; their errors (a run that does not exist, a path outside the workspace)
are tool errors the client's model sees.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from autogpt._version import __version__
from autogpt.config import Settings
from autogpt.errors import AutoGPTError, MemoryUnavailableError
from autogpt.memory import create_memory
from autogpt.server.tasks import TaskManager
from autogpt.store import create_store
from autogpt.store.base import Store
from autogpt.workspace import Workspace

#: Characters of a step's observation (and of a fetched file) returned at most.
OBSERVATION_CHARS, FILE_CHARS = 1500, 100_000
INSTRUCTIONS = ("autogpt runs autonomous agents: start_goal gives an agent goals and (by default) waits for its "
                "result; list_runs, show_run and read_artifact follow runs and fetch the files they wrote; "
                "search_memory searches what the agent learnt (documents trained with `autogpt train`).")


def build_mcp_server(settings: Settings, *, manager: TaskManager | None = None) -> MCPServer:
    """The MCP server over ``settings``' store (or ``manager``'s, e.g. a test's with scripted models)."""
    manager = manager or TaskManager(settings, create_store(settings))
    store = manager.store
    server = MCPServer("autogpt", instructions=INSTRUCTIONS, version=__version__)

    @server.tool()
    async def start_goal(goals: list[str], name: str = "AutoGPT", role: str = "AI Assistant",
                         max_steps: int = 20, max_seconds: float | None = None, wait: bool = True) -> dict[str, Any]:
        """Give an autonomous agent goals and run it to the end (continuously, within max_steps steps and
        max_seconds seconds). With wait (the default) the result comes back when the run ends: its status,
        summary and the files it wrote; without, at once with the run's id (follow it with show_run)."""
        goals = [g.strip() for g in goals if g and g.strip()]
        if not goals:
            raise ToolError("Give at least one goal.")
        if not 1 <= max_steps <= 200:
            raise ToolError("max_steps must be between 1 and 200.")
        record = manager.create(goals[0], {"goals": goals, "name": name, "role": role, "continuous": True,
                                           "max_steps": max_steps, "max_seconds": max_seconds, "origin": "mcp"})
        if wait:
            session = manager.session(record.task_id)
            if session.job is not None:
                await asyncio.shield(session.job)
        return _run_json(manager, record.task_id)

    @server.tool()
    def list_runs(limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs (from every client, the CLI and the web UI): id, goals, status and summary."""
        tasks, _ = store.list_tasks(1, max(1, min(limit, 100)))
        return [{"run_id": t.task_id, "goals": t.goals, "status": t.status, "created_at": t.created_at,
                 "summary": (t.result or {}).get("summary")} for t in tasks]

    @server.tool()
    def show_run(run_id: str) -> dict[str, Any]:
        """One run: its goals, status, plan, summary, files, and every step (command, whether it worked, and
        the start of what it returned)."""
        data = _run_json(manager, run_id)
        data["history"] = [_step_json(step) for step in store.history(run_id)]
        return data

    @server.tool()
    def read_artifact(run_id: str, path: str) -> str:
        """The text of a file a run wrote (or was given), by its path in the run's workspace."""
        record = _record(store, run_id)
        try:
            text = Workspace(record.workspace).read_text(path)
        except (AutoGPTError, OSError, UnicodeDecodeError) as exc:
            raise ToolError(f"Cannot read {path!r} of run {run_id}: {exc}") from None
        return text if len(text) <= FILE_CHARS else text[:FILE_CHARS] + f"\n[... {len(text) - FILE_CHARS} more characters]"

    @server.tool()
    def stop_run(run_id: str) -> dict[str, Any]:
        """Stop a run that is going on (after its current step)."""
        _record(store, run_id)
        manager.stop(run_id)
        return _run_json(manager, run_id)

    @server.tool()
    def search_memory(query: str, k: int = 5, namespace: str = "knowledge") -> list[dict[str, Any]]:
        """Search the agent's long-term memory: knowledge (documents it was trained on), memories (facts it
        remembered) or lessons (learnt from its runs)."""
        if namespace not in ("knowledge", "memories", "lessons"):
            raise ToolError("namespace must be knowledge, memories or lessons.")
        memory = manager.memory
        if memory is None:
            try:
                memory = create_memory(settings)
            except MemoryUnavailableError as exc:
                raise ToolError(f"Long-term memory is unavailable: {exc}") from None
        hits = memory.search(query, namespace=namespace, k=max(1, min(k, 50)))
        return [{"text": h.record.text, "source": h.record.source, "similarity": round(h.similarity or 0, 3)}
                for h in hits]

    return server


def serve(settings: Settings, *, http_port: int | None = None) -> None:
    """Serve over stdio, or streamable HTTP on 127.0.0.1 with ``http_port``; returns when the client goes."""
    server = build_mcp_server(settings)
    if http_port is None:
        server.run("stdio")
        return
    # DNS rebinding: only requests for this machine, from pages of this machine
    hosts = [f"{host}:{http_port}" for host in ("127.0.0.1", "localhost", "[::1]")]
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                         allowed_origins=[f"http://{host}" for host in hosts])
    server.run("streamable-http", host="127.0.0.1", port=http_port, transport_security=security)


def _record(store: Store, run_id: str) -> Any:
    try:
        return store.get_task(run_id)
    except AutoGPTError as exc:
        raise ToolError(str(exc)) from None


def _run_json(manager: TaskManager, run_id: str) -> dict[str, Any]:
    record = _record(manager.store, run_id)
    data = manager.task_json(record)
    keep = ("task_id", "goals", "status", "summary", "plan", "steps", "tokens", "cost")
    out = {("run_id" if key == "task_id" else key): data[key] for key in keep}
    out["files"] = Workspace(record.workspace).files()
    return out


def _step_json(step: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"number": step.get("number"), "kind": step.get("kind")}
    if step.get("kind") == "action":
        out.update(command=step["reply"]["command"], ok=step.get("ok", True),
                   observation=" ".join(str(step.get("observation", "")).split())[:OBSERVATION_CHARS])
    else:
        out["text"] = (step.get("feedback") or step.get("text") or step.get("error") or "")[:OBSERVATION_CHARS]
    return out
