"""OpenTelemetry: spans of a run (the SDK's in-memory exporter), the trace context the server takes from a
request, and export over OTLP/HTTP to a collector the test starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402
from opentelemetry.trace import StatusCode  # noqa: E402

from autogpt import AutoGPT, Settings  # noqa: E402
from autogpt.testing import ScriptedModel, reply  # noqa: E402

EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans():
    """The spans this test made (one tracer provider for the whole session: OpenTelemetry allows one)."""
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def by_name(finished, name):
    return [s for s in finished if s.name == name]


def test_a_run_is_one_trace_of_steps_model_calls_and_tool_calls(spans, tmp_path):
    model = ScriptedModel([reply("read_file", path="missing.txt"), reply("write_file", path="a.txt", content="hi"),
                           reply("finish", reason="Wrote a.txt.")])
    result = AutoGPT("Scribe", "a writer", ["Write hi to a.txt"], model=model, workspace=tmp_path / "ws").run()
    finished = spans.get_finished_spans()
    (run,) = by_name(finished, "invoke_agent Scribe")
    assert {s.context.trace_id for s in finished} == {run.context.trace_id}
    assert run.parent is None
    assert run.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert run.attributes["gen_ai.agent.name"] == "Scribe"
    assert run.attributes["gen_ai.conversation.id"] == result.run_id
    assert run.attributes["autogpt.run.status"] == "finished"
    steps = by_name(finished, "autogpt.step")
    assert [s.attributes["autogpt.step.number"] for s in steps] == [1, 2, 3]
    assert all(s.parent.span_id == run.context.span_id for s in steps)
    chats = by_name(finished, "chat scripted")
    assert len(chats) == 3
    for chat, step in zip(chats, steps, strict=True):
        assert chat.parent.span_id == step.context.span_id
        assert chat.kind == trace.SpanKind.CLIENT
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.provider.name"] == "scripted"
        assert chat.attributes["gen_ai.usage.input_tokens"] > 0 and chat.attributes["gen_ai.usage.output_tokens"] > 0
    (failed,) = by_name(finished, "execute_tool read_file")
    assert failed.status.status_code == StatusCode.ERROR and failed.attributes["error.type"] == "tool_error"
    (wrote,) = by_name(finished, "execute_tool write_file")
    assert wrote.attributes["gen_ai.tool.name"] == "write_file" and wrote.status.status_code != StatusCode.ERROR
    assert wrote.parent.span_id == steps[1].context.span_id
    assert not [s for s in finished if "hi" in json.dumps(dict(s.attributes or {}))]  # no prompt or file text


def test_a_helper_run_is_nested_in_the_delegate_call(spans, tmp_path):
    model = ScriptedModel([reply("delegate", goal="Write hi to hi.txt"), reply("write_file", path="hi.txt", content="x"),
                           reply("finish", reason="Wrote."), reply("finish", reason="Done.")])
    AutoGPT(goals=["Get it written"], model=model, workspace=tmp_path / "ws",
            settings=Settings.load(delegate_depth=1)).run()
    finished = spans.get_finished_spans()
    (delegate,) = by_name(finished, "execute_tool delegate")
    (helper,) = by_name(finished, "invoke_agent AutoGPT-helper-1")
    assert helper.parent.span_id == delegate.context.span_id
    assert helper.context.trace_id == delegate.context.trace_id


def test_the_server_continues_the_callers_trace(spans, tmp_path):
    from autogpt.server.app import create_app
    from live_server import LiveServer, ScriptedTasks

    tasks = ScriptedTasks()
    tasks.models.append(ScriptedModel([reply("write_file", path="a.txt", content="a"), reply("finish", reason="ok")]))
    server = LiveServer(create_app(Settings.load(data_dir=tmp_path / "data"), model_factory=tasks))
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    try:
        created = server.http.post("/ap/v1/agent/tasks", json={"input": "Write a to a.txt",
                                                               "additional_input": {"continuous": True}},
                                   headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
        assert created.status_code == 200, created.text
        task_id = created.json()["task_id"]
        for _ in range(200):
            if server.http.get(f"/ap/v1/agent/tasks/{task_id}").json()["status"] == "finished":
                break
            threading.Event().wait(0.05)
    finally:
        server.close()
    (run,) = by_name(spans.get_finished_spans(), "invoke_agent AutoGPT")
    assert format(run.context.trace_id, "032x") == trace_id
    assert format(run.parent.span_id, "016x") == parent_id and run.parent.is_remote


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP collector: keeps the bodies POSTed to /v1/traces."""

    bodies: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the handler's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/v1/traces":
            Collector.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_cli_run_exports_its_trace_to_an_otlp_collector(tmp_path):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    Collector.bodies = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    script = tmp_path / "script.json"
    script.write_text(json.dumps([reply("write_file", path="a.txt", content="a"), reply("finish", reason="ok")]))
    env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{httpd.server_port}",
           "OTEL_SERVICE_NAME": "autogpt-test"}
    try:
        proc = subprocess.run([sys.executable, "-m", "autogpt", "run", "--continuous", "--json", "-g", "Write a",
                               "-w", str(tmp_path / "ws"), "--model", f"scripted:{script}"],
                              capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    finally:
        httpd.shutdown()
    assert proc.returncode == 0, proc.stderr[-2000:]
    names, services = [], set()
    for body in Collector.bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            services |= {a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"}
            for scope in resource_spans.scope_spans:
                names += [s.name for s in scope.spans]
    assert services == {"autogpt-test"}
    assert "invoke_agent AutoGPT" in names and "execute_tool write_file" in names
    assert any(name.startswith("chat ") for name in names)
    assert names.count("autogpt.step") == 2


def test_tracing_is_off_unless_configured_and_bad_settings_are_clear(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    code = ("from autogpt import tracing; from opentelemetry import trace; "
            "print(tracing.configure_from_env(), type(trace.get_tracer_provider()).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.split() == ["False", "ProxyTracerProvider"]
    disabled = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_SDK_DISABLED": "true"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=disabled, timeout=60)
    assert out.stdout.split()[0] == "False"
    bad = subprocess.run([sys.executable, "-m", "autogpt", "list"], capture_output=True, text=True, timeout=60,
                         env={**env, "OTEL_TRACES_EXPORTER": "zipkin"}, cwd=Path(tmp_path))
    assert bad.returncode == 2 and "OTEL_TRACES_EXPORTER='zipkin'" in bad.stderr and "Traceback" not in bad.stderr


def test_spans_are_no_ops_without_opentelemetry(tmp_path):
    code = ("import sys; sys.modules['opentelemetry'] = None\n"
            "from autogpt import tracing\n"
            "with tracing.span('x', {'a': 1}) as s:\n    s.set_attribute('b', 2); s.record_error('e', 'm')\n"
            "print(tracing.configure_from_env())")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    asked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           env={**env, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    assert "pip install 'autogpt[otel]'" in asked.stderr
