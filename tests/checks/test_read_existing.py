"""``read_existing``: read_file may name only files there are (the menu, for small models' grammar)."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply


def _read_file_paths(request):
    schema = request.response_schema["properties"]["command"]
    for branch in schema.get("anyOf", [schema]):
        if branch["properties"]["name"]["const"] == "read_file":
            return branch["properties"]["args"]["properties"]["path"].get("enum")
    return None


def test_read_file_is_left_out_in_an_empty_workspace_and_then_names_the_files_there_are(tmp_path):
    steps = [reply("write_file", path="a.txt", content="hi"), reply("read_file", path="a.txt"),
             reply("finish", reason="done")]
    done = run(tmp_path, ["Write hi to a.txt"], steps)
    first, second = done.model.calls[0], done.model.calls[1]
    names = [b["properties"]["name"]["const"] for b in first.response_schema["properties"]["command"]["anyOf"]]
    assert "read_file" not in names
    assert _read_file_paths(second) == ["a.txt"]
    assert not done.of("read_existing")  # shaping the menu by the workspace is not a firing


def test_light_leaves_read_file_free(tmp_path):
    done = run(tmp_path, ["Write hi to a.txt"], [reply("write_file", path="a.txt", content="hi"),
                                                 reply("finish", reason="done")], checks="light")
    assert _read_file_paths(done.model.calls[1]) is None


@pytest.mark.parametrize("name", ["article_summary", "zh_faq_service_hours"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "read_existing"]
