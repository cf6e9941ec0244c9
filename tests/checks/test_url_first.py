"""``url_first``: goals that give web addresses start by reading one of them."""

from checkrun import run

from autogpt.testing import reply


def _commands(request):
    schema = request.response_schema["properties"]["command"]
    return {b["properties"]["name"]["const"]: b for b in schema.get("anyOf", [schema])}


def test_the_first_step_may_only_read_a_given_address(tmp_path):
    steps = [reply("write_file", path="a.txt", content="x"), reply("finish", reason="done")]
    done = run(tmp_path, ["Read http://127.0.0.1:9/about.html and write the founder's name to a.txt and the "
                          "year to b.txt"], steps)
    first = _commands(done.model.calls[0])
    assert list(first) == ["read_webpage"]
    assert first["read_webpage"]["properties"]["args"]["properties"]["url"]["enum"] == ["http://127.0.0.1:9/about.html"]
    assert "execute_python" in _commands(done.model.calls[1])  # only the first step


def test_goals_without_an_address_are_not_narrowed(tmp_path):
    done = run(tmp_path, ["Write the capital of France to a.txt"],
               [reply("write_file", path="a.txt", content="Paris"), reply("finish", reason="done")])
    assert "write_file" in _commands(done.model.calls[0])


def test_a_chinese_goal_with_an_address_starts_by_reading_it(tmp_path):
    done = run(tmp_path, ["阅读 http://127.0.0.1:9/a.html，把标题写入 t.txt"],
               [reply("write_file", path="t.txt", content="x"), reply("finish", reason="好")])
    assert list(_commands(done.model.calls[0])) == ["read_webpage"]
