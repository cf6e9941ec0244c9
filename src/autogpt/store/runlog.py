"""An append-only log per run: ``<data_dir>/runs/<run_id>/events.jsonl``.

Every event except streamed tokens is written and flushed as it happens, and synced to disk at each step
boundary, so a run that is interrupted (Ctrl-C twice, a crash, kill -9) leaves a record of every step it
finished.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from autogpt.agent.events import Event, RunFinished, RunStarted, StepFinished, Token

_DURABLE = (RunStarted, StepFinished, RunFinished)


class RunLog:
    def __init__(self, runs_dir: Path, run_id: str) -> None:
        self.dir = runs_dir / run_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "events.jsonl"
        self._fh = self.path.open("a", encoding="utf-8")

    def write(self, event: Event) -> None:
        if isinstance(event, Token) or self._fh.closed:
            return
        self._fh.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
        self._fh.flush()  # in the OS after every event: survives the process being killed
        if isinstance(event, _DURABLE):
            os.fsync(self._fh.fileno())  # on disk at every step boundary: survives a machine crash

    def write_record(self, name: str, data: dict[str, Any]) -> None:
        """Write ``<name>.json`` beside the log (e.g. the final result), atomically."""
        tmp = self.dir / f".{name}.json.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, self.dir / f"{name}.json")

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        events = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a crash ends the log
        return events
