"""autogpt: an autonomous LLM agent that finishes goals, runs offline on a laptop and is safe to leave running.

    from autogpt import AutoGPT
    result = AutoGPT(ai_name="AutoGPT", ai_role="AI Assistant", goals=["Write hello to a.txt"]).run()
"""

from autogpt._version import __version__
from autogpt.agent.agent import AutoGPT
from autogpt.agent.control import Budget, CallbackHuman, Decision, Human, parse_decision
from autogpt.agent.loop import RunResult
from autogpt.agent.schema import Command, PlanItem, Reply, Thoughts
from autogpt.config import Settings
from autogpt.errors import AutoGPTError
from autogpt.llm.base import Completion, Message, Model, ModelRequest, Usage
from autogpt.llm.registry import create_model
from autogpt.tools import Tool, ToolContext, ToolRegistry, tool
from autogpt.workspace import Workspace

__all__ = [
    "AutoGPT", "AutoGPTError", "Budget", "CallbackHuman", "Command", "Completion", "Decision", "Human", "Message",
    "Model", "ModelRequest", "PlanItem", "Reply", "RunResult", "Settings", "Thoughts", "Tool", "ToolContext",
    "ToolRegistry", "Usage", "Workspace", "__version__", "create_model", "parse_decision", "tool",
]
