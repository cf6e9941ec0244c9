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


def test_a_file_to_add_to_that_a_program_emptied_is_put_back_with_its_lines(tmp_path):
    # The item was appended right; then a program rewrote the list with the item alone.
    todo = "buy milk\ncall the plumber\n"
    steps = [reply("append_file", path="todo.txt", content="renew passport\n"),
             reply("execute_python", code="open('todo.txt', 'w').write('renew passport')"),
             reply("append_file", path="todo.txt", content="renew passport\n"), reply("finish", reason="done")]
    done = run(tmp_path, ["Add the item 'renew passport' as a new last line of todo.txt, keeping every existing "
                          "line unchanged."], steps, files={"todo.txt": todo}, checks="light")
    assert [(e.step, e.verdict) for e in done.of("restore_inputs")] == [(2, "note")]
    said = done.observation(2)
    assert "buy milk" in said and "append_file" in said
    assert (done.workspace / "todo.txt").read_text() == todo + "renew passport\n"


def test_a_program_that_adds_to_the_file_keeping_its_lines_is_left_alone(tmp_path):
    steps = [reply("execute_python", code="open('todo.txt', 'a').write('renew passport\\n')"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Add the item 'renew passport' as a new last line of todo.txt."], steps,
               files={"todo.txt": "buy milk\n"}, checks="light")
    assert not done.of("restore_inputs")
    assert (done.workspace / "todo.txt").read_text() == "buy milk\nrenew passport\n"


def test_lines_put_back_are_said_in_chinese(tmp_path):
    steps = [reply("execute_python", code="open('清单.txt', 'w').write('续签护照')"),
             reply("append_file", path="清单.txt", content="续签护照\n"), reply("finish", reason="好了")]
    done = run(tmp_path, ["在 清单.txt 末尾追加一行“续签护照”，保留原有的每一行。"], steps,
               files={"清单.txt": "买牛奶\n"}, checks="light")
    assert "已恢复" in done.observation(1) and "append_file" in done.observation(1)
    assert (done.workspace / "清单.txt").read_text() == "买牛奶\n续签护照\n"
