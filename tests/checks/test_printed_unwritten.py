"""``printed_unwritten``: a computing goal's last program printed its answer, and the output the model typed does not
hold it: finish is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "F(1) = 1, F(2) = 1, and every later term is the sum of the two before it. Compute F(30) and write only that " \
       "number to answer.txt."
FIB = "a, b = 1, 1\nfor _ in range(28):\n    a, b = b, a + b\nprint(b)"


def test_an_answer_printed_and_never_written_is_refused_once(tmp_path):
    steps = [reply("write_file", path="answer.txt", content="1\n1"), reply("execute_python", code=FIB),
             reply("finish", reason="wrote 832040"), reply("write_file", path="answer.txt", content="832040"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    assert [e.step for e in done.of("printed_unwritten")] == [3]
    assert "832040" in done.observation(3) and "answer.txt" in done.observation(3)
    assert (done.workspace / "answer.txt").read_text() == "832040"


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="out.txt", content="100"),  # a number the goal shows: not unseen
             reply("execute_python", code="print(sum(range(1, 101)))"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["计算 1 到 100 的和，把结果写入 out.txt"], steps)
    assert "打印出 5050" in done.observation(3)


@pytest.mark.parametrize("steps", [
    # computed, then written: the file holds what was printed
    [reply("execute_python", code=FIB), reply("write_file", path="answer.txt", content="832040"),
     reply("finish", reason="done")],
    # written by the program itself, which then printed a count
    [reply("execute_python", code=FIB.replace("print(b)", "open('answer.txt', 'w').write(str(b))\nprint(1)")),
     reply("finish", reason="done")],
])
def test_quiet_when_the_answer_was_written(steps, tmp_path):
    assert not run(tmp_path, [GOAL], steps).of("printed_unwritten")


@pytest.mark.parametrize("name", ["csv_column_sum", "zh_char_count_report", "word_count_report"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "printed_unwritten"]
