"""A short schemathesis run against the server's own OpenAPI schema (``/openapi.json``), in process (ASGI), with
scripted models: every operation with generated valid and invalid requests, then stateful sequences along the
schema's links (create a task, step it, upload, download...). No response may be a 5xx or break the schema.

The long run, with counts, is ``benchmarks/fuzz_server.py`` (same app, same checks).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

_FUZZ = Path(__file__).parents[1] / "benchmarks" / "fuzz_server.py"
_spec = importlib.util.spec_from_file_location("fuzz_server", _FUZZ)
assert _spec is not None and _spec.loader is not None
fuzz_server = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz_server
_spec.loader.exec_module(fuzz_server)

MAX_EXAMPLES = 12  # per operation, mode and target: the whole file stays well under a minute on two cores
OPERATIONS = ["createAgentTask", "listAgentTasks", "getAgentTask", "executeAgentTaskStep", "listAgentTaskSteps",
              "getAgentTaskStep", "listAgentTaskArtifacts", "uploadAgentTaskArtifacts", "downloadAgentTaskArtifact",
              "streamAgentTaskEvents", "runAgentTask", "stopAgentTask"]


TALLY: Counter[str] = Counter()  # what this file sent and got, printed at its end (see it with -s)


@pytest.fixture(scope="module", autouse=True)
def tally() -> Iterator[None]:
    yield
    statuses = {k: v for k, v in sorted(TALLY.items()) if k.isdigit()}
    print(f"\nschemathesis: {TALLY['operations']} operations, {TALLY['requests']} requests "
          f"({TALLY['stateful']} in stateful sequences), statuses {statuses}, 5xx: {TALLY['5xx']}")


def count(status: int, *, stateful: bool = False) -> None:
    TALLY["requests"] += 1
    TALLY["stateful"] += stateful
    TALLY[str(status)] += 1
    TALLY["5xx"] += status >= 500


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return fuzz_server.build_app(tmp_path / "data")


@pytest.fixture
def api(app: Any) -> Any:
    config = fuzz_server.config(MAX_EXAMPLES, seed=None, stateful_steps=6, request_timeout=5.0)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@pytest.fixture
def known(api: Any) -> dict[str, str]:
    """Ids that exist: a task with a step and an uploaded artifact (generated ids are mostly unknown: 404).
    Made through schemathesis's own client: the app's tasks live on its event loop."""

    def call(operation_id: str, **data: Any) -> dict[str, Any]:
        response = api.find_operation_by_id(operation_id).Case(**data).call()
        assert response.status_code == 200, response.text
        return dict(response.json())

    task_id = call("createAgentTask", body={"input": "Write out.txt"}, media_type="application/json")["task_id"]
    ids = {"task_id": task_id}
    ids["step_id"] = call("executeAgentTaskStep", path_parameters=ids, body={}, media_type="application/json")["step_id"]
    ids["artifact_id"] = call("uploadAgentTaskArtifacts", path_parameters={"task_id": task_id}, headers={"X-AutoGPT": "1"},
                              body={"file": b"in", "relative_path": "in"}, media_type="multipart/form-data")["artifact_id"]
    return ids


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_no_operation_answers_a_5xx_or_breaks_its_schema(api: Any, known: dict[str, str], operation_id: str) -> None:
    """Valid and invalid requests, to generated ids and to ones that exist."""
    operation = api.find_operation_by_id(operation_id)
    fixed = {name: value for name, value in known.items() if f"{{{name}}}" in operation.path}
    strategies = [operation.as_strategy(mode) for mode in schemathesis.GenerationMode]
    if fixed:
        strategies += [operation.as_strategy(mode, path_parameters=fixed) for mode in schemathesis.GenerationMode]

    @hypothesis.settings(max_examples=MAX_EXAMPLES * len(strategies), deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=hypothesis.strategies.one_of(strategies))
    def check(case: Any) -> None:
        count(case.call_and_validate().status_code)

    check()
    TALLY["operations"] += 1


def test_sequences_along_the_links_answer_no_5xx_and_keep_to_the_schema(api: Any) -> None:
    class Counted(api.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            count(response.status_code, stateful=True)
            super().after_call(response, case)

    Counted.run(settings=hypothesis.settings(max_examples=10, stateful_step_count=8, deadline=None,
                                             suppress_health_check=list(hypothesis.HealthCheck),
                                             phases=[hypothesis.Phase.generate]))


def test_the_schema_documents_every_route_and_its_errors(api: Any) -> None:
    raw = api.raw_schema
    operations = {(method.upper(), path) for path, item in raw["paths"].items() for method in item}
    assert len(operations) == len(OPERATIONS), sorted(operations)
    assert {operation["operationId"] for item in raw["paths"].values() for operation in item.values()} == set(OPERATIONS)
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            assert operation["operationId"], (method, path)
            assert {"400", "404", "422"} <= set(operation["responses"]), (method, path)
            assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}
    links = raw["paths"]["/ap/v1/agent/tasks"]["post"]["responses"]["200"]["links"]
    assert {"GetTask", "ExecuteStep", "UploadArtifact"} <= set(links)
