"""``failing_code``: finish asks once while code the run wrote failed the last time it ran."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

BROKEN = "def slugify(text):\n    return text.lower().replace(' ', '-'\n"
FIXED = "def slugify(text):\n    return text.lower().replace(' ', '-')\n"
TEST = "from slugify import slugify\nprint(slugify('Hello World'))"


def test_finish_after_a_failing_test_is_refused_once(tmp_path):
    steps = [reply("write_file", path="slugify.py", content=BROKEN), reply("execute_python", code=TEST),
             reply("finish", reason="done"), reply("write_file", path="slugify.py", content=FIXED),
             reply("execute_python", code=TEST + "\n"), reply("finish", reason="done")]
    done = run(tmp_path, ["Write a module slugify.py with a function slugify(text)."], steps, checks="light")
    assert [e.step for e in done.of("failing_code")] == [3]
    assert "slugify.py" in done.observation(3) and "SyntaxError" in done.observation(3)
    assert done.result.status == "finished" and done.result.steps == 6


def test_code_fixed_and_run_again_is_no_longer_failing(tmp_path):
    steps = [reply("write_file", path="slugify.py", content=BROKEN), reply("execute_python", code=TEST),
             reply("write_file", path="slugify.py", content=FIXED), reply("execute_python", code=TEST + "\n"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write a module slugify.py with a function slugify(text)."], steps, checks="light")
    assert not done.of("failing_code") and done.result.steps == 5


def test_the_refusal_is_in_chinese(tmp_path):
    steps = [reply("write_file", path="a.py", content="print(1/0)\n"), reply("execute_python_file", path="a.py"),
             reply("finish", reason="好了"), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个脚本 a.py 并运行它"], steps, checks="light")
    assert "上一次运行失败了" in done.observation(3)


@pytest.mark.parametrize("name", ["palindrome_module", "zh_is_prime_module"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "failing_code"]
