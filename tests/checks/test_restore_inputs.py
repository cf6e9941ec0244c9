"""``restore_inputs``: an input file a program changed or deleted is put back as it was, and the model told."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

DATA = '{"items": [{"price": 2, "qty": 3},]}\n'


def test_an_input_a_program_emptied_is_put_back(tmp_path):
    # A program opened the broken input.json for writing, failed, and left it empty.
    program = "f = open('input.json', 'w')\nraise SystemExit('cannot parse')"
    steps = [reply("execute_python", code=program), reply("finish", reason="done")]
    done = run(tmp_path, ["input.json lists items. Write their total value to total.txt."], steps,
               files={"input.json": DATA}, checks="light")
    assert [e.verdict for e in done.of("restore_inputs")] == ["note"]
    assert "put back" in done.observation(1)
    assert (done.workspace / "input.json").read_text() == DATA


def test_a_deleted_input_is_put_back_in_chinese(tmp_path):
    steps = [reply("execute_python", code="import os\nos.remove('data.csv')"), reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 data.csv，统计行数，写入 count.txt。"], steps, files={"data.csv": "a\nb\n"},
               checks="light")
    assert "已恢复原样" in done.observation(1)
    assert (done.workspace / "data.csv").read_text() == "a\nb\n"


@pytest.mark.parametrize("name", ["csv_column_sum", "zh_orders_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "restore_inputs"]
