"""Throughput on Ray: N tasks of a scripted model that takes 1 s a step, 5 steps each, on 1, 2 and 4 workers.

    .venv/bin/python benchmarks/scale.py [--tasks 100] [--steps 5] [--delay 1.0] [--workers 1 2 4]

Prints, per worker count, tasks per minute against the ideal (workers × 60 / (steps × delay)), and the time
a task spends outside its model's steps (scheduling, the store, the loop): the scheduler's overhead per task.
The cluster is local (this machine); a light worker asks for a quarter of a core, so four fit on two cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import ray

from autogpt import Settings
from autogpt.cluster import create_tasks
from autogpt.cluster.jobs import Job
from autogpt.cluster.raycluster import RayExecutor
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedModel, reply

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


class Steps(ScriptedModel):
    """``steps - 1`` notes, then finish; ``delay`` seconds a reply."""

    def __init__(self, steps: int, delay: float) -> None:
        script = [reply("write_file", path=f"note{i}.txt", content=str(i)) for i in range(1, steps)]
        super().__init__([*script, reply("finish", reason="Wrote the notes.")], delay=delay, stream=False,
                         model_id="scripted:steps")


def measure(workers: int, tasks: int, steps: int, delay: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp) / "data", model="scripted:steps", memory=False, lessons=False)
        store = SQLiteStore(settings.store_path)
        ids = [r.task_id for r in create_tasks([Job(goal=f"Write the notes ({i})") for i in range(tasks)],
                                               settings, store)]
        executor = RayExecutor(settings, workers=workers, model_factory=lambda record: Steps(steps, delay))
        started = time.monotonic()
        lines = executor.run(ids)
        elapsed = time.monotonic() - started
        executor.shutdown()
        store.close()
    assert all(line["status"] == "finished" for line in lines), [line["status"] for line in lines]
    ideal = workers * 60 / (steps * delay)
    per_task = [line["seconds"] - steps * delay for line in lines]
    return {"workers": workers, "rate": tasks / elapsed * 60, "ideal": ideal, "elapsed": elapsed,
            "overhead": statistics.median(per_task)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="error")
    print(f"{args.tasks} tasks × {args.steps} steps × {args.delay:g} s on a local Ray cluster (2 CPUs)")
    print("workers  tasks/min  ideal  of ideal  elapsed  overhead/task")
    for workers in args.workers:
        m = measure(workers, args.tasks, args.steps, args.delay)
        print(f"{m['workers']:>7}  {m['rate']:>9.1f}  {m['ideal']:>5.1f}  {m['rate'] / m['ideal']:>7.0%}  "
              f"{m['elapsed']:>6.0f} s  {m['overhead']:>10.2f} s")
    ray.shutdown()


if __name__ == "__main__":
    main()
