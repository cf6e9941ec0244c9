"""A real server for tests: an app under uvicorn on 127.0.0.1 in a thread, and scripted models handed out per task."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from autogpt.store.base import TaskRecord
from autogpt.testing import ScriptedModel


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30) -> None:
    """Until something listens on 127.0.0.1:``port`` (a server started as a process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


class LiveServer:
    """``app`` served on a free port until :meth:`close`; ``http`` is a client for it."""

    def __init__(self, app: Any, *, timeout: float = 30, log_level: str = "warning") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level=log_level))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        self.http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


class ScriptedTasks:
    """A ``model_factory``: each new task takes the next model in ``models`` (an exception there is raised
    instead: a task whose model cannot be made); ``given`` maps task ids to their models."""

    def __init__(self) -> None:
        self.models: list[ScriptedModel | Exception] = []
        self.given: dict[str, ScriptedModel] = {}

    def __call__(self, record: TaskRecord) -> ScriptedModel:
        if record.task_id not in self.given:
            model = self.models.pop(0)
            if isinstance(model, Exception):
                raise model
            self.given[record.task_id] = model
        return self.given[record.task_id]
