"""``kept_values``: rows copied from an input table keep their values as the input writes them."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ORDERS = "order_id,customer,status,amount\n1001,Harbor Foods,shipped,120.50\n1002,Nimbus Labs,pending,75.00\n"
GOAL = "orders.csv has the columns order_id, customer, status and amount. Write shipped.csv with the header and the " \
       "rows whose status is shipped."
PANDAS = ("import pandas as pd\nd = pd.read_csv('orders.csv')\nd[d['status'] == 'shipped'].to_csv('shipped.csv', "
          "index=False)")
CSV = ("import csv\nrows = list(csv.reader(open('orders.csv')))\nw = csv.writer(open('shipped.csv', 'w', newline=''))\n"
       "w.writerows([rows[0]] + [r for r in rows[1:] if r[2] == 'shipped'])")


def test_numbers_pandas_rewrote_get_a_note_naming_both_forms(tmp_path):
    steps = [reply("execute_python", code=PANDAS), reply("execute_python", code=CSV), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.csv": ORDERS})
    assert [e.step for e in done.of("kept_values")] == [1]
    assert "120.5 " in done.observation(1) and "120.50" in done.observation(1) and "dtype=str" in done.observation(1)
    assert (done.workspace / "shipped.csv").read_text().splitlines()[1].endswith("120.50")


def test_the_note_is_in_chinese(tmp_path):
    steps = [reply("execute_python", code=PANDAS), reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 orders.csv，把状态为 shipped 的行（含表头）写入 shipped.csv"], steps,
               files={"orders.csv": ORDERS})
    assert "必须保持原样" in done.observation(1)


def test_rows_copied_as_written_and_computed_columns_are_quiet(tmp_path):
    totals = ("import csv\nrows = list(csv.reader(open('orders.csv')))[1:]\nw = csv.writer(open('totals.csv', 'w', "
              "newline=''))\nw.writerow(['customer', 'total'])\nw.writerows([[r[1], float(r[3])] for r in rows])")
    steps = [reply("execute_python", code=CSV), reply("execute_python", code=totals), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL + " Also write totals.csv with each customer's total."], steps,
               files={"orders.csv": ORDERS})
    assert not done.of("kept_values")


@pytest.mark.parametrize("name", ["filter_csv_rows", "zh_sort_csv_rows", "csv_column_sum"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "kept_values"]
