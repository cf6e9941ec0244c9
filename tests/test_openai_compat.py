"""OpenAICompatibleModel against a real fake OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from autogpt.config import Settings
from autogpt.errors import InvalidParameterError, ModelAPIError, ModelUnavailableError
from autogpt.llm.base import REPEATING, Message, ModelRequest, ToolCall
from autogpt.llm.openai_compat import OpenAICompatibleModel, context_size_for
from autogpt.llm.registry import PROVIDERS, create_model

KEY = "sk-secret-123"
SCHEMA = {"type": "object", "properties": {"thoughts": {"type": "string"}}, "required": ["thoughts"]}
TOOLS = [
    {"name": "read_file", "description": "Read a file.",
     "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    {"name": "finish", "description": "Stop.", "parameters": {"type": "object", "properties": {}}},
]


# --- the fake server ------------------------------------------------------------------------------------


def reply(content: str | None = "Hello!", *, usage: dict[str, Any] | None = None, tool_calls: list | None = None,
          finish_reason: str = "stop") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content, "tool_calls": tool_calls}}],
    }
    if usage is not None:
        body["usage"] = usage
    return {"status": 200, "json": body}


def chunk(delta: dict[str, Any] | None = None, finish_reason: str | None = None, usage: dict | None = None) -> dict:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "test-model",
            "choices": choices, "usage": usage}


def error(status: int, message: str, *, param: str | None = None, headers: dict | None = None) -> dict:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}
    return {"status": status, "json": body, "headers": headers or {}}


class FakeServer:
    def __init__(self) -> None:
        self.responses: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []  # {"path", "headers", "body"}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(raw)})
                if self.path != "/v1/chat/completions":
                    return self._send({"status": 404, "json": {"error": {"message": f"no route {self.path}"}}})
                if not fake.responses:
                    return self._send(error(500, "the test scripted no more responses"))
                self._send(fake.responses.popleft())

            def _send(self, spec: dict[str, Any]) -> None:
                if "sse" in spec:
                    data = "".join(f"data: {json.dumps(c)}\n\n" for c in spec["sse"])
                    data += "" if spec.get("truncate") else "data: [DONE]\n\n"
                    payload, ctype = data.encode(), "text/event-stream"
                else:
                    payload, ctype = json.dumps(spec["json"]).encode(), "application/json"
                self.send_response(spec.get("status", 200))
                self.send_header("Content-Type", ctype)
                # "truncate": promise more bytes than are sent, so the connection drops mid-body
                self.send_header("Content-Length", str(len(payload) + spec.get("truncate", 0)))
                for name, value in spec.get("headers", {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if "pause" in spec:  # (n, seconds): the first n events, then a pause, then the rest
                    head = "".join(f"data: {json.dumps(c)}\n\n" for c in spec["sse"][: spec["pause"][0]]).encode()
                    self.wfile.write(head)
                    self.wfile.flush()
                    time.sleep(spec["pause"][1])
                    payload = payload[len(head):]
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def script(self, *responses: dict[str, Any]) -> None:
        self.responses.extend(responses)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("AUTOGPT_API_KEY", "AUTOGPT_BASE_URL", "AUTOGPT_CONFIG", "DEEPSEEK_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    fake = FakeServer()
    fake.thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


class SleepRecorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def make_model(server: FakeServer, sleeps: SleepRecorder):
    made: list[OpenAICompatibleModel] = []

    def make(model_id: str = "custom:test-model", **overrides: Any) -> OpenAICompatibleModel:
        settings = Settings.load(**{"base_url": server.url, "api_key": KEY, "max_retries": 2, **overrides})
        model = create_model(model_id, settings)
        assert isinstance(model, OpenAICompatibleModel)
        model.sleep = sleeps
        made.append(model)
        return model

    yield make
    for model in made:
        await model.aclose()


def ask(text: str = "Hi", **kwargs: Any) -> ModelRequest:
    return ModelRequest(messages=[Message("system", "Be brief."), Message("user", text)], **kwargs)


# --- plain completions ----------------------------------------------------------------------------------


async def test_plain_completion_usage_cost_and_request(server, make_model):
    server.script(reply("Hello!", usage={"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                                         "prompt_tokens_details": {"cached_tokens": 4}}))
    model = make_model(prices={"test-model": (1.0, 2.0)})
    completion = await model.complete(ask())

    assert completion.text == "Hello!"
    assert completion.tool_calls == []
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 5)
    assert completion.usage.cached_tokens == 4
    assert completion.cost == pytest.approx((12 * 1.0 + 5 * 2.0) / 1_000_000)
    assert completion.model == "custom:test-model"
    assert completion.finish_reason == "stop"
    assert completion.seconds > 0

    [request] = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    body = request["body"]
    assert body["model"] == "test-model"
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert body["temperature"] == 0.2 and body["max_tokens"] == 1024
    assert "stream" not in body and "response_format" not in body and "tools" not in body


async def test_missing_usage_is_estimated(server, make_model):
    server.script(reply("A reply of some length without usage."))
    completion = await make_model().complete(ask("Please say something"))
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0


async def test_set_parameter_and_request_params_are_sent(server, make_model):
    server.script(reply(usage={"prompt_tokens": 1, "completion_tokens": 1}))
    model = make_model()
    model.set_parameter("temperature", 0.1)
    model.set_parameter("presence_penalty", 1)
    await model.complete(ask(params={"max_tokens": 50, "stop": ["END"]}))
    body = server.bodies[0]
    assert body["temperature"] == 0.1
    assert body["presence_penalty"] == 1.0
    assert body["max_tokens"] == 50
    assert body["stop"] == ["END"]


async def test_unknown_parameter_lists_valid_ones(make_model):
    model = make_model()
    with pytest.raises(InvalidParameterError) as info:
        model.set_parameter("creativity", 0.5)
    message = str(info.value)
    assert "creativity" in message
    for name in ("temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty"):
        assert name in message


# --- structured output ----------------------------------------------------------------------------------


async def test_json_mode_sends_json_object_response_format(server, make_model):
    server.script(reply('{"thoughts": "ok"}'))
    completion = await make_model().complete(ask(response_schema=SCHEMA))
    assert server.bodies[0]["response_format"] == {"type": "json_object"}
    assert completion.text == '{"thoughts": "ok"}'


async def test_json_schema_for_providers_that_support_it(server, make_model):
    server.script(reply('{"thoughts": "ok"}'))
    await make_model("vllm:my-model").complete(ask(response_schema=SCHEMA))
    assert server.bodies[0]["response_format"] == {
        "type": "json_schema", "json_schema": {"name": "reply", "schema": SCHEMA},
    }
    assert server.bodies[0]["model"] == "my-model"


async def test_response_format_rejected_is_retried_once_without_it(server, make_model, sleeps):
    server.script(
        error(400, "This model does not support response_format of type json_object", param="response_format"),
        reply("plain text reply"),
    )
    completion = await make_model().complete(ask(response_schema=SCHEMA))
    assert completion.text == "plain text reply"
    assert len(server.requests) == 2
    assert "response_format" in server.bodies[0]
    assert "response_format" not in server.bodies[1]
    assert sleeps.delays == []  # a fallback, not a retry


async def test_other_400_is_not_a_fallback(server, make_model):
    server.script(error(400, "messages must not be empty"), reply())
    with pytest.raises(ModelAPIError, match="400.*messages must not be empty"):
        await make_model().complete(ask(response_schema=SCHEMA))
    assert len(server.requests) == 1


# --- native tool calls ----------------------------------------------------------------------------------


async def test_native_tool_calls_non_streaming(server, make_model):
    calls = [
        {"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": '{"path": "a.txt"}'}},
        {"id": "call_2", "type": "function", "function": {"name": "finish", "arguments": "{}"}},
    ]
    server.script(reply("Let me look.", tool_calls=calls, finish_reason="tool_calls",
                        usage={"prompt_tokens": 30, "completion_tokens": 9}))
    completion = await make_model().complete(ask(tools=TOOLS, response_schema=SCHEMA))

    assert completion.tool_calls == [ToolCall("read_file", '{"path": "a.txt"}'), ToolCall("finish", "{}")]
    assert completion.text == "Let me look."
    assert completion.finish_reason == "tool_calls"
    body = server.bodies[0]
    assert body["tool_choice"] == "auto"  # so the model may write its thoughts beside the call
    assert body["tools"][0] == {"type": "function", "function": TOOLS[0]}
    assert [t["function"]["name"] for t in body["tools"]] == ["read_file", "finish"]
    assert "response_format" not in body  # tools take the place of JSON mode


async def test_a_rejected_tool_call_request_is_an_error_not_a_loop(server, make_model):
    server.script(error(400, "tools are not supported by this model"))
    with pytest.raises(ModelAPIError, match="HTTP 400"):
        await make_model().complete(ask(tools=TOOLS))
    assert len(server.bodies) == 1


async def test_provider_without_native_tools_uses_json_mode(server, make_model):
    server.script(reply('{"thoughts": "x"}'))
    await make_model("llamacpp:default").complete(ask(tools=TOOLS, response_schema=SCHEMA))
    body = server.bodies[0]
    assert "tools" not in body and "tool_choice" not in body
    assert body["response_format"]["type"] == "json_schema"


async def test_streaming_tool_call_deltas_are_accumulated(server, make_model):
    def tc(index: int, **function: str) -> dict:
        entry: dict[str, Any] = {"index": index, "function": function}
        if "name" in function:
            entry.update(id=f"call_{index}", type="function")
        return {"tool_calls": [entry]}

    server.script({"sse": [
        chunk({"role": "assistant", "content": "Reading"}),
        chunk(tc(0, name="read_file", arguments="")),
        chunk(tc(0, arguments='{"pa')),
        chunk(tc(0, arguments='th": "a.txt"}')),
        chunk(tc(1, name="finish", arguments="{")),
        chunk(tc(1, arguments="}"), finish_reason="tool_calls"),
        chunk(usage={"prompt_tokens": 40, "completion_tokens": 12}),
    ]})
    tokens: list[str] = []
    completion = await make_model().complete(ask(tools=TOOLS, on_token=tokens.append))

    assert completion.tool_calls == [ToolCall("read_file", '{"path": "a.txt"}'), ToolCall("finish", "{}")]
    assert completion.text == "Reading" and tokens == ["Reading"]
    assert completion.finish_reason == "tool_calls"
    assert completion.usage.prompt_tokens == 40 and completion.usage.completion_tokens == 12


# --- streaming text -------------------------------------------------------------------------------------


async def test_streaming_text_calls_on_token_in_order_and_gets_usage(server, make_model):
    pieces = ["The", " answer", " is", " 42."]
    server.script({"sse": [
        chunk({"role": "assistant", "content": ""}),
        *(chunk({"content": p}) for p in pieces),
        chunk({}, finish_reason="stop"),
        chunk(usage={"prompt_tokens": 20, "completion_tokens": 4,
                     "prompt_tokens_details": {"cached_tokens": 16}}),
    ]})
    tokens: list[str] = []
    model = make_model(prices={"test-model": (1.0, 1.0)})
    completion = await model.complete(ask(on_token=tokens.append))

    assert tokens == pieces
    assert completion.text == "The answer is 42."
    assert completion.finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (20, 4)
    assert completion.usage.cached_tokens == 16
    assert completion.cost == pytest.approx(24 / 1_000_000)
    body = server.bodies[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_streaming_times_the_first_token_and_the_rest(server, make_model):
    server.script({"sse": [chunk({"role": "assistant", "content": "The"}), chunk({"content": " end."}),
                           chunk({}, finish_reason="stop")], "pause": (1, 0.3)})
    completion = await make_model().complete(ask(on_token=lambda _: None))
    timing = completion.timing
    assert completion.text == "The end."
    assert timing.generation_seconds >= 0.25 and 0 <= timing.prompt_seconds < 0.25  # the pause came after a token
    assert timing.prompt_seconds + timing.generation_seconds <= completion.seconds and timing.sample_seconds == 0


async def test_streaming_without_usage_is_estimated(server, make_model):
    server.script({"sse": [chunk({"content": "Some streamed words"}), chunk({}, finish_reason="stop")]})
    completion = await make_model().complete(ask(on_token=lambda _: None))
    assert completion.text == "Some streamed words"
    assert completion.usage.completion_tokens > 0 and completion.usage.prompt_tokens > 0


async def test_stream_cut_after_tokens_fails_without_retry(server, make_model, sleeps):
    server.script({"sse": [chunk({"content": "Half"})], "truncate": 500}, reply("must not be used"))
    tokens: list[str] = []
    with pytest.raises(ModelAPIError):
        await make_model().complete(ask(on_token=tokens.append))
    assert tokens == ["Half"]  # a retry would have shown the tokens twice
    assert len(server.requests) == 1 and sleeps.delays == []


async def test_a_stream_that_falls_into_a_loop_is_stopped_early(server, make_model):
    loop = [chunk({"content": f"Step {i % 2}: the agent can also be used for that. "}) for i in range(400)]
    server.script({"sse": [chunk({"content": '{"thoughts": "'}), *loop, chunk({}, finish_reason="length")]})
    tokens: list[str] = []
    completion = await make_model().complete(ask(on_token=tokens.append))
    assert completion.finish_reason == REPEATING
    assert 1000 <= len(completion.text) < 3000  # stopped within a few chunks of the loop filling the window
    assert len(tokens) < 100


# --- retries and errors ---------------------------------------------------------------------------------


async def test_rate_limit_is_retried_honouring_retry_after(server, make_model, sleeps):
    server.script(error(429, "Rate limit reached", headers={"Retry-After": "3"}), reply("done"))
    completion = await make_model().complete(ask())
    assert completion.text == "done"
    assert len(server.requests) == 2
    assert sleeps.delays == [3.0]


async def test_retry_after_is_capped(server, make_model, sleeps):
    server.script(error(429, "slow down", headers={"Retry-After": "600"}), reply("done"))
    await make_model().complete(ask())
    assert sleeps.delays == [20.0]


async def test_server_errors_exhaust_retries(server, make_model, sleeps):
    server.script(*[error(500, "The server had an error") for _ in range(3)], reply("too late"))
    with pytest.raises(ModelAPIError) as info:
        await make_model(max_retries=2).complete(ask())
    assert "500" in str(info.value) and "The server had an error" in str(info.value)
    assert len(server.requests) == 3  # one try plus two retries
    assert sleeps.delays == [0.5, 1.0]  # exponential backoff


async def test_5xx_then_success_recovers(server, make_model, sleeps):
    server.script(error(503, "overloaded"), error(502, "bad gateway"), reply("finally"))
    assert (await make_model().complete(ask())).text == "finally"
    assert sleeps.delays == [0.5, 1.0]


async def test_unauthorized_fails_at_once_without_leaking_key(server, make_model, sleeps):
    server.script(error(401, f"Incorrect API key provided: {KEY}."), reply())
    with pytest.raises(ModelAPIError) as info:
        await make_model().complete(ask())
    message = str(info.value)
    assert "401" in message and "Incorrect API key provided" in message
    assert KEY not in message
    assert len(server.requests) == 1 and sleeps.delays == []


async def test_connection_refused_is_retried_then_fails(make_model, sleeps):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = make_model(base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(ModelAPIError, match=f"127.0.0.1:{port}"):
        await model.complete(ask())
    assert sleeps.delays == [0.5]


# --- keys, URLs, construction ---------------------------------------------------------------------------


async def test_missing_api_key_for_keyed_provider(server, monkeypatch):
    settings = Settings.load(base_url=server.url)
    model = create_model("deepseek:deepseek-chat", settings)  # constructing works without a key
    assert model.id == "deepseek:deepseek-chat"
    with pytest.raises(ModelUnavailableError, match="DEEPSEEK_API_KEY"):
        await model.complete(ask())
    assert server.requests == []


async def test_provider_key_read_from_its_environment_variable(server, monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-from-env")
    server.script(reply())
    model = create_model("deepseek:deepseek-chat", Settings.load(base_url=server.url))
    try:
        await model.complete(ask())
    finally:
        await model.aclose()
    assert server.requests[0]["headers"]["authorization"] == "Bearer sk-from-env"


async def test_local_provider_needs_no_key(server):
    server.script(reply())
    model = create_model("ollama:qwen2.5-coder:7b", Settings.load(base_url=server.url))
    try:
        await model.complete(ask())
    finally:
        await model.aclose()
    assert server.requests[0]["headers"]["authorization"] == "Bearer not-needed"
    assert server.bodies[0]["model"] == "qwen2.5-coder:7b"


def test_custom_provider_without_base_url_is_unavailable():
    with pytest.raises(ModelUnavailableError, match="AUTOGPT_BASE_URL"):
        OpenAICompatibleModel(PROVIDERS["custom"], "x", settings=Settings.load(), price=(0.0, 0.0))


def test_context_sizes():
    assert context_size_for("gpt-4o-mini") == 128_000
    assert context_size_for("deepseek-chat") == 64_000
    assert context_size_for("qwen-plus") == 32_000
    assert context_size_for("something-else") == 32_768
    model = OpenAICompatibleModel(PROVIDERS["openai"], "gpt-4o", settings=Settings.load(), price=(2.5, 10.0))
    assert model.context_size == 128_000 and model.price == (2.5, 10.0) and model.id == "openai:gpt-4o"


async def test_aclose_is_safe_twice(server, make_model):
    server.script(reply())
    model = make_model()
    await model.complete(ask())
    await model.aclose()
    await model.aclose()
    server.script(reply("again"))  # a later call opens a fresh client
    assert (await model.complete(ask())).text == "again"


# --- the whole agent against an OpenAI-compatible server on 127.0.0.1 --------------------------------------


def test_agent_runs_against_the_api_with_native_tool_calls_and_thoughts(server, tmp_path):
    from autogpt import AutoGPT

    usage = {"prompt_tokens": 1000, "completion_tokens": 100}
    thoughts = '{"thoughts": {"observations": "empty", "plan": [{"task": "Write a.txt", "status": "doing"}], ' \
               '"reasoning": "write it", "criticism": "", "speak": "Writing."}}'
    tool_call = {"index": 0, "id": "c", "type": "function",
                 "function": {"name": "write_file", "arguments": '{"path": "a.txt", "content": "hi"}'}}
    finish = '{"thoughts": {"reasoning": "done"}, "command": {"name": "finish", "args": {"reason": "Wrote a.txt"}}}'
    server.script(  # the agent streams: thoughts as text and a tool call, then a plain JSON reply
        {"status": 200, "sse": [chunk({"role": "assistant", "content": thoughts}), chunk({"tool_calls": [tool_call]}),
                                chunk({}, finish_reason="tool_calls"), chunk(None, usage=usage)]},
        {"status": 200, "sse": [chunk({"role": "assistant", "content": finish}), chunk({}, finish_reason="stop"),
                                chunk(None, usage=usage)]},
    )
    settings = Settings.load(base_url=server.url, api_key=KEY, data_dir=tmp_path / "data",
                             prices={"gpt-4o-mini": (1.0, 2.0)})
    agent = AutoGPT(goals=["Write hi to a.txt"], model="custom:gpt-4o-mini", settings=settings,
                    workspace=tmp_path / "ws")
    result = agent.run()
    assert result.status == "finished" and result.summary == "Wrote a.txt", result.error
    assert (tmp_path / "ws" / "a.txt").read_text() == "hi"
    assert result.history[0].reply.thoughts.plan[0].task == "Write a.txt"  # thoughts kept beside the tool call
    assert result.tokens == 2200
    assert result.cost == pytest.approx(2 * (1000 * 1.0 + 100 * 2.0) / 1_000_000)
    first = server.bodies[0]
    assert {t["function"]["name"] for t in first["tools"]} >= {"write_file", "finish"}
    assert first["messages"][0]["role"] == "system" and "Write hi to a.txt" in first["messages"][0]["content"]
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"
