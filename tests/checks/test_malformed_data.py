"""``malformed_data``: a program that fails to parse a data file as JSON is told where the file is broken, and that
the file stays as it is (or, when the goals say to repair it, to repair it)."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

ITEMS = '[\n  {"item": "pen", "price": 1.10, "qty": 12,},\n  {"item": "ink", "price": 4.00, "qty": 2}\n]\n'
LOAD = "import json\nwith open('items.json') as f:\n    data = json.load(f)\nprint(data)"
REPAIR = ("import json, re\ntext = re.sub(r',\\s*([}\\]])', r'\\1', open('items.json').read())\n"
          "print(round(sum(i['price'] * i['qty'] for i in json.loads(text)), 2))")


def test_a_json_decode_error_says_where_and_how_without_changing_the_file(tmp_path):
    # The model's json.load failed on a trailing comma; it then tried to pip install json, twice, and gave up.
    steps = [reply("execute_python", code=LOAD), reply("execute_python", code=REPAIR),
             reply("write_file", path="total.txt", content="21.20"), reply("finish", reason="done")]
    done = run(tmp_path, ["items.json lists items with a price and a qty. Write the total value to total.txt."], steps,
               files={"items.json": ITEMS})
    fired = done.of("malformed_data")
    assert [(e.step, e.verdict) for e in fired] == [(1, "note")]
    assert "line 2" in fired[0].message and "Keep items.json as it is" in fired[0].message
    assert (done.workspace / "items.json").read_text() == ITEMS and "21.2" in done.observation(2)
    assert done.result.status == "finished"


def test_a_file_the_goals_say_to_repair_is_to_be_repaired_in_chinese(tmp_path):
    steps = [reply("execute_python", code=LOAD), reply("finish", reason="好了")]
    done = run(tmp_path, ["修复 items.json 中的语法错误，使它成为合法的 JSON。"], steps, files={"items.json": ITEMS},
               checks="light")
    (fired,) = done.of("malformed_data")
    assert "写回" in fired.message and "第 2 行" in fired.message


def test_a_text_file_loaded_as_json_is_named_not_the_valid_json_beside_it(tmp_path):
    # The model json-loaded inventory.txt ("widget: 14" lines); the note blamed prices.json, which is valid.
    code = ("import json\ninventory = json.load(open('inventory.txt'))\nprices = json.load(open('prices.json'))\n"
            "print(sum(q * prices[k] for k, q in inventory.items()))")
    steps = [reply("execute_python", code=code), reply("finish", reason="done")]
    done = run(tmp_path, ["inventory.txt gives quantities and prices.json unit prices; write the total value to "
                          "total.txt."], steps,
               files={"inventory.txt": "widget: 14\ngadget: 3\n", "prices.json": '{"widget": 2.75, "gadget": 19.99}'},
               checks="light")
    (fired,) = done.of("malformed_data")
    assert "inventory.txt is not JSON" in fired.message and "widget: 14" in fired.message
    assert "prices.json" not in fired.message


def test_other_failures_and_valid_json_are_not_noted(tmp_path):
    steps = [reply("execute_python", code="import json\nprint(json.loads('[1, 2]')[5])"),
             reply("execute_python", code="import json\njson.loads('{bad')"), reply("finish", reason="done")]
    done = run(tmp_path, ["Print the sixth number of a list"], steps, checks="light")
    assert not done.of("malformed_data")  # an IndexError, and a decode error of no file of the task's


@pytest.mark.parametrize("name", ["expenses_json_total", "app_config_json", "zh_app_config_json"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "malformed_data"]
