"""``empty_table``: a table the goals ask for is not finished with its header row alone."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ORDERS = '[{"id": 1, "customer": "Ann", "total": 5.5}, {"id": 2, "customer": "Bo", "total": 7.25}]'
GOAL = "orders.json holds a JSON array of orders with the keys id, customer and total. Write orders.csv with the " \
       "header id,customer,total and one row per order."


def test_a_table_with_its_header_alone_is_asked_about_once(tmp_path):
    # The model wrote the header, then finished saying so.
    steps = [reply("write_file", path="orders.csv", content="id,customer,total"), reply("finish", reason="done"),
             reply("write_file", path="orders.csv", content="id,customer,total\n1,Ann,5.5\n2,Bo,7.25"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.json": ORDERS})
    assert [e.step for e in done.of("empty_table")] == [2]
    assert "'id,customer,total'" in done.observation(2)
    assert done.result.steps == 4


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="out.csv", content="姓名,分数"), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["把 scores.csv 中及格的行写入 out.csv"], steps, files={"scores.csv": "姓名,分数\n甲,50\n"})
    assert "只有表头" in done.observation(2)


@pytest.mark.parametrize("name", ["filter_csv_rows", "zh_sort_csv_rows"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "empty_table"]
