"""Running code safely: the sandbox every code-executing tool goes through."""

from autogpt.sandbox.base import INSTALL_HINT, Layer, Limits, Sandbox, SandboxResult, create_sandbox

__all__ = ["INSTALL_HINT", "Layer", "Limits", "Sandbox", "SandboxResult", "create_sandbox"]
