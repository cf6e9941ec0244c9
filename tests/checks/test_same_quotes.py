"""``same_quotes``: a program that fails only because an f-string holds its own quote mark inside its braces
(``f'{row['id']}'``, valid from Python 3.12) is shown back with the inner quotes changed; a .py file written so is
too (``compiles``)."""

import sys

import pytest
from checkrun import ordinary, run

from autogpt.checks.hygiene import same_quotes_fixed
from autogpt.testing import reply

ORDERS = '[{"id": 501, "customer": "Nadia Haddad", "total": 84.5}, {"id": 502, "customer": "Okafor, Chidi", "total": 67.8}]'
PROGRAM = ("import json\nwith open('orders.csv', 'w') as f:\n    for order in json.load(open('orders.json')):\n"
           "        f.write(f'{order['id']},{order['total']}\\n')\nprint('done')")
old_python = pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 and later accept these f-strings")


@pytest.mark.parametrize(("code", "fixed"), [
    ("print(f'{row['id']}')", """print(f'{row["id"]}')"""),
    ('print(f"{row["id"]:>{w}} {\'x\'}")', """print(f"{row['id']:>{w}} {'x'}")"""),
    ("print(f'{{braces}} {a['k']}')  # it's", """print(f'{{braces}} {a["k"]}')  # it's"""),
    ("s = 'it\\'s' + rf'{a['b']}\\d'", """s = 'it\\'s' + rf'{a["b"]}\\d'"""),
])
def test_inner_quotes_are_changed(code, fixed):
    assert same_quotes_fixed(code) == fixed


@pytest.mark.parametrize("code", ["print(f'{x}')", "doc = '''f'{a['b']}''' ", "print(f'{a['b']')"])
def test_nothing_to_change_or_still_broken(code):
    assert same_quotes_fixed(code) is None


@old_python
def test_a_failed_program_gets_its_mended_version(tmp_path):
    fixed = same_quotes_fixed(PROGRAM)
    steps = [reply("execute_python", code=PROGRAM), reply("execute_python", code=fixed), reply("finish", reason="done")]
    done = run(tmp_path, ["Write orders.csv with id,total for each order in orders.json."], steps,
               files={"orders.json": ORDERS})
    (fired,) = done.of("same_quotes")
    assert fired.step == 1 and """order["id"]""" in fired.message and "3.1" in fired.message
    assert (done.workspace / "orders.csv").read_text() == "501,84.5\n502,67.8\n"


@old_python
def test_a_file_in_chinese(tmp_path):
    steps = [reply("write_file", path="report.py", content=PROGRAM), reply("finish", reason="好了"),
             reply("finish", reason="好了")]
    done = run(tmp_path, ["写一个脚本 report.py，把 orders.json 中每个订单的 id 和 total 写入 orders.csv。"], steps,
               files={"orders.json": ORDERS})
    fired = done.of("compiles")
    assert fired and "引号" in fired[0].message and """order["total"]""" in fired[0].message


@pytest.mark.parametrize("name", ["hello_script", "filter_csv_rows", "zh_sort_csv_rows"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check in ("same_quotes", "compiles")]
