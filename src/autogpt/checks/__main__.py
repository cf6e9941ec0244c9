"""``python -m autogpt.checks``: print docs/checks.md, the list of checks made from the registry."""

from autogpt.checks.docs import render

print(render(), end="")
