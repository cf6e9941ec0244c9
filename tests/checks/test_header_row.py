"""``header_row``: a program that turned a table's column name into a number is told the first line is the header."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

SALES = "date,product,amount\n2024-03-01,desk lamp,34.90\n2024-03-02,chair,89.50\n"
BY_HAND = ("total = 0\nfor line in open('data/sales.csv'):\n    if line.strip():\n"
           "        total += float(line.split(',')[2])\nprint(total)")
SKIP = "import csv\nprint(round(sum(float(r['amount']) for r in csv.DictReader(open('data/sales.csv'))), 2))"


def test_the_header_read_as_a_number_is_named(tmp_path):
    # The model split every line by hand, the header too; then it typed a total from memory.
    steps = [reply("execute_python", code=BY_HAND), reply("execute_python", code=SKIP),
             reply("write_file", path="total.txt", content="124.4"), reply("finish", reason="done")]
    done = run(tmp_path, ["Read data/sales.csv, add up its amount column and write the total to total.txt."], steps,
               files={"data/sales.csv": SALES})
    (fired,) = done.of("header_row")
    assert fired.step == 1 and "date,product,amount" in fired.message and "DictReader" in fired.message
    assert "124.4" in done.observation(2) and done.result.status == "finished"


def test_in_chinese_and_not_for_a_word_that_is_no_column(tmp_path):
    steps = [reply("execute_python", code=BY_HAND), reply("execute_python", code="float('abc')"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 data/sales.csv，计算 amount 列的总和，写入 total.txt。"], steps,
               files={"data/sales.csv": SALES}, checks="light")
    assert [e.step for e in done.of("header_row")] == [1] and "表头" in done.observation(1)


@pytest.mark.parametrize("name", ["csv_column_sum", "csv_average", "zh_orders_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "header_row"]
