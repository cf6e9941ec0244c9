"""``fresh_process``: a program that uses a name it never defined is told each program runs on its own."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

INVENTORY = "widget: 14\ngadget: 3\n"


def test_data_read_earlier_is_not_defined_in_a_new_program(tmp_path):
    # The model read inventory.txt, then wrote programs that used `inventory` as if it were defined.
    steps = [reply("read_file", path="inventory.txt"),
             reply("execute_python", code="print(sum(inventory.values()))"),
             reply("execute_python", code="inventory = {}\nfor line in open('inventory.txt'):\n    k, v = "
                                          "line.split(':')\n    inventory[k] = int(v)\nprint(sum(inventory.values()))"),
             reply("write_file", path="total.txt", content="17"), reply("finish", reason="done")]
    done = run(tmp_path, ["Add up the quantities in inventory.txt and write the total to total.txt"], steps,
               files={"inventory.txt": INVENTORY})
    assert [e.step for e in done.of("fresh_process")] == [2]
    assert "open('inventory.txt')" in done.observation(2)
    assert done.result.status == "finished"


def test_an_undefined_helper_in_chinese(tmp_path):
    steps = [reply("execute_python", code="print(helper(3))"), reply("finish", reason="好了")]
    done = run(tmp_path, ["计算 3 的平方，写入 a.txt"], steps, checks="light")
    assert "单独运行" in done.observation(1) and "helper" in done.observation(1)


def test_other_errors_are_not_noted(tmp_path):
    steps = [reply("execute_python", code="print(1/0)"), reply("finish", reason="done")]
    assert not run(tmp_path, ["Divide 1 by 0 and write it to a.txt"], steps, checks="light").of("fresh_process")


@pytest.mark.parametrize("name", ["inventory_top_item", "zh_math_average"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "fresh_process"]


def test_a_file_name_used_as_a_variable_is_named(tmp_path):
    steps = [reply("execute_python", code="total = 0\nfor item in input.json:\n    total += item['price']\nprint(total)"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["input.json lists items with a price. Write their total to total.txt."], steps,
               files={"input.json": '[{"price": 2}]'}, checks="light")
    assert "open('input.json')" in done.observation(1) and "not a variable" in done.observation(1)


def test_a_module_used_without_its_import_is_named_with_the_line(tmp_path):
    steps = [reply("execute_python", code="print(json.dumps([1]))"), reply("execute_python", code="print(pd.DataFrame())"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Print a JSON list"], steps, checks="light")
    assert "import json" in done.observation(1) and "import pandas as pd" in done.observation(2)


def test_the_file_named_is_the_input_not_the_output(tmp_path):
    steps = [reply("write_file", path="orders.csv", content="id,total"),
             reply("execute_python", code="for o in orders:\n    print(o)"), reply("finish", reason="done")]
    done = run(tmp_path, ["orders.json holds orders. Write orders.csv with the header id,total and a row per order."],
               steps, files={"orders.json": '[{"id": 1, "total": 2}]'}, checks="light")
    assert "open('orders.json')" in done.observation(2)


def test_a_name_unlike_any_file_points_to_the_goals_one_input(tmp_path):
    steps = [reply("execute_python", code="print(sum(i['price'] for i in items))"), reply("finish", reason="done")]
    done = run(tmp_path, ["input.json lists items with a price. Write their total to total.txt."], steps,
               files={"input.json": '[{"price": 2}]'}, checks="light")
    assert "open('input.json')" in done.observation(1) and "items" in done.observation(1)
