"""`autogpt batch`: jobs from a JSONL file, stored as tasks, run to the end (here; Ray: tests/test_ray.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autogpt import Settings
from autogpt.cluster import create_tasks, read_jobs, run_local
from autogpt.errors import ConfigError
from autogpt.store.sqlite import SQLiteStore
from autogpt.testing import ScriptedModel, reply


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "goals.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jobs_are_read_with_clear_errors(tmp_path):
    jobs = read_jobs(write(tmp_path, '{"goal": "Write a"}', "", "# a comment",
                           '{"goals": ["Read b", "写总结"], "name": "Analyst", "max_steps": 5}'))
    assert [j.all_goals() for j in jobs] == [["Write a"], ["Read b", "写总结"]]
    assert jobs[1].name == "Analyst" and jobs[1].max_steps == 5
    for bad, message in [('{"goal": "x"', "line 1: not JSON"), ('{"name": "x"}', 'give "goal"'),
                         ('{"goal": "x", "colour": 1}', "colour"), ('{"goal": "x", "max_steps": 0}', "max_steps"),
                         ("[1, 2]", "line 1")]:
        with pytest.raises(ConfigError, match=message):
            read_jobs(write(tmp_path, bad))
    with pytest.raises(ConfigError, match="no jobs"):
        read_jobs(write(tmp_path, ""))
    with pytest.raises(ConfigError, match="Cannot read"):
        read_jobs(tmp_path / "missing.jsonl")


def test_jobs_run_as_stored_tasks(tmp_path):
    settings = Settings.load(data_dir=tmp_path / "data")
    store = SQLiteStore(settings.store_path)
    jobs = read_jobs(write(tmp_path, '{"goal": "Write a to a.txt"}', '{"goal": "Write b to b.txt", "max_steps": 4}'))
    records = create_tasks(jobs, settings, store)
    assert [r.options["max_steps"] for r in records] == [settings.max_steps, 4]
    assert all(r.options["continuous"] and r.options["origin"] == "batch" for r in records)
    scripts = {records[0].task_id: [reply("write_file", path="a.txt", content="a"), reply("finish", reason="a")],
               records[1].task_id: [reply("write_file", path="b.txt", content="b"), reply("finish", reason="b")]}
    seen: list[str] = []
    lines = asyncio.run(run_local([r.task_id for r in records], settings, store, parallel=2,
                                  model_factory=lambda record: ScriptedModel(scripts[record.task_id]),
                                  on_result=lambda line: seen.append(line["task_id"])))
    assert [line["status"] for line in lines] == ["finished", "finished"]
    assert [line["summary"] for line in lines] == ["a", "b"]
    assert lines[0]["artifacts"] == ["a.txt"] and lines[0]["steps"] == 2
    assert sorted(seen) == sorted(r.task_id for r in records)
    assert Path(lines[1]["workspace"], "b.txt").read_text() == "b"
    # run again: ended tasks are not run twice
    again = asyncio.run(run_local([records[0].task_id], settings, store, model_factory=lambda r: ScriptedModel([])))
    assert again[0]["status"] == "finished" and again[0]["steps"] == 2
    store.close()


def test_cli_batch(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="a.txt", content="a"), reply("finish", reason="Done.")]))
    goals = write(tmp_path, '{"goal": "Write a to a.txt"}', '{"goals": ["Write a to a.txt"], "name": "Second"}')
    out = tmp_path / "results.jsonl"
    proc = subprocess.run([sys.executable, "-m", "autogpt", "batch", str(goals), "--model", f"scripted:{script}",
                           "--json", str(out), "--data-dir", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["status"] for line in lines] == ["finished", "finished"]
    assert {"task_id", "goals", "status", "summary", "steps", "tokens", "seconds", "artifacts"} <= set(lines[0])
    assert "2/2 finished" in proc.stderr
    listed = subprocess.run([sys.executable, "-m", "autogpt", "list", "--json", "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=60)
    assert all(line["task_id"] in listed.stdout for line in lines)
    bad = subprocess.run([sys.executable, "-m", "autogpt", "batch", str(write(tmp_path, '{"goal": 5}'))],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert bad.returncode == 2 and "line 1" in bad.stderr and "Traceback" not in bad.stderr


def test_without_ray_the_flag_says_what_to_install(tmp_path):
    goals = write(tmp_path, '{"goal": "Write a"}')
    code = ("import sys, runpy; sys.modules['ray'] = None; sys.argv = ['autogpt', 'batch', sys.argv[1], '--ray'];"
            " runpy.run_module('autogpt', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code, str(goals)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AUTOGPT_DATA_DIR": str(tmp_path / "data")})
    assert proc.returncode == 2 and "pip install 'autogpt[ray]'" in proc.stderr
