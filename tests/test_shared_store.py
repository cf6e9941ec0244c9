"""Several servers on one store (SQLite on one machine, PostgreSQL across machines): a task runs in one server
only, and a continuous task whose server died is taken up by another and goes on from its last stored step."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from autogpt import Settings
from autogpt.server import tasks as server_tasks
from autogpt.server.tasks import ConflictError, TaskManager
from autogpt.store import create_store
from autogpt.testing import ScriptedModel, reply
from pg_server import postgres_server


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """"" for SQLite in the data dir, else a PostgreSQL URL with a schema of this test's own."""
    if request.param == "sqlite":
        return ""
    import psycopg

    url, schema = request.getfixturevalue("pg_url"), "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return f"{url}{'&' if '?' in url else '?'}options=-c%20search_path%3D{schema}"


def script(steps: int) -> list:
    return [*(reply("write_file", path=f"f{i}.txt", content=str(i)) for i in range(1, steps)),
            reply("finish", reason="All written.")]


def test_a_task_runs_in_one_server_only(tmp_path, store_url):
    settings = Settings.load(data_dir=tmp_path / "data", store=store_url or None)
    store_a, store_b = create_store(settings), create_store(settings)
    a = TaskManager(settings, store_a, model_factory=lambda r: ScriptedModel(script(4), delay=0.2))
    b = TaskManager(settings, store_b, model_factory=lambda r: ScriptedModel(script(4)))

    async def go():
        record = a.create("Write four files", {"continuous": True})
        await asyncio.sleep(0.3)
        with pytest.raises(ConflictError, match="running in another server"):
            b.session(record.task_id).start()
        assert b.resume_continuous(store_b.claimable()) == 0
        assert b.resume_continuous() == 0  # the start-up scan too
        await a.sessions[record.task_id].job
        return record.task_id

    task_id = asyncio.run(go())
    assert store_b.get_task(task_id).status == "finished"
    assert [s["number"] for s in store_b.history(task_id)] == [1, 2, 3, 4]
    assert store_b.lease(task_id) is None
    store_a.close()
    store_b.close()


def test_a_dead_servers_task_is_taken_up_when_its_lease_expires(tmp_path, store_url, monkeypatch):
    monkeypatch.setattr(server_tasks, "LEASE_SECONDS", 0.6)
    settings = Settings.load(data_dir=tmp_path / "data", store=store_url or None)
    store = create_store(settings)
    b = TaskManager(settings, store, model_factory=lambda r: ScriptedModel(script(3)[1:]))

    async def go():
        record = b.create("Write three files", {"continuous": False})  # not started: made as another server would
        store.update_task(record.task_id, status="running",
                          options={**record.options, "continuous": True})
        store.record_step(record.task_id, 1, {"kind": "note", "number": 1, "text": "from the dead server"},
                          {"steps": 1})
        # a server on another machine held it and died: its lease runs out, then this server takes it up
        assert store.claim(record.task_id, "serve:elsewhere:1:dead", 0.6)
        assert b.resume_continuous(store.claimable()) == 0
        assert b.task_json(store.get_task(record.task_id))["worker"] == "serve:elsewhere:1:dead"
        await asyncio.sleep(0.7)
        shown = b.task_json(store.get_task(record.task_id))
        assert shown["unreachable"] and shown["worker"] is None  # running, but nobody holds it
        assert b.resume_continuous(store.claimable()) == 1
        assert not b.task_json(store.get_task(record.task_id))["unreachable"]
        await b.sessions[record.task_id].job
        return record.task_id

    task_id = asyncio.run(go())
    assert store.get_task(task_id).status == "finished"
    assert [s["number"] for s in store.history(task_id)][0] == 1  # went on after the stored step
    store.close()


def test_kill_9_of_one_server_and_another_goes_on(tmp_path, store_url):
    """Two `autogpt serve` processes on one store: the one running a continuous task is killed; the other
    takes the task up (on this machine at once: the dead process's lease is let go) and finishes it."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    env.update(AUTOGPT_LESSONS="false", AUTOGPT_MEMORY="false", AUTOGPT_DATA_DIR=str(data))
    if store_url:
        env["AUTOGPT_STORE"] = store_url
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps([{"delay": 0.5}, *script(6)]))
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps(script(6)))

    def serve(model: Path) -> tuple[subprocess.Popen, str]:
        from live_server import free_port

        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "autogpt", "serve", "--port", str(port), "--model",
                                 f"scripted:{model}"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/ap/v1/agent/tasks"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                return proc, url
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)

    first, url = serve(slow)
    task_id = httpx.post(url, json={"input": "Write five files",
                                    "additional_input": {"continuous": True}}).json()["task_id"]
    deadline = time.monotonic() + 60
    while httpx.get(f"{url}/{task_id}").json()["steps"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    # the second server replays the rest of the script from where the stored steps end
    done = json.loads(rest.read_text())
    store = create_store(Settings.load(data_dir=data, store=store_url or None))
    stored = len(store.history(task_id))
    rest.write_text(json.dumps(done[stored:] if store.get_task(task_id).state.get("pending") is None
                               else done[stored + 1:]))
    second, url2 = serve(rest)
    try:
        deadline = time.monotonic() + 90
        while (status := httpx.get(f"{url2}/{task_id}").json()["status"]) != "finished":
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(10)
    numbers = [s["number"] for s in store.history(task_id)]
    assert numbers == list(range(1, len(numbers) + 1))
    workspace = Path(store.get_task(task_id).workspace)
    assert sorted(p.name for p in workspace.iterdir()) == [f"f{i}.txt" for i in range(1, 6)]
    store.close()
