"""The one small async interface every model implements.

A model takes a :class:`ModelRequest` (messages, an optional JSON schema the reply must follow, optional
native tool specs, sampling parameters) and returns a :class:`Completion` (text and/or tool calls, token
usage, and where its time went: :class:`Timing`). Three implementations ship: :mod:`autogpt.llm.embedded`
(llama.cpp, the default), :mod:`autogpt.llm.openai_compat` (any OpenAI-compatible API) and
:class:`autogpt.testing.ScriptedModel`.
"""

from __future__ import annotations

import abc
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from autogpt.errors import InvalidParameterError

Role = Literal["system", "user", "assistant"]

#: Sampling parameters every model understands; a model may accept more (see ``Model.parameters``).
COMMON_PARAMETERS: dict[str, type] = {
    "temperature": float,
    "top_p": float,
    "max_tokens": int,
    "seed": int,
    "stop": list,
}


#: A reply stopped because it repeated itself gets this finish reason (see :func:`repeats_itself`).
REPEATING = "repetition"
#: Local models (llama.cpp, transformers) divide the logits of the last 64 tokens by this: small models otherwise fall
#: into loops ("X can also be used for Y. X can also be used for Z. ...", "1000000…").
DEFAULT_REPEAT_PENALTY = 1.1
_LOOP_WINDOW = 1000  # bytes of UTF-8 (a thousand characters of English, a third of that in Chinese)
_LOOP_RATIO = 0.15


def repeats_itself(text: str) -> bool:
    """Whether a reply being generated has fallen into a loop: its last thousand bytes are the same few phrases
    over and over. Small models sometimes do ("X can also be used for Y. X can also be used for Z. ...")
    until the token limit, a minute of CPU time for nothing. Measured as compressibility: such a tail deflates to
    under 10% of its size, while code, tables and prose in either language stay above 23%.
    """
    if _BLANK_RUN.search(text[-2 * _BLANK_RUN_LENGTH - 1:]):
        return True
    tail = text[-_LOOP_WINDOW:].encode("utf-8")[-_LOOP_WINDOW:]
    if len(tail) < _LOOP_WINDOW:
        return False
    return len(zlib.compress(tail, 9)) < _LOOP_RATIO * len(tail)


# A reply that ends in a long run of line breaks, blanks or their escapes (\n in a JSON string): a small model may
# write a line of its reasoning and then line breaks to the token limit, minutes of CPU for nothing. Shorter than
# the window, such a run does not compress below the ratio with the reply's start in the window.
_BLANK_RUN_LENGTH = 80  # blanks or escapes in a row
_BLANK_RUN = re.compile(rf"(?:\s|\\[nrt]){{{_BLANK_RUN_LENGTH},}}$")


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  # raw JSON text, as the API returned it


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens served from a cache (KV prefix or provider cache)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __iadd__(self, other: Usage) -> Usage:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens
        return self


@dataclass
class Timing:
    """Where a model call's time went, in seconds; the rest of :attr:`Completion.seconds` is the model's other work
    (chat template, tokenizing, building the grammar, detokenizing, passing text on).

    Embedded (llama.cpp): ``prompt_seconds`` is llama.cpp's prompt evaluation of the new prompt tokens
    (``llama_perf_context``'s ``t_p_eval_ms``); ``generation_seconds`` is its decoding of the generated tokens
    (``t_eval_ms``) plus choosing each one, ``sample_seconds`` (the sampler chain, the reply's grammar included).
    API models: ``prompt_seconds`` is the wait for the first streamed token, ``generation_seconds`` the rest of the
    stream (both 0 when the reply did not stream: only the call's wall time is known).
    """

    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0  # sample_seconds included
    sample_seconds: float = 0.0


@dataclass
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    tool_calls: list[ToolCall] = field(default_factory=list)
    model: str = ""
    finish_reason: str | None = None
    seconds: float = 0.0  # the call's wall time
    cost: float = 0.0
    timing: Timing = field(default_factory=Timing)


@dataclass
class ModelRequest:
    messages: list[Message]
    #: A JSON schema the reply must follow. Embedded models enforce it with a grammar; API models get
    #: JSON mode (or a json_schema response format where supported).
    response_schema: dict[str, Any] | None = None
    #: Native function specs ``{"name", "description", "parameters"}`` for APIs with tool calling.
    tools: list[dict[str, Any]] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: Called with each new piece of text as it is generated (from the model's thread: keep it cheap).
    on_token: Callable[[str], None] | None = None
    #: What the call is for: ``"step"`` (the agent's next command), ``"verify"`` (the goal verifier before
    #: ``finish``), ``"chat"``, ``"tool"`` (a tool asking the model, e.g. translate) or ``"judge"``.
    purpose: str = "step"


StatusCallback = Callable[[str, float | None], None]
"""``(message, fraction_done_or_None)``: what a model reports while it gets ready (assemble, load)."""


class Model(abc.ABC):
    """An LLM behind one async call. Subclasses set ``id`` and ``context_size``."""

    id: str = "model"
    context_size: int = 8192
    #: USD per 1M tokens: (input, output). Zero for local models.
    price: tuple[float, float] = (0.0, 0.0)
    #: Extra parameters this model accepts beyond :data:`COMMON_PARAMETERS`.
    extra_parameters: dict[str, type] = {}
    #: A model run on this machine (embedded, or an API on loopback): small, so the agent's ``checks: auto``
    #: gives it the ``full`` profile (see :mod:`autogpt.checks`).
    local: bool = False

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    @abc.abstractmethod
    async def complete(self, request: ModelRequest) -> Completion:
        """Return one completion for ``request``."""

    async def prepare(self, report: StatusCallback | None = None) -> None:  # noqa: B027 - optional hook
        """Get ready before the first call (download nothing; assemble or load local weights)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP clients). Safe to call twice."""

    # --- parameters ---------------------------------------------------------------------------------

    @property
    def parameters(self) -> dict[str, type]:
        return {**COMMON_PARAMETERS, **self.extra_parameters}

    def set_parameter(self, name: str, value: Any) -> None:
        """Set a sampling parameter used by every later call; unknown names raise a clear error."""
        kinds = self.parameters
        if name not in kinds:
            raise InvalidParameterError(name, list(kinds))
        self.params[name] = coerce_parameter(name, value, kinds[name], list(kinds))

    def cost_of(self, usage: Usage) -> float:
        per_in, per_out = self.price
        return (usage.prompt_tokens * per_in + usage.completion_tokens * per_out) / 1_000_000

    def count_tokens(self, text: str) -> int:
        """An estimate good enough for budgeting the prompt; models with a tokenizer override it."""
        return estimate_tokens(text)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


def coerce_parameter(name: str, value: Any, kind: type, valid: list[str]) -> Any:
    if kind is list:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)
    elif kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    elif kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    elif isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    raise InvalidParameterError(name, valid, f"Parameter {name!r} needs a {kind.__name__}, got {value!r}.")


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """Rough token count: one per CJK character, one per four other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def contains_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def request_seed(seed: int, request: ModelRequest) -> int:
    """The sampling seed (local models) for one request: ``seed`` and the request's messages and schema, hashed (never 0)."""
    text = json.dumps([seed, [m.to_dict() for m in request.messages], request.response_schema], sort_keys=True,
                      ensure_ascii=False, default=str)
    return zlib.crc32(text.encode("utf-8")) or 1
