"""``compiles``: Python code just written that does not compile is said so at once, with Python's error."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

STUB = "def wrap_text(text, width):\n    # Your code goes here\n"


def test_a_stub_module_is_told_it_does_not_compile(tmp_path):
    steps = [reply("write_file", path="wrap.py", content=STUB),
             reply("write_file", path="wrap.py", content="def wrap_text(text, width):\n    return [text]\n"),
             reply("execute_python", code="from wrap import wrap_text\nprint(wrap_text('a b', 1))"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write wrap.py with a function wrap_text(text, width)."], steps, checks="light")
    assert [e.step for e in done.of("compiles")] == [1]
    assert "IndentationError" in done.observation(1) and "line 2" in done.observation(1)


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="a.py", content="print('x'"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个脚本 a.py"], steps, checks="light")
    assert "无法编译" in done.observation(1)


@pytest.mark.parametrize("name", ["palindrome_module", "zh_countdown_script"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "compiles"]
