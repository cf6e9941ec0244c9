"""The agent's judgement, as one layer: small checks that look at the run at four stages and say allow, note,
refuse (once) or narrow the next step's commands. See ``docs/checks.md`` for the list (made from the registry
by ``python -m autogpt.checks``).

Profiles: ``full`` (every check: the goal verifier, compute vs. know, self-testing, the hygiene ones) is the
default for local models; ``light`` (hygiene only: repeats, inputs kept, failing code and missing files at
finish) for API models; ``off`` runs none.
"""

from __future__ import annotations

from autogpt.checks import grounding, hygiene, menu, outputs, selftest, tables, verifier  # noqa: F401  (they register)
from autogpt.checks.base import REGISTRY, Act, Check, ChecksState, Situation, Stage, Verdict
from autogpt.checks.engine import Engine, Menu, checks_for
from autogpt.llm.base import Model

#: The order checks run in within a stage: the cheap and sure ones first; the first refusal wins, so the model gets
#: one thing to mend at a time, and the goal verifier (a model call) runs only when nothing else objects.
ORDER = [
    "rest", "read_existing", "url_first", "finish_next",  # menu
    "repeat", "read_again", "example_copy", "failed_before", "placeholder", "keep_inputs", "code_as_result", "shrunk", "copied_input",  # before a command
    "restore_inputs", "no_network", "fresh_process", "malformed_data", "header_row", "compiles", "module_run", "typed_numbers", "kept_values", "stray_file",  # after it
    "missing_outputs", "definitions", "failing_code", "self_test", "given_text", "whole_copy", "counts", "empty_table", "table_header", "table_shape", "row_order", "unseen_numbers", "printed_unwritten", "uncomputed", "decimals", "verifier",  # finish
]
REGISTRY.sort(key=lambda c: ORDER.index(c.name))


def resolve_profile(setting: str, model: Model) -> str:
    """``auto`` is ``full`` for a local model (embedded, or an API on this machine) and ``light`` for the rest."""
    if setting != "auto":
        return setting
    return "full" if getattr(model, "local", False) else "light"


__all__ = ["REGISTRY", "Act", "Check", "ChecksState", "Engine", "Menu", "Situation", "Stage", "Verdict",
           "checks_for", "resolve_profile"]
