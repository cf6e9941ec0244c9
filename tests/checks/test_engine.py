"""The engine and its registry: profiles, the language of messages, the docs, state kept across a resume, and
the rule that no check ever tells the model to write into a file the goals give as input."""

from __future__ import annotations

import json
import os
import re
import signal
import string
import subprocess
import sys
from pathlib import Path

import pytest
from checkrun import _corpus, run

from autogpt.checks import REGISTRY, checks_for, resolve_profile
from autogpt.checks.docs import render
from autogpt.checks.messages import MESSAGES
from autogpt.errors import ConfigError
from autogpt.testing import ScriptedModel, reply

ROOT = Path(__file__).parents[2]


def test_profiles_run_the_checks_they_declare():
    names = {c.name for c in REGISTRY}
    assert {c.name for c in checks_for("full")} == names
    light = {c.name for c in checks_for("light")}
    assert light == {c.name for c in REGISTRY if c.profile == "light"}
    assert {"repeat", "keep_inputs", "failing_code", "missing_outputs"} <= light
    assert not light & {"verifier", "unseen_numbers", "self_test", "counts"}
    assert checks_for("off") == []
    with pytest.raises(ConfigError):
        checks_for("strict")


def test_auto_is_full_for_local_models_and_light_for_apis():
    local, api = ScriptedModel(), ScriptedModel()
    local.local = True
    assert resolve_profile("auto", local) == "full" and resolve_profile("auto", api) == "light"
    assert resolve_profile("off", local) == "off"


def test_off_lets_a_careless_finish_through(tmp_path):
    done = run(tmp_path, ["Write the answer to answer.txt"], [reply("finish", reason="42")], checks="off")
    assert done.result.status == "finished" and not done.fired


def test_every_message_has_english_and_chinese_and_every_check_a_purpose():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "zh"}, key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in texts.items()}
        assert fields["zh"] <= fields["en"], key  # the values a check gives serve both languages
    for c in REGISTRY:
        assert c.purpose and c.purpose.endswith((".", ")")), c.name


def test_every_check_has_its_own_test_file():
    for c in REGISTRY:
        assert (Path(__file__).parent / f"test_{c.name}.py").is_file(), c.name


def test_docs_checks_md_is_generated_from_the_registry():
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == render(), \
        "regenerate it: python -m autogpt.checks > docs/checks.md"


def _careless(goal) -> list[dict]:
    """A careless run of an ordinary goal: finishing early, typing numbers, writing over its inputs."""
    outputs = [name for name in goal.expect if name not in goal.files]
    steps = [reply("finish", reason="done")]
    steps += [reply("write_file", path=name, content="42") for name in outputs]
    steps += [reply("write_file", path=name, content="changed") for name in goal.files]
    return steps + [reply("finish", reason="done")] * 6


@pytest.mark.parametrize("goal", [g for g in _corpus().load_goals() if g.files], ids=lambda g: g.name)
def test_no_check_tells_the_model_to_write_into_an_input(goal, tmp_path):
    not_met = lambda req: {k: {"evidence": "It is not done.", "met": False} for k in req.response_schema["properties"]}  # noqa: E731
    done = run(tmp_path, goal.goals, _careless(goal), files=dict(goal.files), verify=not_met, max_steps=40)
    inputs = [name for name in goal.files if name not in goal.changes]
    for event in done.fired:
        for name in inputs:  # named as a place to write into (a check may name it as what to read, or what stays)
            whole = rf"{re.escape(name)}(?![\w-]|\.\w)"  # diary.txt, not diary.txt.bak
            into = re.compile(rf"(?:\bwrite|\bwrites|\bwritten|\bappend|\bput|\bsave|\binto|写入|写到|保存到|追加到|"
                              rf"write_file\(path=)[^.。;；\n]{{0,40}}?['\"“]?{whole}|"
                              rf"copyfile\([^)]*,\s*['\"]{whole}")
            said = event.message.split("Write the result to", 1)[-1].split("请把结果写入", 1)[-1] \
                if event.check == "keep_inputs" else event.message
            assert not into.search(said), f"{event.check} says to write into the input {name}: {event.message}"
    for name in inputs:
        assert (done.workspace / name).read_text(encoding="utf-8") == goal.files[name]


# --- a resumed run judges as the first one did ---------------------------------------------------------------

_DATA = "item,amount\npen,12.50\nbook,30.25\n"
_GOAL = "Read sales.csv, add up the amount column and write the total to total.txt."
_SCRIPT = [
    reply("write_file", path="sales.csv", content="x"),  # keep_inputs
    reply("read_file", path="missing.csv"),  # fails
    reply("read_file", path="missing.csv"),  # repeat
    reply("finish", reason="done"),  # missing_outputs
    reply("write_file", path="total.txt", content="999"),  # typed_numbers
    reply("finish", reason="done"),  # unseen_numbers
    reply("finish", reason="done"),  # the verifier says met: finished
]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    env.update(AUTOGPT_DATA_DIR=str(data_dir), AUTOGPT_LESSONS="false")
    return env


def _firings(data_dir: Path, task_id: str) -> list[tuple[int, str, str]]:
    from autogpt.store.sqlite import SQLiteStore

    store = SQLiteStore(data_dir / "autogpt.db")
    try:
        events = store.events(task_id)
    finally:
        store.close()
    # refusals and notes: a menu is narrowed again when a step is thought again after a kill, which is as it should be
    return [(e["step"], e["check"], e["message"]) for _, e in events
            if e.get("type") == "check" and e["verdict"] in ("refuse", "note")]


def _start(tmp_path: Path, name: str, script: list, resume: str | None, data_dir: Path) -> subprocess.Popen:
    path = tmp_path / f"{name}.json"
    # a second of "thinking" per reply: a kill sent when the model starts thinking lands while it thinks
    path.write_text(json.dumps([{"delay": 1.0}, {"verify": "met"}, *script]), encoding="utf-8")
    args = ["run", "--json", "--continuous", "--checks", "full", "--model", f"scripted:{path}"]
    args += ["--resume", resume] if resume else ["-g", _GOAL, "-w", str(tmp_path / f"ws-{name}")]
    return subprocess.Popen([sys.executable, "-m", "autogpt", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=_env(data_dir))


def test_a_run_killed_and_resumed_gives_the_same_refusals_and_notes(tmp_path):
    for name in ("whole", "killed"):
        (tmp_path / f"ws-{name}").mkdir()
        (tmp_path / f"ws-{name}" / "sales.csv").write_text(_DATA)
    whole_data, killed_data = tmp_path / "data-whole", tmp_path / "data-killed"
    proc = _start(tmp_path, "whole", _SCRIPT, None, whole_data)
    whole_id = json.loads(proc.stdout.readline())["run_id"]
    proc.communicate(timeout=120)
    expected = _firings(whole_data, whole_id)
    assert {check for _, check, _ in expected} >= {"keep_inputs", "repeat", "missing_outputs", "typed_numbers",
                                                   "unseen_numbers"}
    # the same script, killed with SIGKILL while the model thinks at steps 3, 5 and 6, resumed each time
    task_id, used, kills = None, 0, 0
    for kill_at in (3, 5, 6, None):
        proc = _start(tmp_path, f"killed{used}", _SCRIPT[used:], task_id, killed_data)
        for line in proc.stdout:
            event = json.loads(line)
            task_id = task_id or event["run_id"]
            if event["type"] == "thinking" and event["step"] == kill_at:
                proc.send_signal(signal.SIGKILL)
                kills += 1
                break
        proc.wait(timeout=120)
        used = _consumed(killed_data, task_id)  # the replies the stored run has used (as a resume sees them)
    assert task_id is not None and kills == 3
    assert _firings(killed_data, task_id) == expected


def _consumed(data_dir: Path, task_id: str) -> int:
    from autogpt.store.sqlite import SQLiteStore

    store = SQLiteStore(data_dir / "autogpt.db")
    try:
        record = store.get_task(task_id)
        steps = store.history(task_id)
    finally:
        store.close()
    state = record.state or {}
    return len(steps) + (state.get("pending") is not None) + (state.get("running") is not None)
