"""``rest``: after a command was refused, its tool is left out of the next step's choices."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def _names(request):
    schema = request.response_schema["properties"]["command"]
    return [b["properties"]["name"]["const"] for b in schema.get("anyOf", [schema])]


def test_after_a_refused_finish_finish_rests_for_a_step(tmp_path):
    steps = [reply("finish", reason="done"), reply("write_file", path="a.txt", content="hello"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write hello to a.txt"], steps, checks="light")
    assert "finish" not in _names(done.model.calls[1]) and "finish" in _names(done.model.calls[2])
    assert [e.verdict for e in done.of("rest")] == ["narrow"]


def test_after_a_refused_write_the_writing_tool_rests(tmp_path):
    steps = [reply("write_file", path="in.txt", content="x"), reply("read_file", path="in.txt"),
             reply("write_file", path="out.txt", content="x"), reply("finish", reason="done")]
    done = run(tmp_path, ["Read in.txt and write its first word to out.txt"], steps, files={"in.txt": "x y\n"},
               checks="light")
    assert "write_file" not in _names(done.model.calls[1])


@pytest.mark.parametrize("name", ["article_summary", "zh_minutes_summary"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "rest"]


def test_after_a_program_tried_the_network_the_code_tools_rest(tmp_path):
    fetch = "import urllib.request\nprint(urllib.request.urlopen('http://127.0.0.1:9/a.html').read())"
    steps = [reply("execute_python", code=fetch), reply("write_file", path="a.txt", content="x"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Read the page and write its title to a.txt"], steps, checks="light")
    assert "execute_python" not in _names(done.model.calls[1]) and "execute_python" in _names(done.model.calls[2])
