"""Tools: plain typed functions the model can call, and the registry that describes them to the model."""

from __future__ import annotations

import importlib.util

from autogpt.config import Settings
from autogpt.errors import ConfigError
from autogpt.tools.code import EXECUTE_PYTHON, EXECUTE_PYTHON_FILE, EXECUTE_SHELL
from autogpt.tools.core import ASK_USER, FINISH
from autogpt.tools.files import APPEND_FILE, LIST_FOLDER, READ_FILE, WRITE_FILE
from autogpt.tools.language import TRANSLATE_TOOL
from autogpt.tools.registry import Tool, ToolContext, ToolRegistry, tool


def default_tools(settings: Settings | None = None) -> ToolRegistry:
    """The built-in tools: files (jailed in the workspace), Python in the sandbox, the web (when the
    ``web`` extra is installed), ``execute_shell`` (only with ``shell_enabled``), ``remember`` and ``recall``
    (with long-term memory), ``translate`` (for goals that ask for a translation), ``ask_user`` and ``finish``;
    and the ``tools`` setting's plugins and functions (see :mod:`autogpt.tools.plugins`)."""
    settings = settings or Settings.load()
    tools: list[Tool | object] = [WRITE_FILE, APPEND_FILE, READ_FILE, LIST_FOLDER, EXECUTE_PYTHON, EXECUTE_PYTHON_FILE]
    if settings.shell_enabled:
        tools.append(EXECUTE_SHELL)
    if importlib.util.find_spec("trafilatura") is not None:
        from autogpt.tools.web import READ_WEBPAGE, WEB_SEARCH

        tools += [WEB_SEARCH, READ_WEBPAGE]
    if settings.memory:  # they hide themselves while the run has no memory (or nothing in it to recall)
        from autogpt.tools.memory import RECALL, REMEMBER

        tools += [REMEMBER, RECALL]
    tools.append(TRANSLATE_TOOL)  # offered only when the goals ask for a translation
    registry = ToolRegistry([*tools, ASK_USER, FINISH])  # type: ignore[list-item]
    if settings.tools:  # plugins, and functions by their import path
        from autogpt.tools.plugins import load_tools

        extra = load_tools(settings.tools)
        clash = next((t.name for t in extra if t.name in registry), None)
        if clash:
            raise ConfigError(f"The tool {clash!r} from the tools setting has the name of a built-in tool.")
        registry = registry.extended(extra)
    return registry


__all__ = ["Tool", "ToolContext", "ToolRegistry", "default_tools", "tool"]
