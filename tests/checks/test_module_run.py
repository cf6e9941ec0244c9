"""``module_run``: a module of functions run as a program prints nothing and tests nothing: a test that imports it
is shown."""

import pytest
from checkrun import ordinary, run
from test_definitions import GOAL, MODULE, TEST

from autogpt.testing import reply


def test_a_module_run_alone_is_shown_a_test(tmp_path):
    # The model ran duration.py again and again; it printed nothing each time.
    steps = [reply("write_file", path="duration.py", content=MODULE), reply("execute_python_file", path="duration.py"),
             reply("execute_python", code=TEST), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    (fired,) = done.of("module_run")
    assert fired.step == 2 and "from duration import parse_duration" in fired.message and "5400" in fired.message
    assert done.result.status == "finished" and done.result.steps == 4


def test_a_script_that_prints_is_not_a_module_run(tmp_path):
    script = "def main():\n    print('hi')\n\nmain()\n"
    steps = [reply("write_file", path="hi.py", content=script), reply("execute_python_file", path="hi.py"),
             reply("finish", reason="done")]
    assert not run(tmp_path, ["Write a Python script hi.py that prints hi, and run it."], steps).of("module_run")


@pytest.mark.parametrize("name", ["hello_script", "greet_args_script", "zh_countdown_script", "times_table_script"])
def test_module_run_quiet_on_ordinary_scripts(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "module_run"]
