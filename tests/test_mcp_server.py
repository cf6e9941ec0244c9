"""`autogpt mcp serve`: autogpt as an MCP server, driven by the mcp SDK's own client (in-process, over stdio
and over streamable HTTP)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from live_server import free_port, wait_for_port

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402

from autogpt import Settings  # noqa: E402
from autogpt.server.mcp import build_mcp_server  # noqa: E402
from autogpt.server.tasks import TaskManager  # noqa: E402
from autogpt.store.sqlite import SQLiteStore  # noqa: E402
from autogpt.testing import ScriptedModel, reply  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WRITE_HELLO = [reply("write_file", path="hello.txt", content="hello from the agent"),
               reply("finish", reason="Wrote hello.txt.")]


def data(result) -> object:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        value = result.structured_content
        return value["result"] if isinstance(value, dict) and set(value) == {"result"} else value
    return json.loads(result.content[0].text)


def text(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


@pytest.fixture
def server(tmp_path):
    settings = Settings.load(data_dir=tmp_path / "data", memory_url=f"sqlite:///{tmp_path / 'memory.db'}")
    store = SQLiteStore(settings.store_path)
    manager = TaskManager(settings, store, model_factory=lambda record: ScriptedModel(list(WRITE_HELLO)))
    yield build_mcp_server(settings, manager=manager), manager
    store.close()


async def test_start_a_goal_follow_it_and_read_its_artifact(server):
    mcp_server, _ = server
    async with Client(mcp_server) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"start_goal", "list_runs", "show_run", "read_artifact", "stop_run", "search_memory"} <= names
        run = data(await client.call_tool("start_goal", {"goals": ["Write hello to hello.txt"], "max_steps": 5}))
        assert run["status"] == "finished" and run["files"] == ["hello.txt"]
        assert run["summary"] == "Wrote hello.txt."
        assert text(await client.call_tool("read_artifact", {"run_id": run["run_id"], "path": "hello.txt"})) \
            == "hello from the agent"
        runs = data(await client.call_tool("list_runs", {}))
        assert runs[0]["run_id"] == run["run_id"] and runs[0]["status"] == "finished"
        shown = data(await client.call_tool("show_run", {"run_id": run["run_id"]}))
        assert [s["command"]["name"] for s in shown["history"]] == ["write_file", "finish"]


async def test_bad_requests_are_tool_errors(server):
    mcp_server, _ = server
    async with Client(mcp_server) as client:
        run = data(await client.call_tool("start_goal", {"goals": ["Write hello to hello.txt"]}))
        outside = await client.call_tool("read_artifact", {"run_id": run["run_id"], "path": "../../etc/passwd"})
        assert outside.is_error and "passwd" in text(outside)
        missing = await client.call_tool("show_run", {"run_id": "no-such-run"})
        assert missing.is_error and "no-such-run" in text(missing)
        empty = await client.call_tool("start_goal", {"goals": ["  "]})
        assert empty.is_error and "at least one goal" in text(empty)
        wrong = await client.call_tool("search_memory", {"query": "x", "namespace": "secrets"})
        assert wrong.is_error and "knowledge, memories or lessons" in text(wrong)


async def test_start_without_waiting(server):
    mcp_server, manager = server
    async with Client(mcp_server) as client:
        run = data(await client.call_tool("start_goal", {"goals": ["Write hello to hello.txt"], "wait": False}))
        assert run["status"] in ("created", "running")
        await manager.sessions[run["run_id"]].job
        assert data(await client.call_tool("show_run", {"run_id": run["run_id"]}))["status"] == "finished"


async def test_search_memory(server):
    mcp_server, manager = server
    manager.memory.add("Refunds are accepted within 45 days of delivery.", namespace="knowledge", source="faq.md")
    async with Client(mcp_server) as client:
        hits = data(await client.call_tool("search_memory", {"query": "how long do refunds take", "k": 3}))
    assert hits and "45 days" in hits[0]["text"] and hits[0]["source"] == "faq.md"


def scripted(tmp_path: Path) -> str:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(WRITE_HELLO))
    return f"scripted:{path}"


async def test_stdio(tmp_path):
    params = StdioServerParameters(command=sys.executable, args=["-m", "autogpt", "mcp", "serve", "--model",
                                                                 scripted(tmp_path)],
                                   env={"AUTOGPT_DATA_DIR": str(tmp_path / "data"), "AUTOGPT_LESSONS": "false"},
                                   cwd=str(tmp_path))
    async with Client(params) as client:
        run = data(await client.call_tool("start_goal", {"goals": ["Write hello to hello.txt"]}))
        assert run["status"] == "finished"
        assert text(await client.call_tool("read_artifact", {"run_id": run["run_id"], "path": "hello.txt"})) \
            == "hello from the agent"
    # the run is in the store every other command reads
    listed = subprocess.run([sys.executable, "-m", "autogpt", "list", "--json", "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=60)
    assert run["run_id"] in listed.stdout


async def test_streamable_http_binds_localhost_and_checks_host(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "autogpt", "mcp", "serve", "--http", "--port", str(port),
                             "--model", scripted(tmp_path), "--data-dir", str(tmp_path / "data")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        wait_for_port(port, 60)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            run = data(await client.call_tool("start_goal", {"goals": ["Write hello to hello.txt"]}))
            assert run["status"] == "finished"
        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        async with httpx.AsyncClient() as http:
            rebound = await http.post(f"http://127.0.0.1:{port}/mcp", json=body,
                                      headers={**headers, "Host": f"evil.example:{port}"})
            foreign = await http.post(f"http://127.0.0.1:{port}/mcp", json=body,
                                      headers={**headers, "Origin": "http://evil.example"})
        assert rebound.status_code in (400, 403, 421)
        assert foreign.status_code in (400, 403)
    finally:
        proc.terminate()
        proc.wait(10)
