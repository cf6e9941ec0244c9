"""The Agent Protocol server, over real HTTP (uvicorn on 127.0.0.1) with scripted models."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autogpt import Settings
from autogpt.server.app import create_app
from autogpt.testing import ScriptedModel, reply
from live_server import LiveServer, ScriptedTasks, free_port

AP = "/ap/v1/agent/tasks"


class Server(LiveServer):
    """The app under uvicorn in a thread; each new task takes the next scripted model."""

    def __init__(self, data_dir: Path, token: str | None = None) -> None:
        self.tasks = ScriptedTasks()
        self.models, self.given = self.tasks.models, self.tasks.given
        self.settings = Settings.load(data_dir=data_dir)
        super().__init__(create_app(self.settings, model_factory=self.tasks, token=token))

    def create(self, goal: str = "Write hello to hello.txt", *replies: Any, **extra: Any) -> dict[str, Any]:
        self.models.append(ScriptedModel(list(replies)))
        response = self.http.post(AP, json={"input": goal, "additional_input": extra})
        assert response.status_code == 200, response.text
        return response.json()

    def step(self, task_id: str, text: str | None = "") -> dict[str, Any]:
        response = self.http.post(f"{AP}/{task_id}/steps", json={"input": text})
        assert response.status_code == 200, response.text
        return response.json()

    def task(self, task_id: str) -> dict[str, Any]:
        return self.http.get(f"{AP}/{task_id}").json()



@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "data")
    yield s
    s.close()


HELLO = [reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="Wrote hello.txt.")]


def test_approve_each_step_then_download_the_artifact(server: Server) -> None:
    task = server.create("Write hello to hello.txt", *HELLO)
    assert task["status"] == "created" and task["goals"] == ["Write hello to hello.txt"] and task["artifacts"] == []
    assert set(task) >= {"task_id", "input", "additional_input", "created_at", "modified_at", "artifacts"}
    tid = task["task_id"]

    first = server.step(tid)  # nothing to approve yet: the agent thinks and proposes
    assert first["status"] == "completed" and not first["is_last"]
    assert first["additional_output"]["command"] == {"name": "write_file", "args": {"path": "hello.txt", "content": "hello"}}
    assert first["additional_output"]["last_action"] is None
    assert server.task(tid)["status"] == "waiting"
    assert server.task(tid)["pending"]["command"]["name"] == "write_file"
    assert not (server.settings.workspaces_dir / tid / "hello.txt").exists()

    second = server.step(tid, "y")
    assert second["name"] == "write_file" and second["additional_output"]["last_action"]["ok"] is True
    assert second["additional_output"]["command"]["name"] == "finish"
    assert len(second["artifacts"]) == 1 and not second["is_last"]

    last = server.step(tid, "")
    assert last["is_last"] and last["name"] == "finish"
    assert server.task(tid)["status"] == "finished" and server.task(tid)["summary"] == "Wrote hello.txt."

    listed = server.http.get(f"{AP}/{tid}/steps", params={"page_size": 2}).json()
    assert listed["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 1, "page_size": 2}
    assert [s["step_id"] for s in listed["steps"]] == [first["step_id"], second["step_id"]]
    one = server.http.get(f"{AP}/{tid}/steps/{last['step_id']}").json()
    assert one["is_last"] and one["input"] == ""

    artifacts = server.http.get(f"{AP}/{tid}/artifacts").json()["artifacts"]
    assert [(a["file_name"], a["relative_path"], a["agent_created"]) for a in artifacts] == [("hello.txt", "hello.txt", True)]
    download = server.http.get(f"{AP}/{tid}/artifacts/{artifacts[0]['artifact_id']}")
    assert download.status_code == 200 and download.content == b"hello"
    server.given[tid].assert_complete()

    again = server.http.post(f"{AP}/{tid}/steps", json={"input": "y"})
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_feedback_goes_to_the_model_and_n_stops(server: Server) -> None:
    tid = server.create("Write a poem", reply("write_file", path="a.txt", content="x"),
                        reply("write_file", path="poem.txt", content="roses"))["task_id"]
    server.step(tid)
    fed = server.step(tid, "请写到 poem.txt 里")
    assert fed["additional_output"]["last_action"] is None  # nothing ran
    assert fed["additional_output"]["command"]["args"]["path"] == "poem.txt"
    assert "请写到 poem.txt 里" in server.given[tid].calls[-1].messages[-1].content
    stopped = server.step(tid, "n")
    assert stopped["is_last"] and server.task(tid)["status"] == "stopped"
    assert not list(Path(server.settings.workspaces_dir / tid).iterdir())


def test_continuous_tasks_run_to_the_end_alone_and_run_switches_a_task(server: Server) -> None:
    tid = server.create("Write hello", *HELLO, continuous=True)["task_id"]
    deadline = time.monotonic() + 20
    while server.task(tid)["status"] != "finished":
        assert time.monotonic() < deadline, server.task(tid)
        time.sleep(0.05)
    other = server.create("Write hello", *HELLO)["task_id"]
    server.step(other)
    done = server.http.post(f"{AP}/{other}/run", params={"wait": "true"}).json()
    assert done["status"] == "finished" and done["continuous"] is True and done["steps"] == 2


def test_many_tasks_at_once_do_not_wait_for_each_other(server: Server) -> None:
    ids, calls = [], []

    def logged(i: int, kind: str, answer: dict[str, Any]) -> Any:
        def item(request: Any) -> dict[str, Any]:
            calls.append((kind, i))
            return answer
        return item

    for i in range(8):
        server.models.append(ScriptedModel([logged(i, "first", reply("write_file", path=f"{i}.txt", content=str(i))),
                                            logged(i, "last", reply("finish", reason="ok"))], delay=1.0))
        ids.append(server.http.post(AP, json={"input": f"task {i}", "additional_input": {"continuous": True}}
                                    ).json()["task_id"])
    deadline = time.monotonic() + 30
    while any(server.task(t)["status"] != "finished" for t in ids):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # they ran side by side: every task's first reply came before any task's last one (the 1 s a reply takes
    # leaves time to create all eight: with 0.3 s a slow machine failed it once)
    assert [kind for kind, _ in calls] == ["first"] * 8 + ["last"] * 8


def test_event_stream_replays_then_follows_live(server: Server) -> None:
    tid = server.create("Write hello", *HELLO)["task_id"]
    server.step(tid)
    seen: list[tuple[str, dict[str, Any]]] = []
    with server.http.stream("GET", f"{AP}/{tid}/events") as stream:
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                seen.append((kind, json.loads(line[6:])))
                if kind == "proposed":
                    break
    assert seen[0][0] == "task" and seen[0][1]["status"] == "waiting"
    assert [k for k, _ in seen[1:]] == ["run_started", "status", "thinking", "proposed"] or \
        [k for k, _ in seen if k not in ("status", "thinking")][1:] == ["run_started", "proposed"]
    last_seq = seen[-1][1]["seq"]

    def approve() -> None:
        time.sleep(0.3)
        server.step(tid, "y")

    approving = threading.Thread(target=approve)
    approving.start()
    live: list[str] = []
    with server.http.stream("GET", f"{AP}/{tid}/events", params={"after": last_seq}) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                live.append(line[7:])
                if line[7:] == "proposed":
                    break
    approving.join(30)  # its POST may still be returning: the client must not close under it
    assert live[0] == "task" and "proposed" not in live[:-1], live
    assert {"tool_started", "tool_finished", "step_finished", "token"} <= set(live), live


def test_uploaded_files_reach_the_workspace(server: Server) -> None:
    tid = server.create("Summarise data.csv", reply("finish", reason="ok"))["task_id"]
    up = server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("data.csv", b"a,b\n1,2\n")},
                          data={"relative_path": "in"}, headers={"X-AutoGPT": "1"})
    assert up.status_code == 200, up.text
    assert up.json()["agent_created"] is False and up.json()["relative_path"] == "in/data.csv"
    assert (server.settings.workspaces_dir / tid / "in" / "data.csv").read_bytes() == b"a,b\n1,2\n"
    bad = server.http.post(f"{AP}/{tid}/artifacts", files={"file": ("x.txt", b"x")}, data={"relative_path": "../.."},
                           headers={"X-AutoGPT": "1"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_path"
    listed = server.http.get(f"{AP}/{tid}/artifacts", params={"pageSize": 5}).json()
    assert listed["pagination"]["page_size"] == 5 and listed["artifacts"][0]["file_name"] == "data.csv"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error"),
    [
        ("GET", f"{AP}/nope", {}, 404, "not_found"),
        ("POST", f"{AP}/nope/steps", {"json": {}}, 404, "not_found"),
        ("GET", f"{AP}/nope/artifacts/x", {}, 404, "not_found"),
        ("POST", AP, {"content": b"{not json"}, 400, "bad_json"),
        ("POST", AP, {"json": [1, 2]}, 400, "bad_request"),
        ("POST", AP, {"json": {"input": ""}}, 422, "invalid_request"),
        ("POST", AP, {"json": {"input": 5}}, 422, "invalid_request"),
        ("POST", AP, {"json": {"input": "x", "additional_input": {"goals": "not a list"}}}, 422, "invalid_request"),
        ("POST", AP, {"json": {"input": "x", "additional_input": {"max_steps": -1}}}, 422, "invalid_request"),
        ("POST", AP, {"json": {"input": "x", "additional_input": {"language": "fr"}}}, 422, "invalid_request"),
        ("POST", AP, {"json": {"input": "x" * 30_000}}, 422, "invalid_request"),
        ("POST", AP, {"content": b"{}" + b" " * 2_000_000}, 413, "too_large"),
        ("GET", AP, {"params": {"page_size": 0}}, 400, "bad_request"),
        ("GET", AP, {"params": {"page": "x"}}, 422, "invalid_request"),
        ("DELETE", AP, {}, 405, "method_not_allowed"),
        ("GET", "/nothing-here", {}, 404, "not_found"),
    ],
)
def test_bad_requests_get_a_clear_4xx(server: Server, method: str, path: str, kwargs: dict[str, Any], status: int,
                                      error: str) -> None:
    response = server.http.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["detail"]


def test_task_list_pages_and_accepts_both_page_size_spellings(server: Server) -> None:
    for i in range(3):
        server.create(f"goal {i}")
    page = server.http.get(AP, params={"pageSize": 2, "page": 2}).json()
    assert page["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    assert [t["input"] for t in page["tasks"]] == ["goal 0"]
    assert server.http.get(AP, params={"page_size": 1}).json()["tasks"][0]["input"] == "goal 2"


def test_a_token_is_required_when_set(tmp_path: Path) -> None:
    s = Server(tmp_path / "data", token="s3cret")
    try:
        assert s.http.get(AP).status_code == 401
        assert s.http.get(AP, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert s.http.get(AP, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert s.http.get("/").status_code in (200, 404)  # the page itself is public; its API calls are not
    finally:
        s.close()


def test_serve_refuses_to_bind_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    result = subprocess.run([sys.executable, "-m", "autogpt", "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "--token" in result.stderr


def test_kill_9_of_the_server_mid_task_loses_nothing(tmp_path: Path) -> None:
    """A task waits for approval; the server is killed with SIGKILL; a new server goes on from the store."""
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    env["AUTOGPT_LESSONS"] = "false"  # see conftest: the scripts do not script the review

    def start(replies: list[Any]) -> tuple[subprocess.Popen[str], str]:
        script = tmp_path / f"script{len(list(tmp_path.glob('script*')))}.json"
        script.write_text(json.dumps(replies), encoding="utf-8")
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "autogpt", "serve", "--port", str(port), "--data-dir",
                                 str(data_dir), "--model", f"scripted:{script}"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}{AP}", timeout=1)
                return proc, url
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr and proc.stderr.read()
                time.sleep(0.1)

    proc, url = start([reply("write_file", path="a.txt", content="one"),
                       reply("write_file", path="b.txt", content="two")])
    try:
        tid = httpx.post(f"{url}{AP}", json={"input": "Write a.txt and b.txt"}).json()["task_id"]
        httpx.post(f"{url}{AP}/{tid}/steps", json={"input": ""}, timeout=30)
        step = httpx.post(f"{url}{AP}/{tid}/steps", json={"input": "y"}, timeout=30).json()
        assert step["additional_output"]["command"]["args"]["path"] == "b.txt"  # proposed, waiting
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    proc, url = start([reply("finish", reason="both written")])  # the b.txt proposal is not asked for again
    try:
        task = httpx.get(f"{url}{AP}/{tid}").json()
        assert task["status"] == "waiting" and task["steps"] == 1 and task["pending"]["command"]["name"] == "write_file"
        assert len(httpx.get(f"{url}{AP}/{tid}/steps").json()["steps"]) == 2
        step = httpx.post(f"{url}{AP}/{tid}/steps", json={"input": "y"}, timeout=30).json()
        assert step["additional_output"]["last_action"]["ok"] and step["additional_output"]["command"]["name"] == "finish"
        last = httpx.post(f"{url}{AP}/{tid}/steps", json={"input": "y"}, timeout=30).json()
        assert last["is_last"]
        workspace = data_dir / "workspaces" / tid
        assert (workspace / "a.txt").read_text() == "one" and (workspace / "b.txt").read_text() == "two"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_web_ui_is_served_from_the_package_and_loads_nothing_from_outside(server: Server) -> None:
    page = server.http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    static = Path(__file__).parents[1] / "src" / "autogpt" / "server" / "static"
    for path in static.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "https://" not in text and "http://" not in text, f"{path.name} refers to another host"
        assert server.http.get(f"/static/{path.name}").status_code == 200


def test_stop_while_the_model_thinks_ends_the_task_at_the_proposal(server: Server) -> None:
    server.models.append(ScriptedModel([reply("write_file", path="a.txt", content="x")], delay=1.0))
    tid = server.http.post(AP, json={"input": "Write a.txt"}).json()["task_id"]
    result: dict[str, Any] = {}
    stepping = threading.Thread(target=lambda: result.update(server.step(tid)))
    stepping.start()
    time.sleep(0.3)
    assert server.http.post(f"{AP}/{tid}/stop").status_code == 200
    stepping.join(timeout=20)
    assert result["is_last"] and server.task(tid)["status"] == "stopped"
    assert not (server.settings.workspaces_dir / tid / "a.txt").exists()  # the proposal never ran


def test_a_task_interrupted_by_a_shutdown_goes_on_in_the_next_server(tmp_path: Path) -> None:
    first = Server(tmp_path / "data")
    tid = first.create("Write hello", *HELLO[:1])["task_id"]
    first.step(tid)
    first.close()  # a graceful shutdown: the waiting run is interrupted
    second = Server(tmp_path / "data")
    try:
        assert second.task(tid)["status"] == "interrupted"
        second.models.append(ScriptedModel([HELLO[1]]))
        step = second.step(tid, "y")  # approves the stored proposal
        assert step["name"] == "write_file" and step["additional_output"]["command"]["name"] == "finish"
        assert second.step(tid, "y")["is_last"]
        assert (second.settings.workspaces_dir / tid / "hello.txt").read_text() == "hello"
    finally:
        second.close()


def test_a_step_whose_model_cannot_start_ends_with_a_4xx_and_is_not_left_running(server: Server) -> None:
    from autogpt.errors import ModelUnavailableError

    tid = server.create("Write hello to hello.txt")["task_id"]
    server.models[-1] = ModelUnavailableError("the model 'far-away' needs an API key that is not set")
    answer = server.http.post(f"{AP}/{tid}/steps", json={"input": ""})
    assert answer.status_code == 400 and answer.json()["error"] == "model_unavailable", answer.text
    steps = server.http.get(f"{AP}/{tid}/steps").json()["steps"]
    assert steps and all(s["status"] != "running" for s in steps), steps
    assert "could not start" in steps[0]["output"]
