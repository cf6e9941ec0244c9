"""MCP client: real MCP servers (the shipped notes example and tests/mcp_servers.py), started over stdio and
over streamable HTTP, used by the agent through the ScriptedModel."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import free_port, wait_for_port

pytest.importorskip("mcp")

from autogpt import AutoGPT, Settings  # noqa: E402
from autogpt.agent.events import Notice  # noqa: E402
from autogpt.agent.steps import ActionStep  # noqa: E402
from autogpt.config import MCPServerConfig  # noqa: E402
from autogpt.errors import ConfigError  # noqa: E402
from autogpt.testing import ScriptedHuman, ScriptedModel, reply  # noqa: E402
from autogpt.tools.mcp import MCPServers, _model_schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTES = f"{sys.executable} {ROOT / 'examples/mcp/notes_server.py'}"
TRICKY = f"{sys.executable} {ROOT / 'tests/mcp_servers.py'} tricky"


def command_names(request) -> list[str]:
    schema = request.response_schema["properties"]["command"]
    return [branch["properties"]["name"]["const"] for branch in schema.get("anyOf", [schema])]


def run_agent(tmp_path, script, servers, **kwargs):
    model = ScriptedModel(script)
    agent = AutoGPT(goals=kwargs.pop("goals", ["Find the office Wi-Fi password and write it to wifi.txt"]),
                    model=model, settings=Settings.load(), workspace=tmp_path / "ws", mcp_servers=servers, **kwargs)
    events: list = []
    result = asyncio.run(agent.arun(events.append))
    return result, model, events


def observation(result, number: int) -> str:
    step = result.history[number - 1]
    assert isinstance(step, ActionStep)
    return step.observation


def test_stdio_server_tool_is_offered_called_and_its_result_used(tmp_path):
    result, model, _ = run_agent(tmp_path, [
        reply("search_notes", query="wifi"),
        reply("write_file", path="wifi.txt", content="kelp-42-anchor"),
        reply("finish", reason="Wrote the password."),
    ], [NOTES])
    assert result.status == "finished", result.summary
    first = model.calls[0]
    names = command_names(first)
    assert {"search_notes", "read_note", "add_note"} <= set(names)
    assert names[-1] == "finish"  # the server's tools come before finish
    system = first.messages[0].content
    assert "search_notes(query: str)" in system and "MCP server notes_server" in system
    out = observation(result, 1)
    assert "kelp-42-anchor" in out
    prompt = model.calls[1].messages[-1].content + "".join(m.content for m in model.calls[1].messages)
    assert "<<<untrusted" in prompt  # outside content is marked as data
    assert (tmp_path / "ws" / "wifi.txt").read_text() == "kelp-42-anchor"


def test_http_server(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "examples/mcp/notes_server.py"), "--http", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        result, _, _ = run_agent(tmp_path, [
            reply("read_note", title="support hours"),
            reply("finish", reason="Read it."),
        ], [f"http://127.0.0.1:{port}/mcp"])
    finally:
        proc.terminate()
        proc.wait(10)
    assert "09:00 to 18:00" in observation(result, 1)


def test_server_errors_and_bad_arguments_are_observations(tmp_path):
    result, _, _ = run_agent(tmp_path, [
        reply("read_note", title="no such note"),
        reply("read_note", name="wifi"),  # the wrong argument: checked against the server's schema
        reply("finish", reason="Done."),
    ], [NOTES])
    first, second = result.history[0], result.history[1]
    assert not first.ok and "There is no note titled 'no such note'" in first.observation and "office wifi" in first.observation
    assert not second.ok and "'title' is a required property" in second.observation


def test_a_server_that_dies_mid_call_withdraws_its_tools_and_the_run_goes_on(tmp_path):
    result, model, _ = run_agent(tmp_path, [
        reply("crash"),
        reply("write_file", path="a.txt", content="x"),
        reply("finish", reason="Done."),
    ], [TRICKY], goals=["Try the tricky server"])
    assert result.status == "finished"
    step = result.history[0]
    assert not step.ok
    assert "MCP server 'mcp_servers'" in step.observation and "stopped" in step.observation
    assert "crashing now" in step.observation  # what it wrote to stderr
    later = command_names(model.calls[1])
    assert "crash" not in later and "slow" not in later and "write_file" in later


def test_a_call_that_takes_too_long_times_out(tmp_path):
    slow = MCPServerConfig.model_validate({"command": TRICKY, "timeout": 1})
    result, _, _ = run_agent(tmp_path, [
        reply("slow", seconds=5),
        reply("slow", seconds=0),
        reply("finish", reason="Done."),
    ], [slow], goals=["Try the tricky server"])
    assert "did not answer slow within 1 s" in result.history[0].observation
    assert result.history[1].ok and "slept" in result.history[1].observation  # the server is still there


def test_a_server_that_fails_to_start_is_a_warning_and_the_run_goes_on(tmp_path):
    broken = f"{sys.executable} {ROOT / 'tests/mcp_servers.py'} broken"
    result, model, events = run_agent(tmp_path, [reply("finish", reason="Nothing to do.")],
                                      [broken, "/nonexistent/mcp-server --flag", NOTES], goals=["Say hello"])
    warnings = [e.message for e in events if isinstance(e, Notice) and e.level == "warning"]
    assert len(warnings) == 2
    assert any("cannot open the database" in w for w in warnings)  # its stderr, in the warning
    assert any("was not found" in w for w in warnings)
    assert result.status == "finished"
    assert "search_notes" in command_names(model.calls[0])  # the good server's tools are there


def test_name_clashes_nested_schemas_and_a_clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    server = MCPServerConfig.model_validate({"name": "tricky", "command": TRICKY, "env": {"MY_TOKEN": "t"}})
    result, model, _ = run_agent(tmp_path, [
        reply("tricky_read_file", path="x"),
        reply("distance_to", point={"x": 3, "y": -4}),
        reply("environment"),
        reply("finish", reason="Done."),
    ], [server], goals=["Try the tricky server"])
    names = command_names(model.calls[0])
    assert "read_file" in names and "tricky_read_file" in names  # ours stays; theirs gets the server's name
    assert observation(result, 1) == "remote x"
    assert observation(result, 2) == "7"
    env = observation(result, 3).split()
    assert "MY_TOKEN" in env and "OPENAI_API_KEY" not in env and "AUTOGPT_DATA_DIR" not in env


def test_mcp_commands_go_through_approval(tmp_path):
    notes = tmp_path / "notes.json"
    server = f"{NOTES} --file {notes}"
    human = ScriptedHuman(["Do not add notes.", "y", "y"])
    result, _, _ = run_agent(tmp_path, [
        reply("add_note", title="x", text="refused"),
        reply("add_note", title="x", text="approved"),
        reply("finish", reason="Done."),
    ], [server], continuous=False, human=human, goals=["Add a note titled x"])
    assert human.asked[0].startswith("approve 1: add_note")
    assert result.status == "finished"
    assert "approved" in notes.read_text() and "refused" not in notes.read_text()


def test_model_schema_inlines_references():
    schema = _model_schema({
        "type": "object", "title": "A", "$defs": {"P": {"type": "object", "title": "P",
                                                         "properties": {"x": {"type": "integer"}}}},
        "properties": {"p": {"$ref": "#/$defs/P"}, "title": {"type": "string", "title": "Title"}},
        "required": ["p"],
    })
    assert schema["properties"]["p"] == {"type": "object", "properties": {"x": {"type": "integer"}}}
    assert "title" in schema["properties"] and "title" not in schema["properties"]["title"]
    assert "$defs" not in schema
    assert _model_schema({"type": "string"}) == {"type": "object", "properties": {}, "required": []}


def test_server_settings_from_strings_and_yaml(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("mcp_servers:\n  - python examples/mcp/notes_server.py\n"
                      "  - {name: remote, url: 'http://127.0.0.1:9/mcp', headers: {Authorization: Bearer x}}\n")
    settings = Settings.load(config)
    assert [s.name for s in settings.mcp_servers] == ["notes_server", "remote"]
    assert "Bearer" not in repr(settings.mcp_servers[1])  # headers are secrets
    with pytest.raises(ConfigError, match="command or a url"):
        AutoGPT(goals=["x"], mcp_servers=[{"name": "x"}])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="name"):
        AutoGPT(goals=["x"], mcp_servers=[MCPServerConfig.model_validate("python a.py"),
                                          MCPServerConfig.model_validate("python b/a.py")]).run()


async def test_servers_close_their_processes():
    async with MCPServers([MCPServerConfig.model_validate(NOTES)]) as servers:
        assert [t.name for t in servers.tools()] == ["search_notes", "read_note", "add_note"]
        connection = servers.connections[0]
        assert connection.alive
    assert not connection.alive


# --- the command line ---------------------------------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autogpt", *args], capture_output=True, text=True,
                          encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120, cwd=ROOT)


def test_cli_run_with_mcp(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([
        reply("search_notes", query="wifi"),
        reply("write_file", path="wifi.txt", content="kelp-42-anchor"),
        reply("finish", reason="Wrote the password."),
    ]))
    proc = cli("run", "--mcp", "python examples/mcp/notes_server.py", "--continuous", "--json",
               "-w", str(tmp_path / "ws"), "--model", f"scripted:{script}",
               "-g", "Find the office Wi-Fi password in the notes and write it to wifi.txt")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if '"tool_finished"' in line]
    assert results[0]["name"] == "search_notes" and "kelp-42-anchor" in json.dumps(results[0])
    assert (tmp_path / "ws" / "wifi.txt").read_text() == "kelp-42-anchor"


def test_cli_mcp_list():
    proc = cli("mcp", "list", "--mcp", "python examples/mcp/notes_server.py")
    assert proc.returncode == 0, proc.stderr
    assert "search_notes(query: str)" in proc.stdout and "3 tools" in proc.stdout
    proc = cli("mcp", "list", "--json", "--mcp", "/nonexistent/server")
    assert proc.returncode == 1
    assert "was not found" in json.loads(proc.stdout)["error"]
    proc = cli("mcp", "list")
    assert proc.returncode == 2 and "No MCP servers" in proc.stderr
    proc = cli("run", "--mcp", "  ", "-g", "x", "--continuous")
    assert proc.returncode == 2 and "--mcp" in proc.stderr and "Traceback" not in proc.stderr


def test_server_tasks_get_the_configured_servers_tools(tmp_path):
    from autogpt.server.tasks import TaskManager
    from autogpt.store.sqlite import SQLiteStore

    settings = Settings.load(data_dir=tmp_path / "data", mcp_servers=[NOTES])
    store = SQLiteStore(settings.store_path)
    model = ScriptedModel([reply("read_note", title="office wifi"), reply("finish", reason="Found it.")])
    manager = TaskManager(settings, store, model_factory=lambda record: model)

    async def go():
        record = manager.create("Find the Wi-Fi password", {"continuous": True})
        await manager.sessions[record.task_id].job
        return store.get_task(record.task_id), store.history(record.task_id)

    record, history = asyncio.run(go())
    store.close()
    assert record.status == "finished"
    assert "kelp-42-anchor" in history[0]["observation"] and history[0]["untrusted"]
