"""Ray as the execution engine: a local Ray cluster on 127.0.0.1 (a head and worker processes), scripted models
that take a while per step, and a worker killed in the middle of a task."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from autogpt import Settings  # noqa: E402
from autogpt.cluster import create_tasks  # noqa: E402
from autogpt.cluster.jobs import Job  # noqa: E402
from autogpt.cluster.raycluster import RayExecutor, task_resources  # noqa: E402
from autogpt.store.sqlite import SQLiteStore  # noqa: E402
from autogpt.testing import ScriptedModel, reply  # noqa: E402

# The workers unpickle the model factory below: this module is not importable there, so it travels by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


class Stepper(ScriptedModel):
    """Appends "step N" to log.txt at step N (whatever ran before: a resumed run goes on numbering), then
    finishes at step ``steps``; notes its worker's pid in ``pids/<task>`` so a test can kill it."""

    def __init__(self, steps: int, delay: float, pids: Path | None, task_id: str) -> None:
        super().__init__(delay=delay, stream=False, model_id="scripted:stepper")
        self.steps, self.pids, self.task_id = steps, pids, task_id

    async def complete(self, request):
        if self.pids is not None:
            (self.pids / self.task_id).write_text(str(os.getpid()))
        number = int(re.search(r"Step (\d+)", request.messages[-1].content).group(1))
        self.script = [reply("append_file", path="log.txt", content=f"step {number}\n") if number < self.steps
                       else reply("finish", reason=f"Logged {self.steps - 1} steps.")]
        return await super().complete(request)


def factory(steps: int, delay: float, pids: Path | None = None):
    return lambda record: Stepper(steps, delay, pids, record.task_id)


@pytest.fixture(scope="module")
def cluster():
    """A local cluster with room for two light workers (0.25 CPU each) and more."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    yield
    ray.shutdown()


def make(tmp_path: Path, count: int) -> tuple[Settings, SQLiteStore, list[str]]:
    settings = Settings.load(data_dir=tmp_path / "data", model="scripted:stepper", memory=False)
    store = SQLiteStore(settings.store_path)
    jobs = [Job(goal=f"Log the steps to log.txt ({i})", max_steps=20) for i in range(count)]
    return settings, store, [r.task_id for r in create_tasks(jobs, settings, store)]


def test_tasks_run_on_workers_that_keep_their_model(cluster, tmp_path):
    settings, store, ids = make(tmp_path, 4)
    executor = RayExecutor(settings, workers=2, model_factory=factory(3, 0.05))
    try:
        lines = executor.run(ids)
    finally:
        executor.shutdown()
    assert [line["status"] for line in lines] == ["finished"] * 4
    assert all(line["steps"] == 3 for line in lines)
    assert len({line["worker"] for line in lines}) == 2  # two worker processes shared the four tasks
    assert all(line["worker"] != os.getpid() for line in lines)
    for task_id in ids:
        log = Path(store.get_task(task_id).workspace, "log.txt").read_text()
        assert log == "step 1\nstep 2\n"
    store.close()


def test_a_killed_worker_s_task_resumes_on_another_and_finishes_once(cluster, tmp_path):
    settings, store, ids = make(tmp_path, 2)
    pids = tmp_path / "pids"
    pids.mkdir()
    executor = RayExecutor(settings, workers=2, model_factory=factory(8, 0.4, pids))
    lines: list[dict] = []
    runner = threading.Thread(target=lambda: lines.extend(executor.run(ids)))
    runner.start()
    victim = ids[0]
    deadline = time.monotonic() + 120
    while len(store.history(victim)) < 3:  # a few steps stored, then its worker dies
        assert time.monotonic() < deadline, "the task did not get going"
        time.sleep(0.1)
    killed = int((pids / victim).read_text())
    os.kill(killed, signal.SIGKILL)
    runner.join(300)
    executor.shutdown()
    assert not runner.is_alive()
    assert [line["status"] for line in lines] == ["finished", "finished"]
    assert lines[0]["worker"] != killed  # another worker finished it
    history = store.history(victim)
    numbers = [step["number"] for step in history]
    assert numbers == list(range(1, len(numbers) + 1))  # every step stored once, none lost
    log = Path(store.get_task(victim).workspace, "log.txt").read_text().splitlines()
    assert len(log) == len(set(log))  # no command ran twice
    done = [s["number"] for s in history if s.get("kind") == "action"
            and s["reply"]["command"]["name"] == "append_file" and s.get("ok")]
    assert [f"step {n}" for n in done] == [line for line in log if int(line.split()[1]) in done]
    assert store.lease(victim) is None  # released: nobody holds a finished task
    store.close()


def test_resources_by_model():
    settings = Settings.load()
    assert task_resources("qwen2.5-coder-1.5b", settings)["memory"] > 2e9
    assert task_resources("qwen2.5-coder-1.5b", settings)["num_cpus"] == float(settings.n_threads or 2)
    assert task_resources("deepseek:deepseek-chat", settings) == {"num_cpus": 0.25}


def test_the_server_runs_continuous_tasks_on_ray_and_streams_their_events(cluster, tmp_path):
    from autogpt.server.app import create_app
    from live_server import LiveServer

    settings = Settings.load(data_dir=tmp_path / "data", model="scripted:stepper", memory=False)
    executor = RayExecutor(settings, workers=2, model_factory=factory(3, 0.3))
    server = LiveServer(create_app(settings, executor=executor))
    try:
        created = server.http.post("/ap/v1/agent/tasks", json={"input": "Log the steps to log.txt",
                                                               "additional_input": {"continuous": True}})
        task_id = created.json()["task_id"]
        seen: list[str] = []
        with server.http.stream("GET", f"/ap/v1/agent/tasks/{task_id}/events", timeout=60) as events:
            for line in events.iter_lines():
                if line.startswith("event: "):
                    seen.append(line.removeprefix("event: "))
                if seen and seen[-1] == "run_finished":
                    break
        task = server.http.get(f"/ap/v1/agent/tasks/{task_id}").json()
    finally:
        server.close()
    assert task["status"] == "finished" and task["steps"] == 3
    assert seen.count("step_finished") == 3 and "tool_finished" in seen
    record = SQLiteStore(settings.store_path).get_task(task_id)
    assert Path(record.workspace, "log.txt").read_text() == "step 1\nstep 2\n"
    assert any(a["file_name"] == "log.txt" for a in task["artifacts"])


def test_bench_attempts_run_on_ray_workers(cluster, tmp_path):
    import asyncio
    import json

    from autogpt.bench import load_challenges, run_suite
    from autogpt.cluster.raycluster import RayBench
    from test_bench import make

    make(tmp_path / "suite" / "dev" / "misc", "Hello", "Write hello to hello.txt",
         {"should_contain": ["hello"], "files": ["hello.txt"]})
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="hello.txt", content="hello"), reply("finish", reason="ok")]))
    settings = Settings.load(data_dir=tmp_path / "data", model=f"scripted:{script}", memory=False)
    on_ray = RayBench(settings, max_steps=5, workers=1)
    try:
        results = asyncio.run(run_suite(load_challenges([tmp_path / "suite"]), settings=settings,
                                        results_dir=tmp_path / "results", attempt_runner=on_ray))
    finally:
        on_ray.shutdown()
    assert [(r.name, r.success, r.status, r.steps) for r in results] == [("Hello", True, "finished", 2)]
    assert (tmp_path / "results" / "Hello" / "attempt-1" / "hello.txt").read_text() == "hello"
