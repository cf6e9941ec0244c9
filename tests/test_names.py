"""Names that are not text: a file name that is not valid UTF-8 (agent code can make one: ``open(b"bad\\xff.txt")``)
and a lone surrogate in a model's path argument (a JSON ``"\\udcff"``). Neither may crash anything: the run and the
server's task end properly, listings work, the model gets a clear message.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autogpt import Settings
from autogpt.agent import events as ev
from autogpt.console import RunView
from autogpt.errors import WorkspacePathError
from autogpt.llm.base import ModelRequest
from autogpt.server.app import create_app
from autogpt.store.base import TaskRecord
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedModel, reply
from autogpt.tools.files import append_file, list_folder, read_file, write_file
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import Workspace
from live_server import LiveServer, ScriptedTasks

BAD = b"bad\xff.txt"  # not valid UTF-8
LONE = "a\udcff.txt"  # what json.loads makes of a model's "a\udcff.txt"
TIMEOUT = 60
AP = "/ap/v1/agent/tasks"


def make_bad(folder: Path, name: bytes = BAD) -> None:
    """What agent code does: a file whose name is not UTF-8."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(b"made by agent code\n")


def utf8(value: Any) -> Any:
    """``value`` as JSON in strict UTF-8: what a store, a terminal or an HTTP client needs."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")
    return value


WRITE_AND_FINISH = [reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="Wrote hello.txt.")]
LONE_THEN_FINISH = [reply("write_file", path=LONE, content="x"), reply("finish", reason="Gave up.")]


# --- the workspace and the tools --------------------------------------------------------------------------------


def test_listings_leave_out_names_that_are_not_utf8(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    (ws.root / "good.txt").write_text("good")
    before = ws.snapshot()
    make_bad(ws.root)
    make_bad(ws.root / "sub")
    make_bad(ws.root / os.fsdecode(b"dir\xfe"), b"inside.txt")  # a folder with such a name: all below is left out
    (ws.root / "sub" / "new.txt").write_text("new")
    assert utf8(ws.snapshot()).keys() == {"good.txt", "sub/new.txt"}
    assert utf8(ws.files()) == ["good.txt", "sub/new.txt"]
    assert utf8(ws.changed_since(before)) == ["sub/new.txt"]


async def test_list_folder_shows_such_names_escaped_with_a_note(tmp_path: Path) -> None:
    from autogpt.workspace import display_name

    ws = Workspace(tmp_path / "ws")
    make_bad(ws.root)
    (ws.root / "good.txt").write_text("good")
    shown = await Tool(list_folder).call({"path": "."}, ToolContext(workspace=ws))
    utf8(shown)
    assert "good.txt (4 bytes)" in shown
    assert "bad\\xff.txt" in shown and "not valid UTF-8" in shown and "os.rename(b'bad\\xff.txt'" in shown
    assert display_name(os.fsdecode(BAD)) == "bad\\xff.txt"


@pytest.mark.parametrize("tool", [read_file, write_file, append_file, list_folder])
async def test_a_lone_surrogate_in_a_path_is_a_clear_error(tmp_path: Path, tool: Any) -> None:
    ws = Workspace(tmp_path / "ws")
    make_bad(ws.root, os.fsencode(LONE))  # the file the surrogate would name, through surrogateescape
    args = {"path": LONE} if tool is list_folder else {"path": LONE, "content": "x"}
    with pytest.raises(WorkspacePathError) as info:
        await Tool(tool).call(args, ToolContext(workspace=ws))
    message = str(info.value)
    utf8(message)
    assert "lone surrogate" in message and "U+DCFF" in message
    assert (ws.root / os.fsdecode(os.fsencode(LONE))).read_bytes() == b"made by agent code\n"  # untouched
    assert sorted(os.listdir(ws.root)) == [os.fsdecode(os.fsencode(LONE))]


def test_the_store_keeps_lone_surrogates_as_printable_text(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite")
    task = store.create_task(TaskRecord(input="x", goals=["x"], workspace=str(tmp_path)))
    store.record_step(task.task_id, 1, {"args": {"path": LONE}}, {"pending": {"path": LONE}})
    store.add_event(task.task_id, {"type": "tool_finished", "output": LONE})
    assert utf8(store.get_task(task.task_id).state) == {"pending": {"path": "a\\udcff.txt"}}
    assert utf8(store.history(task.task_id)) == [{"args": {"path": "a\\udcff.txt"}}]
    assert utf8(store.events(task.task_id, 0))[0][1]["output"] == "a\\udcff.txt"
    store.close()


@pytest.mark.parametrize("mode", ["plain", "json"])
def test_the_console_prints_lone_surrogates_escaped(mode: str) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)  # like a real stdout
    view = RunView(mode, out=out)
    command = {"name": "write_file", "args": {"path": LONE}}
    view.handle(ev.Proposed(run_id="r", step=1, thoughts={"speak": LONE, "plan": []}, command=command))
    view.handle(ev.ToolFinished(run_id="r", step=1, name="write_file", ok=False, output=f"{LONE} ...", seconds=0.1))
    view.notice(f"about {LONE}")
    text = raw.getvalue().decode("utf-8")
    if mode == "json":  # still one JSON object a line, the text inside escaped
        proposed, finished, notice = (json.loads(line) for line in text.splitlines())
        assert proposed["thoughts"]["speak"] == proposed["command"]["args"]["path"] == "a\\udcff.txt"
        assert finished["output"] == "a\\udcff.txt ..." and notice["message"] == "about a\\udcff.txt"
    else:
        assert "SPEAK: a\\udcff.txt" in text and "a\\udcff.txt ..." in text and "about a\\udcff.txt" in text


# --- autogpt run ------------------------------------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_") and k not in ("COLUMNS", "LINES")}
    env.update(AUTOGPT_DATA_DIR=os.environ["AUTOGPT_DATA_DIR"], AUTOGPT_LESSONS="false", PYTHONIOENCODING="utf-8")
    return env


def autogpt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autogpt", *args], capture_output=True, text=True, encoding="utf-8",
                          env=cli_env(), timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def script(tmp_path: Path, items: list[Any]) -> str:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(items), encoding="utf-8")  # ensure_ascii: a lone surrogate as "\udcff"
    return f"scripted:{path}"


def clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr[-3000:]


@pytest.mark.parametrize("json_output", [False, True])
def test_run_with_such_a_name_in_the_workspace(tmp_path: Path, json_output: bool) -> None:
    ws = tmp_path / "ws"
    make_bad(ws)
    items = [reply("list_folder", path="."), *WRITE_AND_FINISH]
    proc = autogpt("run", "-g", "Write hello.txt", "-w", str(ws), "--continuous", "--model", script(tmp_path, items),
                   *(["--json"] if json_output else []))
    clean(proc)
    if json_output:
        events = [json.loads(line) for line in proc.stdout.splitlines()]
        listed = next(e for e in events if e["type"] == "tool_finished")
        assert "bad\\xff.txt" in listed["output"]
        assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "finished"
        assert events[-1]["artifacts"] == ["hello.txt"]
    else:
        assert "Status: finished" in proc.stdout and "bad\\xff.txt" in proc.stdout


def test_run_where_agent_code_makes_such_a_name_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: the scripted model makes the file between two steps, as a program the agent ran would."""
    from typer.testing import CliRunner

    from autogpt.cli import app

    ws = tmp_path / "ws"

    def agent_code(request: ModelRequest) -> dict[str, Any]:
        make_bad(ws)
        make_bad(ws / "out")
        return WRITE_AND_FINISH[1]

    model = ScriptedModel([WRITE_AND_FINISH[0], agent_code])
    monkeypatch.setattr(ScriptedModel, "from_file", classmethod(lambda cls, path: model))
    result = CliRunner().invoke(app, ["run", "-g", "Write hello.txt", "-w", str(ws), "--continuous",
                                      "--model", "scripted:unused.json", "--json"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "finished"
    assert events[-1]["artifacts"] == ["hello.txt"]


def test_resume_with_such_a_name_in_the_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    store = SQLiteStore(Path(os.environ["AUTOGPT_DATA_DIR"]) / "autogpt.db")
    task = store.create_task(TaskRecord(input="Write hello.txt", goals=["Write hello.txt"], workspace=str(ws),
                                        status="interrupted", options={"continuous": True}))
    store.close()
    make_bad(ws)  # made by the run's code before it was interrupted
    proc = autogpt("run", "--resume", task.task_id, "--continuous", "--model", script(tmp_path, WRITE_AND_FINISH))
    clean(proc)
    assert "Status: finished" in proc.stdout
    assert (ws / "hello.txt").read_text() == "hello"


@pytest.mark.parametrize("json_output", [False, True])
def test_run_with_a_lone_surrogate_in_the_models_path(tmp_path: Path, json_output: bool) -> None:
    ws = tmp_path / "ws"
    proc = autogpt("run", "-g", "Write a file", "-w", str(ws), "--continuous",
                   "--model", script(tmp_path, LONE_THEN_FINISH), *(["--json"] if json_output else []))
    clean(proc)
    assert "lone surrogate" in proc.stdout
    assert os.listdir(ws) == []  # not the file a\xff.txt that the surrogate names through surrogateescape
    listed = autogpt("list", "--json")
    clean(listed)
    run = json.loads(listed.stdout.splitlines()[0])
    assert run["status"] == "finished"
    shown = autogpt("show", run["task_id"])
    clean(shown)
    assert "write_file" in shown.stdout


# --- the server -------------------------------------------------------------------------------------------------


class Server(LiveServer):
    """The app under uvicorn in a thread; each new task takes the next scripted model."""

    def __init__(self, data_dir: Path) -> None:
        self.tasks = ScriptedTasks()
        self.models = self.tasks.models
        self.settings = Settings.load(data_dir=data_dir)
        super().__init__(create_app(self.settings, model_factory=self.tasks), timeout=20)

    def create(self, *replies: Any, goal: str = "Write hello to hello.txt") -> str:
        self.models.append(ScriptedModel(list(replies)))
        response = self.http.post(AP, json={"input": goal})
        assert response.status_code == 200, response.text
        return str(response.json()["task_id"])

    def step(self, task_id: str, text: str = "") -> dict[str, Any]:
        response = self.http.post(f"{AP}/{task_id}/steps", json={"input": text})
        assert response.status_code == 200, response.text
        return utf8(response.json())

    def get(self, path: str) -> Any:
        response = self.http.get(f"{AP}/{path}")
        assert response.status_code == 200, response.text
        return utf8(response.json())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "data")
    yield s
    s.close()


def test_server_task_with_such_a_name_ends_and_lists_its_artifacts(server: Server) -> None:
    tid = server.create(*WRITE_AND_FINISH)
    make_bad(server.settings.workspaces_dir / tid)  # agent code made it before the first step
    server.step(tid)  # proposes write_file
    second = server.step(tid, "y")  # writes hello.txt, proposes finish
    assert second["additional_output"]["last_action"]["ok"] is True
    last = server.step(tid, "y")
    assert last["is_last"] and server.get(tid)["status"] == "finished"
    artifacts = server.get(f"{tid}/artifacts")["artifacts"]
    assert [a["file_name"] for a in artifacts] == ["hello.txt"]


def test_server_continuous_task_where_agent_code_makes_such_a_name_mid_run(server: Server) -> None:
    holder: dict[str, str] = {}

    def agent_code(request: ModelRequest) -> dict[str, Any]:
        make_bad(server.settings.workspaces_dir / holder["tid"] / "out")
        return WRITE_AND_FINISH[1]

    tid = holder["tid"] = server.create(WRITE_AND_FINISH[0], agent_code)
    response = server.http.post(f"{AP}/{tid}/run", params={"wait": "true"})
    assert response.status_code == 200, response.text
    assert utf8(response.json())["status"] == "finished"
    assert [a["file_name"] for a in server.get(f"{tid}/artifacts")["artifacts"]] == ["hello.txt"]
    assert server.get(f"{tid}/steps")["steps"] is not None


def test_server_tells_the_model_about_a_lone_surrogate_and_the_task_ends(server: Server) -> None:
    tid = server.create(*LONE_THEN_FINISH, goal="Write a file")
    first = server.step(tid)
    assert first["additional_output"]["command"]["args"]["path"] == "a\\udcff.txt"  # shown escaped
    second = server.step(tid, "y")
    assert second["additional_output"]["last_action"]["ok"] is False
    assert "lone surrogate" in second["output"]
    last = server.step(tid, "y")
    assert last["is_last"] and server.get(tid)["status"] == "finished"
    assert server.get(f"{tid}/steps")["pagination"]["total_items"] == 3
    assert os.listdir(server.settings.workspaces_dir / tid) == []
