"""``code_as_result``: a program written into the file where a computing goal wants its result is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

GOAL = "Compute the sum of all prime numbers below 100 and write only that number to answer.txt."
PROGRAM = "total = sum(n for n in range(2, 100) if all(n % d for d in range(2, n)))\nprint(total)"


def test_a_program_written_as_the_answer_is_refused_once_then_run(tmp_path):
    steps = [reply("write_file", path="answer.txt", content=PROGRAM), reply("execute_python", code=PROGRAM),
             reply("write_file", path="answer.txt", content="1060"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps)
    assert [e.step for e in done.of("code_as_result")] == [1]
    assert "execute_python" in done.observation(1) and (done.workspace / "answer.txt").read_text() == "1060"


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="answer.txt", content="print(sum(range(101)))"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["计算 1 到 100 的和，写入 answer.txt"], steps)
    assert "这是一段 Python 程序" in done.observation(1)


def test_code_the_goals_ask_for_is_written(tmp_path):
    steps = [reply("write_file", path="primes.txt", content=PROGRAM), reply("finish", reason="done")]
    done = run(tmp_path, ["Write a short Python program that prints the primes below 100 to primes.txt"], steps)
    assert not done.of("code_as_result")


@pytest.mark.parametrize("name", ["csv_column_sum", "zh_sum_1_to_100", "hello_script"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "code_as_result"]
