"""``remember`` and ``recall``: the model's deliberate use of long-term memory.

Relevant knowledge and memories already reach the prompt by themselves each step; these tools let the
model store a fact for later runs and search for something specific. ``recall`` is offered only once the
memory holds something.
"""

from __future__ import annotations

from autogpt.errors import ToolError
from autogpt.memory.knowledge import KNOWLEDGE, render_hits
from autogpt.tools.registry import Tool, ToolContext

MEMORIES = "memories"


def _memory(ctx: ToolContext):
    memory = ctx.extras.get("memory")
    if memory is None:
        raise ToolError("Long-term memory is off in this run.")
    return memory


def remember(text: str, ctx: ToolContext) -> str:
    """Save a fact or finding in long-term memory, for later steps and later tasks.

    Args:
        text: The fact, in one or two complete sentences.
    """
    text = " ".join(text.split())
    if len(text) < 3:
        raise ToolError("Give the fact to remember as a complete sentence.")
    record = _memory(ctx).add(text[:2000], namespace=MEMORIES, source=f"run:{ctx.extras.get('run_id', '')}")
    return f"Remembered ({record.id})."


def recall(query: str, ctx: ToolContext) -> str:
    """Search long-term memory (the user's documents and remembered facts) for what you need.

    Args:
        query: What you are looking for, in a few words.
    """
    if not query.strip():
        raise ToolError("Say what to look for, e.g. recall(query=\"refund policy\").")
    memory = _memory(ctx)
    hits = memory.search(query, namespace=KNOWLEDGE, k=4) + memory.search(query, namespace=MEMORIES, k=3)
    hits.sort(key=lambda h: h.similarity or 0, reverse=True)
    text = render_hits(hits, budget_tokens=600, cited=False)  # source names read as files to open
    return text if text else "Nothing in memory matches that."


def _has_memories(ctx: ToolContext) -> bool:
    memory = ctx.extras.get("memory")
    return memory is not None and (memory.count(KNOWLEDGE) + memory.count(MEMORIES)) > 0


# Both are offered, and listed in the system prompt, only once memory holds something: an extra command in a fresh
# install's prompt changed what the embedded model did on its first step (fixed-seed tests wrote networking code
# instead of the answer).
REMEMBER = Tool(remember, available_if=_has_memories, listed_if_unavailable=False)
RECALL = Tool(recall, available_if=_has_memories, listed_if_unavailable=False)
