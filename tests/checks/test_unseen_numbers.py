"""``unseen_numbers``: an output of a computing goal holds a number no command showed (typed, likely wrong)."""

import pytest
from checkrun import ordinary, run

from autogpt.checks.grounding import numbers, unseen
from autogpt.testing import reply

DATA = "item,amount\npen,12.50\nbook,30.25\nbag,47.10\n"
GOAL = "Read sales.csv, add up the amount column and write the total to total.txt."


def test_a_total_typed_after_reading_the_data_is_asked_about_once(tmp_path):
    steps = [reply("read_file", path="sales.csv"), reply("write_file", path="total.txt", content="89.95"),
             reply("finish", reason="done"),
             reply("execute_python", code="import csv\nprint(sum(float(r['amount']) for r in csv.DictReader("
                                          "open('sales.csv'))))"),
             reply("write_file", path="total.txt", content="89.85"), reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"sales.csv": DATA})
    assert [e.step for e in done.of("unseen_numbers")] == [3]
    assert "89.95" in done.observation(3) and "execute_python" in done.observation(3)
    assert done.result.status == "finished" and done.result.steps == 6


def test_a_number_a_file_states_is_no_typed_number(tmp_path):
    # Customer service: the FAQ says "within 30 days"; "how many days" is answered from it.
    steps = [reply("read_file", path="faq.md"), reply("write_file", path="answer.txt", content="30天"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["退货期限是多少天？根据 faq.md 回答，写入 answer.txt"], steps,
               files={"faq.md": "自签收之日起30天内可以退货。\n"})
    assert not done.of("unseen_numbers") and done.result.steps == 3


def test_a_known_fact_is_written_as_it_is(tmp_path):
    steps = [reply("write_file", path="moons.txt", content="2"), reply("finish", reason="done")]
    done = run(tmp_path, ["How many moons does Mars have? Write only the number to moons.txt."], steps)
    assert not done.of("unseen_numbers") and not done.of("typed_numbers")


@pytest.mark.parametrize(("text", "sources", "missing"), [
    ("79.87", ["79.86666666666666"], []),  # rounded
    ("79.86", ["79.86666666666666"], ["79.86"]),  # cut short is not rounding
    ("共 13 人", ["13"], []),
    ("Total: 1,234.50", ["1234.5"], []),
    ("sha: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ["no digest"],
     ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]),
])
def test_grounding_by_value_and_rounding(text, sources, missing):
    assert unseen(text, sources) == missing


def test_a_list_s_numbering_is_no_number():
    assert numbers("1. apples 3\n2. pears 4") == ["3", "4"]


@pytest.mark.parametrize("name", ["faq_return_days", "zh_faq_shipping_fee", "word_count_report", "mars_moons",
                                  "zh_quarters", "year_tips"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check in ("unseen_numbers", "typed_numbers")]


def test_a_program_that_prints_the_typed_number_as_it_is_computes_nothing(tmp_path):
    # Told its typed total was shown by no command, a small model ran print('385.00') and wrote it again.
    steps = [reply("write_file", path="total.txt", content="385.00"),
             reply("execute_python", code="print('385.00')"), reply("finish", reason="done"),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"sales.csv": DATA})
    assert [e.step for e in done.of("unseen_numbers")] == [3]
