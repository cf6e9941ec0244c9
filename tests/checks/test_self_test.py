"""``self_test``: code the goals ask for is run before finish (a small test of the agent's own)."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

MODULE = "def slugify(text):\n    return '-'.join(text.lower().split())\n"
GOAL = "Write a module slugify.py with a function slugify(text), e.g. slugify('Hello World') == 'hello-world'."


def test_finish_with_a_module_never_run_is_refused_once_with_a_test_to_run(tmp_path):
    steps = [reply("write_file", path="slugify.py", content=MODULE), reply("finish", reason="done"),
             reply("execute_python", code="from slugify import slugify\nprint(slugify('Hello World'))"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    refusal = done.of("self_test")
    assert [e.step for e in refusal] == [2]
    assert "from slugify import slugify" in refusal[0].message and "'hello-world'" in refusal[0].message
    assert done.result.status == "finished" and done.result.steps == 4


def test_a_test_file_that_imports_the_module_counts(tmp_path):
    test = "from slugify import slugify\n\ndef test_it():\n    assert slugify('A B') == 'a-b'\n"
    steps = [reply("write_file", path="slugify.py", content=MODULE),
             reply("write_file", path="test_slugify.py", content=test),
             reply("execute_python_file", path="test_slugify.py"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    assert not done.of("self_test") and done.result.steps == 4


def test_a_module_changed_after_its_test_must_be_run_again_in_chinese(tmp_path):
    steps = [reply("write_file", path="calc.py", content="def add(a, b):\n    return a + b\n"),
             reply("execute_python", code="from calc import add\nprint(add(1, 2))"),
             reply("write_file", path="calc.py", content="def add(a, b):\n    return b + a\n"),
             reply("finish", reason="好了"), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个模块 calc.py，其中有函数 add(a, b)。"], steps)
    assert "还没有运行过" in done.observation(4)


def test_light_does_not_ask_for_a_test(tmp_path):
    steps = [reply("write_file", path="slugify.py", content=MODULE), reply("finish", reason="done")]
    assert not run(tmp_path, [GOAL], steps, checks="light").of("self_test")


@pytest.mark.parametrize("name", ["median_module", "zh_average_module", "greet_args_script"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "self_test"]


def test_running_the_module_alone_printing_nothing_is_no_test(tmp_path):
    goal = ("Write a module duration.py with a function parse_duration(text) returning seconds. "
            "Examples: '1h30m' -> 5400, '45s' -> 45.")
    module = "def parse_duration(text):\n    return 5400\n"
    steps = [reply("write_file", path="duration.py", content=module), reply("execute_python_file", path="duration.py"),
             reply("finish", reason="done"), reply("finish", reason="done")]
    done = run(tmp_path, [goal], steps)
    refusal = done.of("self_test")
    assert [e.step for e in refusal] == [3]
    assert "parse_duration('1h30m')" in refusal[0].message and "5400" in refusal[0].message
