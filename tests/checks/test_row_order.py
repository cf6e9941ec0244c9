"""``row_order``: a table the goals ask to sort by a column, with its rows in another order, is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

CUSTOMERS = "customer_id,name\nC1,Amara\nC2,Bruno\nC3,Carmen\n"
ORDERS = "order_id,customer_id,amount\n1,C1,10\n2,C2,45.5\n3,C1,5\n4,C3,20\n"
GOAL = ("customers.csv has the columns customer_id and name; orders.csv has the columns order_id, customer_id and "
        "amount. Write a file named customer_totals.csv with the header name,total and one row for every customer: "
        "the sum of the amounts of their orders, with the rows sorted by total from highest to lowest.")
PROGRAM = ("import pandas as pd\nc = pd.read_csv('customers.csv')\no = pd.read_csv('orders.csv')\n"
           "t = o.groupby('customer_id')['amount'].sum().rename('total').reset_index()\n"
           "r = c.merge(t, on='customer_id')[['name', 'total']]\n")
UNSORTED = PROGRAM + "r.to_csv('customer_totals.csv', index=False)\n"
SORTED = PROGRAM + "r.sort_values('total', ascending=False).to_csv('customer_totals.csv', index=False)\n"


@pytest.fixture
def files():
    return {"customers.csv": CUSTOMERS, "orders.csv": ORDERS}


def test_a_table_left_unsorted_is_refused_once(tmp_path, files):
    # The motivating run: the join was right, the sort left out.
    steps = [reply("execute_python", code=UNSORTED), reply("finish", reason="done"),
             reply("execute_python", code=SORTED), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files=files)
    assert [(e.step, e.verdict) for e in done.of("row_order")] == [(2, "refuse")]
    assert "total" in done.observation(2) and "highest first" in done.observation(2)
    assert (done.workspace / "customer_totals.csv").read_text().splitlines()[1].startswith("Bruno")
    assert done.result.status == "finished"


def test_a_sorted_table_passes_and_text_sorts_alphabetically(tmp_path, files):
    steps = [reply("execute_python", code=SORTED), reply("finish", reason="done")]
    assert not run(tmp_path, [GOAL], steps, files=files).of("row_order")
    names = PROGRAM + "r.sort_values('name').to_csv('out.csv', index=False)\n"
    steps = [reply("execute_python", code=names), reply("finish", reason="done")]
    done = run(tmp_path / "b", ["From customers.csv and orders.csv, write out.csv (name,total) sorted by name in "
                                "ascending order."], steps, files=files)
    assert not done.of("row_order")


def test_in_chinese(tmp_path):
    scores = "姓名,分数\n张三,88.50\n李四,92.00\n王五,75.00\n"
    steps = [reply("read_file", path="scores.csv"),
             reply("execute_python", code="open('sorted.csv', 'w').write(open('scores.csv').read())"),
             reply("finish", reason="好了"),
             reply("execute_python", code="import pandas as pd\npd.read_csv('scores.csv').sort_values('分数', "
                                          "ascending=False).to_csv('sorted.csv', index=False, float_format='%.2f')"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["读取 scores.csv（列：姓名,分数），按分数从高到低排序，表头不变，写入 sorted.csv。"], steps,
               files={"scores.csv": scores})
    assert done.of("row_order") and "从高到低" in done.observation(3)
    assert done.result.status == "finished"


@pytest.mark.parametrize("name", ["zh_sort_csv_rows", "filter_csv_rows", "inventory_top_item"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "row_order"]
