"""``failed_before``: a command that failed, sent again while no file has changed, is not run."""

import pytest
from checkrun import ordinary, run

from autogpt.testing import reply

BROKEN = reply("execute_python", code="print(open('data.csv').read())")


def test_a_failed_program_sent_again_unchanged_is_not_run(tmp_path):
    done = run(tmp_path, ["Print data.csv"], [BROKEN, reply("list_folder"), BROKEN], checks="light")
    assert [e.step for e in done.of("failed_before")] == [3]
    assert "already failed at step 1" in done.observation(3)


def test_after_a_file_changed_the_same_program_runs_again(tmp_path):
    steps = [BROKEN, reply("write_file", path="data.csv", content="a,b\n1,2\n"), BROKEN,
             reply("finish", reason="printed")]
    done = run(tmp_path, ["Print data.csv"], steps, checks="light")
    assert not done.of("failed_before")
    assert "a,b" in done.observation(3)


def test_a_resumed_run_remembers_the_failure(tmp_path):
    from autogpt.checks import ChecksState

    done = run(tmp_path, ["Print data.csv"], [BROKEN, reply("list_folder")], checks="light", max_steps=2)
    from autogpt.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "autogpt-data" / "autogpt.db")
    state = ChecksState.model_validate(store.get_task(done.result.run_id).state["checks"])
    store.close()
    assert list(state.failed.values())[0][0] == 1


@pytest.mark.parametrize("name", ["csv_average", "zh_math_average"])
def test_quiet_on_ordinary_goals(name, tmp_path):
    assert not [e for e in ordinary(name, tmp_path) if e.check == "failed_before"]
