"""Every exception autogpt raises, in one place.

Two families matter:

* :class:`ToolError` and its subclasses are *the model's* mistakes (a bad path, a missing file, wrong
  arguments). The loop catches them and hands the message back to the model as an observation.
* Everything else derived from :class:`AutoGPTError` is raised to the caller: a broken configuration,
  a model that cannot be loaded, or a bug in a tool (:class:`ToolCrashedError`).
"""

from __future__ import annotations


class AutoGPTError(Exception):
    """Base class of every autogpt error."""


# --- configuration -----------------------------------------------------------------------------------


class ConfigError(AutoGPTError, ValueError):
    """The configuration (settings file, environment, arguments) is invalid."""


class InvalidParameterError(ConfigError):
    """``set_parameter`` was given a name or value the model does not accept."""

    def __init__(self, name: str, valid: list[str] | tuple[str, ...], detail: str = "") -> None:
        self.name = name
        self.valid = sorted(valid)
        msg = detail or f"Unknown parameter {name!r}."
        super().__init__(f"{msg} Valid parameters: {', '.join(self.valid)}.")


class SandboxUnavailableError(ConfigError):
    """No sandbox can run code here (bubblewrap missing and the weak fallback not allowed)."""


# --- models ------------------------------------------------------------------------------------------


class ModelError(AutoGPTError):
    """A model could not produce a completion."""


class UnknownModelError(ModelError, ConfigError):
    """The model id is not one autogpt knows how to create."""

    def __init__(self, model_id: str, known: list[str]) -> None:
        self.model_id = model_id
        self.known = known
        super().__init__(
            f"Unknown model {model_id!r}. Known models: {', '.join(known)}; "
            "or use 'PROVIDER:MODEL' (see `autogpt models`) or 'gguf:/path/to/file.gguf'."
        )


class ModelUnavailableError(ModelError):
    """The model is known but cannot be used here (missing package, missing file, missing API key)."""


class ModelAssetError(ModelUnavailableError):
    """The embedded model's weights are missing or corrupt (checksum mismatch)."""


class ModelAPIError(ModelError):
    """An HTTP model API failed after retries."""


class ScriptExhaustedError(ModelError):
    """A :class:`autogpt.testing.ScriptedModel` was asked for more replies than it was given."""


# --- the model's own mistakes: go back to the model ----------------------------------------------------


class ReplyParseError(AutoGPTError):
    """The model's reply is not valid JSON of the reply schema (told to the model, then retried)."""


class ToolError(AutoGPTError):
    """A tool could not do what the model asked. The message is shown to the model."""


class ToolArgumentError(ToolError):
    """The model called a tool with missing or ill-typed arguments."""


class ToolUnavailableError(ToolError):
    """The tool cannot work in this run (offline, no sandbox): it is withdrawn from the model's choices,
    together with the ``also`` tools that depend on the same thing (e.g. the other web tool)."""

    def __init__(self, message: str, also: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.also = also


class UnknownToolError(ToolError):
    """The model called a tool that does not exist."""


class WorkspacePathError(ToolError):
    """A path leaves the workspace or is not acceptable (NUL byte, absolute, symlink out, too long...)."""


# --- our own bugs and the caller's mistakes ------------------------------------------------------------


class MCPServerError(AutoGPTError):
    """A Model Context Protocol server could not be started or reached; the run goes on without its tools."""


class ToolDefinitionError(AutoGPTError, TypeError):
    """A function cannot be turned into a tool (no type hints, unsupported signature)."""


class ToolCrashedError(AutoGPTError):
    """A tool raised something other than :class:`ToolError`: a bug in the tool, not the model's fault."""


class AgentStateError(AutoGPTError, RuntimeError):
    """The agent was used in a way it does not support (e.g. ``run()`` inside a running event loop)."""


# --- persistence -------------------------------------------------------------------------------------


class StoreError(AutoGPTError):
    """The store (the SQLite file of tasks) cannot be opened or written."""


class NotFoundError(StoreError, LookupError):
    """No task, step or artifact with that id."""


# --- long-term memory ----------------------------------------------------------------------------------


class MemoryUnavailableError(ConfigError):
    """Long-term memory cannot be used: a package is missing, the database cannot be opened, or it was
    built with another embedder. The message says what to install or change."""
