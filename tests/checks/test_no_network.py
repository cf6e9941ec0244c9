"""``no_network``: a program that tried the network or pip is told the sandbox has neither."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def test_a_program_that_fetches_a_page_is_told_there_is_no_network(tmp_path):
    code = "import urllib.request\nprint(urllib.request.urlopen('http://example.com').read()[:100])"
    done = run(tmp_path, ["What is on example.com? Write it to page.txt"],
               [reply("execute_python", code=code), reply("finish", reason="no network")], checks="light")
    assert [e.verdict for e in done.of("no_network")] == ["note"]
    assert "without any network" in done.observation(1)


def test_pip_from_a_program_is_noted_in_chinese(tmp_path):
    code = "import subprocess\nsubprocess.run(['pip', 'install', 'requests'])\nprint('ok')"
    done = run(tmp_path, ["用 requests 下载网页"], [reply("execute_python", code=code), reply("finish", reason="好")],
               checks="light")
    assert done.of("no_network") and "不能安装软件包" in done.observation(1)


@pytest.mark.parametrize("name", ["times_table_script", "zh_sum_1_to_100"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "no_network"]


def test_a_module_that_is_not_installed_is_named(tmp_path):
    done = run(tmp_path, ["Compute the sum of the primes below 2000 and write it to answer.txt"],
               [reply("execute_python", code="import sympy\nprint(1)"), reply("finish", reason="done")], checks="light")
    assert "sympy is not installed" in done.observation(1)
