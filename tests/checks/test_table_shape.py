"""``table_shape``: a table whose header is not the one the goals give, or whose rows have another number of cells
than its header, is refused once."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ORDERS = ('[{"id": 501, "customer": "Nadia Haddad", "total": 84.5, "items": 3},\n'
          ' {"id": 502, "customer": "Okafor, Chidi", "total": 19.99, "items": 1}]\n')
GOAL = ("orders.json holds a JSON array of orders, each an object with the keys id, customer, total and items. Write "
        "a file named orders.csv with the header id,customer,total and one row per order, in the order of "
        "orders.json (leave out items). Use proper CSV quoting: some customer names contain a comma.")
RIGHT = ("import csv, json\nrows = json.load(open('orders.json'))\nwith open('orders.csv', 'w', newline='') as f:\n"
         "    w = csv.writer(f)\n    w.writerow(['id', 'customer', 'total'])\n"
         "    for r in rows:\n        w.writerow([r['id'], r['customer'], r['total']])\n")


def test_a_table_typed_by_hand_with_another_header_is_refused_once(tmp_path):
    # The motivating reply: the table typed by hand, items kept, the comma in a name unquoted.
    typed = "id,customer,total,items\n501,Nadia Haddad,84.5,3\n502,Okafor, Chidi,19.99,1\n"
    steps = [reply("write_file", path="orders.csv", content=typed), reply("finish", reason="done"),
             reply("execute_python", code=RIGHT), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.json": ORDERS})
    assert [(e.step, e.verdict) for e in done.of("table_shape")] == [(2, "refuse")]
    assert "id,customer,total" in done.observation(2) and "items" in done.observation(2)
    assert done.result.status == "finished"


def test_a_row_with_an_unquoted_comma_is_refused_once(tmp_path):
    typed = "id,customer,total\n501,Nadia Haddad,84.5\n502,Okafor, Chidi,19.99\n"
    steps = [reply("read_file", path="orders.json"), reply("write_file", path="orders.csv", content=typed),
             reply("finish", reason="done"), reply("read_file", path="orders.csv"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.json": ORDERS})
    said = done.observation(3)
    assert done.of("table_shape") and "row 3" in said and "4 cells" in said and "csv.writer" in said
    assert len(done.of("table_shape")) == 1 and done.result.status == "finished"  # sent again: it finishes


def test_a_right_table_passes(tmp_path):
    steps = [reply("execute_python", code=RIGHT), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"orders.json": ORDERS})
    assert not done.of("table_shape")
    assert '"Okafor, Chidi"' in (done.workspace / "orders.csv").read_text()


def test_a_file_named_after_header_is_no_header(tmp_path):
    # "the header row of scores.csv, then ..." names a file, not columns
    steps = [reply("write_file", path="top.csv", content="name,score\nAda,9\n"), reply("finish", reason="done")]
    done = run(tmp_path, ["Write top.csv with the header row of scores.csv, then the best row."], steps,
               files={"scores.csv": "name,score\nAda,9\nBo,3\n"})
    assert not done.of("table_shape")


def test_in_chinese(tmp_path):
    steps = [reply("write_file", path="totals.csv", content="name,sum\nAda,9\n"), reply("finish", reason="好了"),
             reply("write_file", path="totals.csv", content="name,total\nAda,9\n"), reply("finish", reason="好了")]
    done = run(tmp_path, ["把每位客户的总额写入 totals.csv，表头为 name,total。"], steps)
    assert done.of("table_shape") and "表头" in done.observation(2)


@pytest.mark.parametrize("name", ["filter_csv_rows", "zh_sort_csv_rows", "zh_backup_contacts", "dedupe_members"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "table_shape"]
