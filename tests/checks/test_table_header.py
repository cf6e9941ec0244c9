"""``table_header``: a table the goals ask for that starts with an input's data row, its header lost, is refused
once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ORDERS = ("order_id,customer,status,amount\n1001,Harbor Foods,shipped,120.50\n1002,Nimbus Labs,pending,75.00\n"
          "1003,Greenleaf Cafe,shipped,42.10\n")
GOAL = ("orders.csv has the columns order_id, customer, status and amount. Write a file named shipped.csv that "
        "contains the header row and only the rows whose status is exactly shipped, in their original order.")
# The motivating program: it keeps only the matching rows, so the header row (status "status") is dropped.
DROPS_HEADER = ("import csv\nwith open('orders.csv') as f, open('shipped.csv', 'w', newline='') as out:\n"
                "    w = csv.writer(out)\n    for row in csv.reader(f):\n        if row[2] == 'shipped':\n"
                "            w.writerow(row)\n")
KEEPS_HEADER = DROPS_HEADER.replace("if row[2] == 'shipped'", "if row[2] in ('shipped', 'status')")


def test_a_table_written_without_its_header_is_refused_once(tmp_path):
    steps = [reply("execute_python", code=DROPS_HEADER), reply("finish", reason="done"),
             reply("execute_python", code=KEEPS_HEADER), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.csv": ORDERS})
    assert [(e.step, e.verdict) for e in done.of("table_header")] == [(2, "refuse")]
    said = done.observation(2)
    assert "header" in said and "order_id,customer,status,amount" in said and "1001" in said
    assert (done.workspace / "shipped.csv").read_text().startswith("order_id,")
    assert done.result.status == "finished"


def test_sent_again_it_finishes(tmp_path):
    steps = [reply("execute_python", code=DROPS_HEADER), reply("finish", reason="done"),
             reply("finish", reason="no header wanted")]
    done = run(tmp_path, [GOAL], steps, files={"orders.csv": ORDERS})
    assert len(done.of("table_header")) == 1 and done.result.status == "finished"


def test_a_goal_that_asks_for_no_header_is_left_alone(tmp_path):
    steps = [reply("execute_python", code=DROPS_HEADER), reply("finish", reason="done")]
    done = run(tmp_path, ["Write the rows of orders.csv whose status is shipped to shipped.csv, without the header "
                          "row."], steps, files={"orders.csv": ORDERS})
    assert not done.of("table_header") and done.result.status == "finished"


def test_in_chinese(tmp_path):
    steps = [reply("execute_python", code=DROPS_HEADER), reply("finish", reason="好了"),
             reply("execute_python", code=KEEPS_HEADER), reply("finish", reason="好了")]
    done = run(tmp_path, ["orders.csv 有 order_id、customer、status、amount 四列。把 status 为 shipped 的行连同表头写入 "
                          "shipped.csv。"], steps, files={"orders.csv": ORDERS})
    assert done.of("table_header") and "表头" in done.observation(2)


@pytest.mark.parametrize("name", ["filter_csv_rows", "zh_sort_csv_rows", "csv_column_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "table_header"]
