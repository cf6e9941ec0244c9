"""``read_again``: a file read in one of the last few steps, unchanged since, is not read again."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

CUSTOMERS = "José;Zürich\nAnaïs;Genève\nJürgen;Zürich\n"
GOAL = "customers.txt lists one customer per line in the form name;city. Write the names of the customers whose " \
       "city is Zürich to zurich.txt, one per line."
PROGRAM = ("names = [l.split(';')[0] for l in open('customers.txt', encoding='utf-8') if l.strip().endswith('Zürich')]"
           "\nopen('zurich.txt', 'w').write('\\n'.join(names) + '\\n')\nprint(names)")


def test_a_file_read_again_unchanged_is_refused(tmp_path):
    # The motivating run read customers.txt at steps 1, 4, 7 and 9 between programs that failed.
    steps = [reply("read_file", path="customers.txt"), reply("execute_python", code="print(names)"),
             reply("read_file", path="customers.txt"), reply("execute_python", code=PROGRAM),
             reply("finish", reason="done")]
    done = run(tmp_path, [GOAL], steps, files={"customers.txt": CUSTOMERS})
    assert [(e.step, e.verdict) for e in done.of("read_again")] == [(3, "refuse")]
    assert "step 1" in done.observation(3) and "has not changed" in done.observation(3)
    assert done.result.status == "finished"


def test_a_file_changed_since_or_read_long_ago_may_be_read(tmp_path):
    steps = [reply("read_file", path="customers.txt"),
             reply("append_file", path="customers.txt", content="Chloé;Zürich\n"),
             reply("read_file", path="customers.txt"),  # changed since: allowed
             reply("list_folder"), reply("list_folder", path="."), reply("execute_python", code="print(1)"),
             reply("read_file", path="customers.txt"),  # three steps later: no longer shown whole
             reply("execute_python", code=PROGRAM), reply("finish", reason="done")]
    done = run(tmp_path, ["Add Chloé;Zürich to customers.txt. " + GOAL], steps, files={"customers.txt": CUSTOMERS},
               checks="light")
    assert not done.of("read_again")


def test_in_chinese(tmp_path):
    steps = [reply("read_file", path="客户.txt"), reply("list_folder"), reply("read_file", path="客户.txt"),
             reply("write_file", path="苏黎世.txt", content="José\n"), reply("finish", reason="好了")]
    done = run(tmp_path, ["把 客户.txt 里城市是 Zürich 的客户名字写入 苏黎世.txt。"], steps,
               files={"客户.txt": CUSTOMERS}, checks="light")
    assert done.of("read_again") and "已经读过" in done.observation(3)


@pytest.mark.parametrize("name", ["faq_return_days", "zh_faq_service_hours", "copy_notes", "word_count_report"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "read_again"]
