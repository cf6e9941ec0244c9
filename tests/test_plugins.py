"""Tool plugins: a package's ``autogpt.tools`` entry points, and functions by ``module:function``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autogpt import AutoGPT, Settings
from autogpt.errors import ConfigError
from autogpt.testing import ScriptedModel, reply
from autogpt.tools.plugins import installed, load_tools

PLUGIN = '''
from autogpt import tool


def shout(text: str) -> str:
    """Say the text in capitals.

    Args:
        text: What to say.
    """
    return text.upper() + "!"


@tool(name="count_letters")
def letters(text: str) -> int:
    """Count the letters of a text."""
    return sum(c.isalpha() for c in text)


BOTH = [shout, letters]
BROKEN = 42
'''


@pytest.fixture
def plugin_path(tmp_path, monkeypatch) -> Path:
    """An installed distribution (a .dist-info with entry points) and its module, on sys.path."""
    root = tmp_path / "site"
    (root / "autogpt_shout-0.1.dist-info").mkdir(parents=True)
    (root / "autogpt_shout-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: autogpt-shout\nVersion: 0.1\n")
    (root / "autogpt_shout-0.1.dist-info" / "entry_points.txt").write_text(
        "[autogpt.tools]\nshout = shout_tools:shout\nletters = shout_tools:letters\nbroken = shout_tools:BROKEN\n"
        "missing = no_such_module:thing\n")
    (root / "shout_tools.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(root))
    return root


def test_installed_plugins_are_discovered_and_loaded_by_name(plugin_path):
    assert {"shout", "letters", "broken", "missing"} <= set(installed())
    tools = load_tools(["shout", "letters"])
    assert [t.name for t in tools] == ["shout", "count_letters"]
    assert tools[0].spec()["parameters"]["properties"]["text"]["description"] == "What to say."


def test_functions_by_import_path(plugin_path):
    assert [t.name for t in load_tools(["shout_tools:BOTH"])] == ["shout", "count_letters"]


@pytest.mark.parametrize(("name", "message"), [
    ("nothing", "Unknown tool 'nothing'"),
    ("broken", "is a int, not a function"),
    ("missing", "Cannot load the plugin 'missing'"),
    ("shout_tools:nope", "has no 'nope'"),
    ("nowhere:thing", "no module 'nowhere'"),
    ("json:dumps", "needs a type hint"),
])
def test_what_cannot_be_loaded_says_why(plugin_path, name, message):
    with pytest.raises(ConfigError, match=message):
        load_tools([name])


def test_the_agent_uses_an_enabled_plugin(plugin_path, tmp_path):
    model = ScriptedModel([reply("shout", text="hello"), reply("finish", reason="Shouted.")])
    agent = AutoGPT(goals=["Shout hello"], model=model, workspace=tmp_path / "ws",
                    settings=Settings.load(tools=["shout"]))
    result = agent.run()
    assert result.status == "finished"
    assert result.history[0].observation == "HELLO!"
    names = [b["properties"]["name"]["const"] for b in model.calls[0].response_schema["properties"]["command"]["anyOf"]]
    assert "shout" in names and names[-1] == "finish" and "count_letters" not in names


def test_a_plugin_cannot_take_a_built_in_name(tmp_path):
    (tmp_path / "clash.py").write_text("def write_file(path: str) -> str:\n    '''Mine.'''\n    return path\n")
    with pytest.raises(ConfigError, match="name of a built-in tool"):
        AutoGPT(goals=["x"], settings=Settings.load(tools=["clash:write_file"]))


def test_cli_lists_plugins_and_runs_with_one(plugin_path, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), os.environ.get("PYTHONPATH", "")])}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "autogpt", *args], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=120)

    listed = [json.loads(line) for line in cli("tools", "--json").stdout.splitlines()]
    by_name = {row["name"]: row for row in listed}
    assert by_name["write_file"]["source"] == "built-in" and by_name["write_file"]["enabled"]
    assert not by_name["shout"]["enabled"] and "shout_tools:shout" in by_name["shout"]["source"]
    listed = [json.loads(line) for line in cli("tools", "--json", "--tool", "shout").stdout.splitlines()]
    assert {"name": "shout", "enabled": True, "source": "tools setting"}.items() <= \
        next(r for r in listed if r["name"] == "shout").items()
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("shout", text="hi"), reply("finish", reason="Shouted.")]))
    proc = cli("run", "--tool", "shout", "--continuous", "--json", "-w", str(tmp_path / "ws"),
               "--model", f"scripted:{script}", "-g", "Shout hi")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "HI!" in proc.stdout
    bad = cli("run", "--tool", "nothing", "-g", "x", "--continuous")
    assert bad.returncode == 2 and "Unknown tool 'nothing'" in bad.stderr and "Traceback" not in bad.stderr
