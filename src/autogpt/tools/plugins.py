"""Tools from other packages: the ``autogpt.tools`` entry-point group, and ``module:function`` paths.

A package offers tools by declaring entry points (in its ``pyproject.toml``)::

    [project.entry-points."autogpt.tools"]
    shout = "my_package.tools:shout"          # a function, a Tool, or a list of them

``autogpt tools`` lists what is installed; the ``tools`` setting (or ``--tool``) enables them by name, or adds
any function by its import path (``--tool my_module:my_function``; the current folder is searched too). A plugin's tool runs in autogpt's own
process with your permissions, like any library you import (code the *model* writes runs in the sandbox).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from autogpt.errors import ConfigError, ToolDefinitionError
from autogpt.tools.registry import Tool

GROUP = "autogpt.tools"
_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


def installed() -> dict[str, EntryPoint]:
    """The tools other packages offer, by entry-point name."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_tools(names: Iterable[str]) -> list[Tool]:
    """The tools the ``tools`` setting names: entry-point names or ``module:function`` paths. Anything that
    cannot be loaded is a :class:`ConfigError` that says why."""
    found = installed()
    tools: list[Tool] = []
    for name in names:
        name = name.strip()
        if name in found:
            target, origin = _load(found[name].load, f"the plugin {name!r} ({found[name].value})"), name
        elif _PATH.fullmatch(name):
            target, origin = _load(lambda n=name: _import(n), name), name
        else:
            known = ", ".join(sorted(found)) or "none installed"
            raise ConfigError(f"Unknown tool {name!r}: give an installed plugin's name ({known}) or "
                              "module:function.")
        tools += _as_tools(target, origin)
    return tools


def _load(load: Callable[[], Any], what: str) -> Any:
    try:
        return load()
    except ConfigError:
        raise
    except Exception as exc:  # its import failed: the plugin's problem, said clearly
        raise ConfigError(f"Cannot load {what}: {type(exc).__name__}: {exc}") from None


def _import(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    if os.getcwd() not in sys.path:  # a module beside the user (the `autogpt` script's own folder is first)
        sys.path.append(os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(f"Cannot load the tool {path!r}: there is no module {exc.name!r}.") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ConfigError(f"Cannot load the tool {path!r}: {module_name} has no {attr!r}.")
        target = getattr(target, part)
    return target


def _as_tools(target: Any, origin: str) -> list[Tool]:
    items = target if isinstance(target, (list, tuple)) else [target]
    tools = []
    for item in items:
        if isinstance(item, Tool):
            tools.append(item)
        elif callable(item):
            try:
                tools.append(Tool(item))
            except ToolDefinitionError as exc:
                raise ConfigError(f"The tool {origin!r} cannot be offered to a model: {exc}") from None
        else:
            raise ConfigError(f"The tool {origin!r} is a {type(item).__name__}, not a function or a Tool.")
    return tools


__all__ = ["GROUP", "installed", "load_tools"]
