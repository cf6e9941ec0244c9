"""``definitions``: a function or class the goals ask for is defined in none of the code: finish is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "Write a Python module duration.py with a function parse_duration(text) that returns a duration in seconds. " \
       "Examples: '1h30m' -> 5400, '45s' -> 45."
COMMENT = "# This is a Python module for parsing durations\n# Example usage: parse_duration('1h30m') -> 5400\n"
MODULE = ("import re\n\ndef parse_duration(text):\n    m = re.fullmatch(r'(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?', text)\n"
          "    if not text or not m:\n        raise ValueError(text)\n"
          "    h, mi, s = (int(g or 0) for g in m.groups())\n    return h * 3600 + mi * 60 + s\n")
TEST = "from duration import parse_duration\nprint(parse_duration('1h30m'), parse_duration('45s'))"


def test_a_module_of_comments_is_refused_once(tmp_path):
    # The module held a comment and an example, no function; running it printed nothing, and the model finished.
    steps = [reply("write_file", path="duration.py", content=COMMENT),
             reply("execute_python_file", path="duration.py"), reply("finish", reason="done"),
             reply("write_file", path="duration.py", content=MODULE), reply("execute_python", code=TEST),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    (fired,) = done.of("definitions")
    assert fired.step == 3 and "parse_duration" in fired.message and "duration.py" in fired.message
    assert done.result.status == "finished" and "def parse_duration" in (done.workspace / "duration.py").read_text()


def test_in_chinese_with_a_class_and_its_methods(tmp_path):
    code = "class Stack:\n    def push(self, item):\n        pass\n"
    steps = [reply("write_file", path="stack.py", content=code), reply("execute_python", code="import stack\nprint(1)"),
             reply("finish", reason="好了"), reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个 Python 模块 stack.py，定义类 Stack，包含方法 push(item) 和方法 pop()。"], steps)
    (fired,) = done.of("definitions")
    assert "pop" in fired.message and "push" not in fired.message and "没有定义" in fired.message


@pytest.mark.parametrize("name", ["median_module", "palindrome_module", "temperature_module", "zh_is_prime_module",
                                  "zh_average_module"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "definitions"]

