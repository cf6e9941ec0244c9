"""Tools: plain typed functions the model can call, and the registry that describes them to the model."""

from autogpt.tools.core import ASK_USER, FINISH
from autogpt.tools.files import append_file, list_folder, read_file, write_file
from autogpt.tools.registry import Tool, ToolContext, ToolRegistry, tool
from autogpt.tools.workspace import Workspace


def default_tools() -> ToolRegistry:
    """The built-in tools: file tools jailed in the workspace, ``ask_user`` and ``finish``."""
    return ToolRegistry([write_file, append_file, read_file, list_folder, ASK_USER, FINISH])


__all__ = ["Tool", "ToolContext", "ToolRegistry", "Workspace", "default_tools", "tool"]
