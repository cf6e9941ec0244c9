"""Any OpenAI-compatible chat completions API: OpenAI, DeepSeek, Qwen, Moonshot, Zhipu, Ollama, vLLM...

One :class:`OpenAICompatibleModel` per ``PROVIDER:MODEL`` id (see :mod:`autogpt.llm.registry`). It uses
the official ``openai`` client with its own retries switched off and retries rate limits, timeouts,
connection failures and 5xx errors itself (exponential backoff from 0.5 s, honouring ``Retry-After``,
at most 20 s a wait). Other failures raise :class:`ModelAPIError` at once, never showing the API key.

Structured output: with ``request.tools`` and a provider that supports tool calls, the tools go out as
OpenAI function tools with ``tool_choice="auto"``, so the model can still write its thoughts (the JSON
reply the prompt asks for) beside the call -- the parser takes the command from the tool call and the
thoughts from the text, or both from the text; otherwise a ``response_schema`` asks for JSON mode
(``json_schema`` where supported). A server that rejects the
response format gets the request again without it: the agent's tolerant parser copes with plain text.

Timing: a streamed reply's wait for its first token is the call's ``prompt_seconds`` (the server evaluating the
prompt, and any queue), the rest of the stream its ``generation_seconds``; cached prompt tokens are what the API
reports (``usage.prompt_tokens_details.cached_tokens``, or DeepSeek's ``prompt_cache_hit_tokens``).
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import openai

from autogpt.config import Settings
from autogpt.errors import ModelAPIError, ModelUnavailableError
from autogpt.llm.base import (
    REPEATING,
    Completion,
    Model,
    ModelRequest,
    Timing,
    ToolCall,
    Usage,
    repeats_itself,
)
from autogpt.llm.registry import Provider

#: Context windows of well-known models, matched by the longest name prefix; others get the default.
CONTEXT_SIZES: dict[str, int] = {
    "gpt-4o": 128_000, "gpt-4.1": 1_047_576, "gpt-4-turbo": 128_000, "gpt-3.5-turbo": 16_385,
    "o3": 200_000, "o4-mini": 200_000, "deepseek": 64_000, "qwen": 32_000, "qwen-long": 1_000_000,
    "moonshot-v1-8k": 8_192, "moonshot-v1-32k": 32_768, "moonshot-v1-128k": 131_072, "glm-4": 128_000,
}
DEFAULT_CONTEXT_SIZE = 32_768
BACKOFF_BASE, BACKOFF_CAP = 0.5, 20.0
TRANSIENT_ERRORS = (openai.RateLimitError, openai.APIConnectionError, openai.InternalServerError)


def context_size_for(model_name: str) -> int:
    matches = [prefix for prefix in CONTEXT_SIZES if model_name.startswith(prefix)]
    return CONTEXT_SIZES[max(matches, key=len)] if matches else DEFAULT_CONTEXT_SIZE


class OpenAICompatibleModel(Model):
    """A chat model behind an OpenAI-compatible HTTP API."""

    extra_parameters = {"presence_penalty": float, "frequency_penalty": float}

    def __init__(self, provider: Provider, model_name: str, *, settings: Settings, price: tuple[float, float]):
        super().__init__()
        self.provider, self.model_name, self.settings, self.price = provider, model_name, settings, price
        self.id = f"{provider.name}:{model_name}"
        self.context_size = context_size_for(model_name)
        self.base_url = settings.base_url or provider.base_url
        if not self.base_url:
            raise ModelUnavailableError(
                f"Model {self.id} needs the URL of an OpenAI-compatible API: set AUTOGPT_BASE_URL "
                "(e.g. AUTOGPT_BASE_URL=http://127.0.0.1:8000/v1)."
            )
        host = (urllib.parse.urlsplit(self.base_url).hostname or "").lower()
        self.local = host in ("localhost", "127.0.0.1", "::1")  # Ollama, vLLM, llama.cpp's server on this machine
        key_from_env = os.environ.get(provider.key_env) if provider.key_env else None
        self._api_key = settings.api_key_value() or key_from_env or (None if provider.key_env else "not-needed")
        self._client: openai.AsyncOpenAI | None = None
        #: How the model waits between retries (tests replace it).
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    # --- the call ---------------------------------------------------------------------------------------

    async def complete(self, request: ModelRequest) -> Completion:
        kwargs = self._request_kwargs(request)
        started = time.perf_counter()
        while True:
            try:
                completion = await self._with_retries(kwargs, request)
                break
            except openai.BadRequestError as exc:  # fall back once per feature a server rejects
                complaint = f"{exc.param or ''} {self._server_message(exc)}".lower()
                if "response_format" in kwargs and "response_format" in complaint:
                    del kwargs["response_format"]
                else:
                    raise self._api_error(exc) from None
            except openai.OpenAIError as exc:
                raise self._api_error(exc) from None
        completion.seconds = time.perf_counter() - started
        completion.cost = self.cost_of(completion.usage)
        return completion

    def _request_kwargs(self, request: ModelRequest) -> dict[str, Any]:
        params = {
            "temperature": self.settings.temperature, "max_tokens": self.settings.max_reply_tokens,
            **self.params, **request.params,
        }
        kwargs: dict[str, Any] = {
            "model": self.model_name, "messages": [m.to_dict() for m in request.messages], **params,
        }
        if request.tools and self.provider.native_tools:
            kwargs["tools"] = [
                {"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters") if k in t}}
                for t in request.tools
            ]
            kwargs["tool_choice"] = "auto"
        elif request.response_schema is not None:
            kwargs["response_format"] = (
                {"type": "json_schema", "json_schema": {"name": "reply", "schema": request.response_schema}}
                if self.provider.json_schema else {"type": "json_object"}
            )
        if request.on_token:
            kwargs.update(stream=True, stream_options={"include_usage": True})
        return kwargs

    async def _with_retries(self, kwargs: dict[str, Any], request: ModelRequest) -> Completion:
        client = self._get_client()
        for attempt in range(self.settings.max_retries + 1):
            try:
                if kwargs.get("stream"):
                    return await self._stream(client, kwargs, request)
                return self._to_completion(await client.chat.completions.create(**kwargs), request)
            except TRANSIENT_ERRORS as exc:
                if attempt == self.settings.max_retries:
                    raise self._api_error(exc, retries=attempt) from None
                await self.sleep(self._retry_delay(exc, attempt))
        raise AssertionError("unreachable")

    async def _stream(self, client: openai.AsyncOpenAI, kwargs: dict[str, Any], request: ModelRequest) -> Completion:
        assert request.on_token is not None
        started = time.perf_counter()
        stream = await client.chat.completions.create(**kwargs)
        text: list[str] = []
        calls: dict[int, list[str]] = {}  # index -> [name, arguments so far]
        usage, finish_reason, first = None, None, None  # first: when the first token came
        try:
            async for chunk in stream:
                usage = chunk.usage or usage
                for choice in chunk.choices[:1]:
                    if first is None and (choice.delta.content or choice.delta.tool_calls):
                        first = time.perf_counter()
                    finish_reason = choice.finish_reason or finish_reason
                    if choice.delta.content:
                        text.append(choice.delta.content)
                        request.on_token(choice.delta.content)
                        if len(text) % 16 == 0 and repeats_itself("".join(text)):
                            finish_reason = REPEATING  # a loop: stop now rather than at the token limit
                    for delta in choice.delta.tool_calls or []:
                        call = calls.setdefault(delta.index, ["", ""])
                        if delta.function:
                            call[0] += delta.function.name or ""
                            call[1] += delta.function.arguments or ""
                if finish_reason == REPEATING:
                    break
        except openai.APIError as exc:
            if text or calls:  # tokens were already shown: a retry would repeat them
                raise self._api_error(exc) from None
            raise
        finally:
            await stream.close()
        tool_calls = [ToolCall(name, args) for name, args in (calls[i] for i in sorted(calls))]
        completion = self._finish("".join(text), tool_calls, usage, finish_reason, request)
        ended = time.perf_counter()  # the wait for the first token is the server's prompt evaluation (and queue)
        completion.timing = Timing(prompt_seconds=(first or ended) - started, generation_seconds=ended - (first or ended))
        return completion

    def _to_completion(self, response: Any, request: ModelRequest) -> Completion:
        if not response.choices:
            return self._finish("", [], response.usage, None, request)
        choice = response.choices[0]
        tool_calls = [
            ToolCall(c.function.name, c.function.arguments or "")
            for c in choice.message.tool_calls or [] if getattr(c, "function", None)
        ]
        return self._finish(choice.message.content or "", tool_calls, response.usage, choice.finish_reason, request)

    def _finish(self, text: str, tool_calls: list[ToolCall], usage: Any, finish_reason: str | None,
                request: ModelRequest) -> Completion:
        if usage is not None:
            details = getattr(usage, "prompt_tokens_details", None)
            cached = getattr(details, "cached_tokens", None) or getattr(usage, "prompt_cache_hit_tokens", None)
            counted = Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0, int(cached or 0))
        else:  # the server sent no usage: estimate it
            generated = text + "".join(c.name + c.arguments for c in tool_calls)
            counted = Usage(sum(self.count_tokens(m.content) for m in request.messages), self.count_tokens(generated))
        return Completion(text, counted, tool_calls, model=self.id, finish_reason=finish_reason)

    # --- plumbing ---------------------------------------------------------------------------------------

    def _get_client(self) -> openai.AsyncOpenAI:
        if self._api_key is None:
            raise ModelUnavailableError(
                f"Model {self.id} needs an API key: set {self.provider.key_env} (or AUTOGPT_API_KEY)."
            )
        if self._client is None:
            self._client = openai.AsyncOpenAI(
                base_url=self.base_url, api_key=self._api_key, timeout=self.settings.request_timeout, max_retries=0
            )
        return self._client

    @staticmethod
    def _retry_delay(exc: Exception, attempt: int) -> float:
        delay = BACKOFF_BASE * 2**attempt
        response = getattr(exc, "response", None)
        if response is not None and response.headers.get("retry-after"):
            try:
                delay = max(0.0, float(response.headers["retry-after"]))
            except ValueError:
                pass  # an HTTP date: keep the backoff
        return min(delay, BACKOFF_CAP)

    @staticmethod
    def _server_message(exc: openai.APIError) -> str:
        body = exc.body
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
        return str(body) if body else exc.message

    def _api_error(self, exc: openai.OpenAIError, retries: int = 0) -> ModelAPIError:
        if isinstance(exc, openai.APIStatusError):
            what = f"HTTP {exc.status_code}: {self._server_message(exc)}"
        elif isinstance(exc, openai.APIConnectionError):
            what = f"cannot reach {self.base_url}: {exc.message}"
        else:
            what = str(exc)
        tail = f" (after {retries} retries)" if retries else ""
        message = f"Model API {self.id} failed with {what}{tail}"
        if self._api_key and self._api_key != "not-needed":
            message = message.replace(self._api_key, "***")
        return ModelAPIError(message)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
