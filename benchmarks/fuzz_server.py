"""Fuzz the HTTP server with schemathesis against its own OpenAPI schema: every operation, every phase
(examples, coverage, fuzzing with positive and negative data, stateful sequences along the schema's links).

The app runs in this process (ASGI, no socket) with scripted models: each task writes ``out.txt`` and
finishes. Prints what was run and what was found; exits 1 when a request got a 5xx or a response broke the
schema (the short CI run of the same idea is ``tests/test_server_fuzz.py``).

    python benchmarks/fuzz_server.py                      # 200 examples per operation
    python benchmarks/fuzz_server.py --max-examples 1000 --seed 7
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Checks every response must pass. Stateful checks (use_after_free, ensure_resource_availability) apply in the
# stateful phase; positive_data_acceptance is left out: a valid-by-schema task still needs a non-blank goal.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
          "missing_required_header", "unsupported_method", "use_after_free", "ensure_resource_availability"]
SCHEMA_CHECKS = {"status_code_conformance", "content_type_conformance", "response_schema_conformance",
                 "response_headers_conformance"}


@dataclass
class Report:
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # check name -> failed cases
    examples: list[str] = field(default_factory=list)  # a few failures, for a person
    errors: list[str] = field(default_factory=list)  # schemathesis could not run something
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def schema_violations(self) -> int:
        return sum(n for name, n in self.failures.items() if name in SCHEMA_CHECKS)

    @property
    def ok(self) -> bool:
        return not self.server_errors and not sum(self.failures.values()) and not self.errors


def build_app(data_dir: Path) -> Any:
    """The real app (``create_app``) with a scripted model per task, long-term memory and lessons off."""
    os.environ["AUTOGPT_LESSONS"] = "false"
    from autogpt import Settings
    from autogpt.server.app import create_app
    from autogpt.testing import ScriptedModel, reply

    settings = Settings.load(data_dir=data_dir, memory=False, lessons=False)

    def model_for(record: Any) -> ScriptedModel:
        return ScriptedModel([reply("write_file", path="out.txt", content="x"), reply("finish", reason="done")])

    return create_app(settings, model_factory=model_for, resume=False)


def config(max_examples: int, seed: int | None, stateful_steps: int, request_timeout: float) -> Any:
    from schemathesis import Config

    checks: dict[str, Any] = {name: {"enabled": True} for name in CHECKS}
    # A refusal of invalid data may also be 413 (too large); 405 is an undeclared method.
    checks["negative_data_rejection"]["expected-statuses"] = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422]
    return Config.from_dict({
        **({"seed": seed} if seed is not None else {}),
        "max-stream-events": 3,
        "request-timeout": request_timeout,
        "headers": {"X-AutoGPT": "1"},  # uploads need it (documented as a required header)
        "generation": {"max-examples": max_examples, "mode": "all", "deterministic": seed is not None},
        "checks": {"enabled": False, **checks},
        "phases": {"stateful": {"max-steps": stateful_steps}},
        "suppress-health-check": ["all"],
        # Multipart fields have no types: a "boolean" file or an "integer" folder arrive as text, which is valid.
        "operations": [{"include-operation-id": "uploadAgentTaskArtifacts",
                        "checks": {"negative_data_rejection": {"enabled": False}}},
                       # a live stream ends only when cut: after its first events, or after a second
                       {"include-operation-id": "streamAgentTaskEvents", "request-timeout": 1}],
    })


def fuzz(max_examples: int = 200, *, seed: int | None = None, stateful_steps: int = 10,
         request_timeout: float = 5.0, data_dir: Path | None = None) -> Report:
    """One schemathesis run (the CLI's engine) against a fresh app; counts what it did and found."""
    import schemathesis
    from schemathesis.engine import events, from_schema

    with tempfile.TemporaryDirectory(prefix="autogpt-fuzz-") as tmp:
        app = build_app(data_dir or Path(tmp))
        schema = schemathesis.openapi.from_asgi(
            "/openapi.json", app, config=config(max_examples, seed, stateful_steps, request_timeout))
        report = Report()
        started = time.monotonic()
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                _record(report, event)
            elif isinstance(event, events.NonFatalError | events.FatalError):
                report.errors.append(f"{getattr(event, 'label', '')}: {event.info.format()}"[:2000])
        report.seconds = time.monotonic() - started
    return report


def _record(report: Report, event: Any) -> None:
    recorder = event.recorder
    for case_id, interaction in recorder.interactions.items():
        report.requests += 1
        node = recorder.cases.get(case_id)
        if node is not None:
            report.operations.add(node.value.operation.label)
        if interaction.response is not None:
            report.statuses[interaction.response.status_code] += 1
    for checks in recorder.checks.values():
        for check in checks:
            if check.failure_info is None:
                continue
            report.failures[check.name] += 1
            if len(report.examples) < 10:
                failure = check.failure_info.failure
                report.examples.append(f"{check.name} [{recorder.label}]: {failure.title}\n    "
                                       f"{failure.message[:500]}\n    {check.failure_info.code_sample}")


def summary(report: Report) -> str:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(report.statuses.items()))
    lines = [
        f"operations tested:  {len(report.operations)}",
        f"requests generated: {report.requests} in {report.seconds:.1f} s",
        f"responses:          {statuses}",
        f"5xx responses:      {report.server_errors}",
        f"schema violations:  {report.schema_violations}",
        f"failed checks:      {dict(report.failures) or 0}",
        f"engine errors:      {len(report.errors)}",
    ]
    lines += [f"  {example}" for example in report.examples]
    lines += [f"  error: {error}" for error in report.errors[:5]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=200, help="Examples per operation and phase.")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (deterministic run).")
    parser.add_argument("--stateful-steps", type=int, default=10, help="Most calls in one stateful sequence.")
    args = parser.parse_args(argv)
    report = fuzz(args.max_examples, seed=args.seed, stateful_steps=args.stateful_steps)
    print(summary(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
