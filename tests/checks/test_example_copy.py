"""``example_copy``: a command the instructions' worked examples show, sent for a task that is not the example's,
is not run."""

import pytest
from checkrun import ordinary, run

from autogpt.agent.prompts import example_commands
from autogpt.testing import reply

SQUARES = next(args["code"] for tool, args, _ in example_commands() if tool == "execute_python")
GOAL = ("customers.csv has the columns customer_id and name; orders.csv has the columns order_id, customer_id and "
        "amount. Write customer_totals.csv with the header name,total and one row for every customer.")


def test_the_examples_commands_replayed_for_another_task_are_refused(tmp_path):
    # A small model lost in a CSV join wrote the example's year.txt and ran its sum of squares.
    steps = [reply("write_file", path="year.txt", content="1889"), reply("execute_python", code=SQUARES),
             reply("write_file", path="customer_totals.csv", content="name,total\nAmara,10\n"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"customers.csv": "customer_id,name\nC1,Amara\n",
                                               "orders.csv": "order_id,customer_id,amount\n1,C1,10\n"},
               checks="light")
    assert [e.step for e in done.of("example_copy")] == [1, 2]
    said = done.observation(1)
    assert "example" in said and "customer_totals.csv" in said
    assert not (done.workspace / "year.txt").exists()


def test_the_examples_own_task_may_use_its_command(tmp_path):
    steps = [reply("write_file", path="year.txt", content="1889"), reply("finish", reason="done")]
    done = run(tmp_path, ["Write the year the Eiffel Tower was finished to year.txt"], steps, checks="light")
    assert not done.of("example_copy") and (done.workspace / "year.txt").read_text() == "1889"


def test_a_goal_about_squares_may_run_the_same_program(tmp_path):
    steps = [reply("execute_python", code=SQUARES), reply("write_file", path="sq.txt", content="385"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Compute the sum of the squares of 1 to 10 and write it to sq.txt"], steps)
    assert not done.of("example_copy")


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="year.txt", content="1889"), reply("write_file", path="诗.txt", content="春眠不觉晓"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["写一句关于春天的诗到 诗.txt"], steps, checks="light")
    assert done.of("example_copy") and "示例" in done.observation(1)


def test_the_file_example_is_no_replay(tmp_path):
    # "hello" to a.txt is what a real task may well ask for in other words
    steps = [reply("write_file", path="a.txt", content="hello"), reply("finish", reason="done")]
    assert not run(tmp_path, ["Greet the user in a file"], steps, checks="light").of("example_copy")


@pytest.mark.parametrize("name", ["hello_script", "apollo11_year", "zh_sum_1_to_100"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "example_copy"]
