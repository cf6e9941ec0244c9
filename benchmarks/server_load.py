"""Many tasks at once through the HTTP API: do slow model calls block each other?

    .venv/bin/python benchmarks/server_load.py [--tasks 100] [--delay 1.0] [--steps 3] [--servers 2 --store URL]

Starts the server (uvicorn, 127.0.0.1) with a ScriptedModel per task that waits ``--delay`` seconds before
each reply, then drives every task at once like an Agent Protocol client: create it, then POST steps
(approving each proposal) until ``is_last``. Prints the wall time against the ideal (every task in parallel:
``(steps + 1) × delay``, one extra think for the first proposal), the p50/p95 latency of a POST step, and
errors. ``--servers N`` starts N servers on one store (``--store postgresql://...``, else one SQLite file) and
spreads the tasks over them, as several ``autogpt serve`` processes behind a load balancer would.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from autogpt import Settings
from autogpt.server.app import create_app
from autogpt.store.base import TaskRecord
from autogpt.testing import ScriptedModel, reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(client: httpx.AsyncClient, index: int, latencies: list[float], errors: list[str]) -> None:
    try:
        created = await client.post("/ap/v1/agent/tasks", json={"input": f"Write file {index}"})
        created.raise_for_status()
        task_id = created.json()["task_id"]
        answer = ""
        for _ in range(50):
            started = time.perf_counter()
            response = await client.post(f"/ap/v1/agent/tasks/{task_id}/steps", json={"input": answer})
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            answer = "y"
            if response.json()["is_last"]:
                return
        errors.append(f"task {index} did not end")
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure
        errors.append(f"task {index}: {type(exc).__name__}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the model waits before each reply")
    parser.add_argument("--steps", type=int, default=3, help="commands per task, the last one is finish")
    parser.add_argument("--servers", type=int, default=1, help="servers sharing one store")
    parser.add_argument("--store", default=None, help="the shared store: postgresql://... (default: SQLite)")
    args = parser.parse_args()

    def model_for(record: TaskRecord) -> ScriptedModel:
        replies = [reply("write_file", path=f"f{i}.txt", content=str(i)) for i in range(args.steps - 1)]
        return ScriptedModel([*replies, reply("finish", reason="done")], delay=args.delay)

    data = Path(tempfile.mkdtemp(prefix="autogpt-load-"))
    servers, ports = [], []
    for _ in range(args.servers):
        app = create_app(Settings.load(data_dir=data, store=args.store), model_factory=model_for)
        ports.append(free_port())
        servers.append(uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=ports[-1], log_level="warning")))
        threading.Thread(target=servers[-1].run, daemon=True).start()
    while not all(server.started for server in servers):
        time.sleep(0.05)

    async def run_all() -> tuple[float, list[float], list[str]]:
        latencies: list[float] = []
        errors: list[str] = []
        limits = httpx.Limits(max_connections=args.tasks + 10)
        clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits)
                   for port in ports]
        started = time.perf_counter()
        await asyncio.gather(*(drive(clients[i % len(clients)], i, latencies, errors) for i in range(args.tasks)))
        wall = time.perf_counter() - started
        for client in clients:
            await client.aclose()
        return wall, latencies, errors

    wall, latencies, errors = asyncio.run(run_all())
    for server in servers:
        server.should_exit = True
    time.sleep(1)
    ideal = (args.steps + 1) * args.delay
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [0.0] * 19
    shared = f", {args.servers} servers on {'PostgreSQL' if args.store else 'one SQLite file'}" \
        if args.servers > 1 else ""
    print(f"tasks: {args.tasks}, steps per task: {args.steps}, model delay: {args.delay:.2f} s{shared}")
    ratio = f", {wall / ideal:.2f}x" if ideal else ""
    print(f"wall time: {wall:.2f} s (ideal {ideal:.2f} s{ratio})")
    print(f"POST step latency: p50 {statistics.median(latencies):.3f} s, p95 {cuts[18]:.3f} s, "
          f"max {max(latencies):.3f} s over {len(latencies)} steps")
    print(f"errors: {len(errors)}")
    for error in errors[:5]:
        print(f"  {error}")


if __name__ == "__main__":
    main()
