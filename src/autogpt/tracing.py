"""OpenTelemetry traces of runs (the ``otel`` extra): one trace per run, with a span for each step, model call
and tool call, carrying the GenAI semantic conventions' ``gen_ai.*`` attributes.

    invoke_agent Analyst                  gen_ai.operation.name=invoke_agent, gen_ai.agent.name, gen_ai.conversation.id
      autogpt.step                        autogpt.step.number
        chat qwen2.5-coder-1.5b           gen_ai.request.model, gen_ai.provider.name, gen_ai.usage.input_tokens, ...
        execute_tool write_file           gen_ai.tool.name, gen_ai.tool.type
          invoke_agent Analyst-helper-1   (a delegated helper run, nested)

Off unless configured. Without the opentelemetry packages every call here does nothing. With them, spans go
to the program's tracer provider; the CLI and the servers set one up (:func:`configure_from_env`) from the
standard variables when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) or
``OTEL_TRACES_EXPORTER`` is set: ``OTEL_SERVICE_NAME`` (default ``autogpt``), ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SDK_DISABLED``. The servers continue the trace of an incoming request
(its ``traceparent`` header): the runs it starts are part of the caller's trace. Prompts and replies are not
recorded (they may hold secrets): only names, sizes, token counts and outcomes.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from autogpt._version import __version__
from autogpt.errors import ConfigError

try:
    from opentelemetry import context as _context
    from opentelemetry import propagate as _propagate
    from opentelemetry import trace as _trace
except ImportError:  # the otel extra is not installed: tracing is off
    _trace = None  # type: ignore[assignment]

#: ``gen_ai.provider.name`` by model id prefix (the embedded models have none).
_PROVIDERS = {"gguf": "llama.cpp", "scripted": "scripted", "dashscope": "alibaba_cloud", "qwen": "alibaba_cloud"}


class _NoSpan:
    """What :func:`span` yields when tracing is off."""

    def set_attribute(self, key: str, value: Any) -> None:
        pass

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        pass

    def record_error(self, kind: str, message: str) -> None:
        pass


_NO_SPAN = _NoSpan()
_tracer: Any = None


class _Span:
    def __init__(self, span: Any) -> None:
        self._span = span

    def set_attribute(self, key: str, value: Any) -> None:
        if value is not None:
            self._span.set_attribute(key, value)

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        for key, value in attributes.items():
            self.set_attribute(key, value)

    def record_error(self, kind: str, message: str) -> None:
        """The operation failed (not an exception of ours: a tool's error, a run that did not finish)."""
        from opentelemetry.trace import Status, StatusCode

        self._span.set_attribute("error.type", kind)
        self._span.set_status(Status(StatusCode.ERROR, message[:500]))


@contextlib.contextmanager
def span(name: str, attributes: dict[str, Any] | None = None, *, client: bool = False) -> Iterator[Any]:
    """A span around a block (current inside it); a no-op when tracing is off."""
    if _trace is None:
        yield _NO_SPAN
        return
    global _tracer
    if _tracer is None:  # a proxy until a provider is set, then the provider's: made once, not per span
        _tracer = _trace.get_tracer("autogpt", __version__)
    kind = _trace.SpanKind.CLIENT if client else _trace.SpanKind.INTERNAL
    attrs = {k: v for k, v in (attributes or {}).items() if v is not None}
    with _tracer.start_as_current_span(name, kind=kind, attributes=attrs) as current:
        yield _Span(current)


def model_attributes(model_id: str) -> dict[str, str]:
    """``gen_ai.provider.name`` and ``gen_ai.request.model`` of a model id (``deepseek:deepseek-chat``)."""
    prefix, _, name = model_id.partition(":")
    if not name:  # an embedded model (llama.cpp in-process), or the test utility's scripted one
        return {"gen_ai.provider.name": "scripted" if model_id.startswith("scripted") else "llama.cpp",
                "gen_ai.request.model": model_id}
    return {"gen_ai.provider.name": _PROVIDERS.get(prefix, prefix), "gen_ai.request.model": name}


def configure_from_env() -> bool:
    """Set up exporting from the standard ``OTEL_*`` variables, once, unless the program set up its own tracer
    provider. True when spans will now be exported."""
    if _trace is None:
        if _asked_for():
            raise ConfigError("Tracing was asked for (OTEL_* variables are set) but the otel extra is missing: "
                              "pip install 'autogpt[otel]'.")
        return False
    if not _asked_for() or not isinstance(_trace.get_tracer_provider(), _trace.ProxyTracerProvider):
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError:
        raise ConfigError("Tracing was asked for (OTEL_* variables are set) but the OpenTelemetry SDK is missing: "
                          "pip install 'autogpt[otel]'.") from None
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME")
                                                        or "autogpt", "service.version": __version__}))
    for name in (os.environ.get("OTEL_TRACES_EXPORTER") or "otlp").lower().split(","):
        name = name.strip()
        if name == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
        elif name == "otlp":
            provider.add_span_processor(BatchSpanProcessor(_otlp_exporter()))
        elif name != "none":
            raise ConfigError(f"OTEL_TRACES_EXPORTER={name!r} is not supported here: use otlp, console or none.")
    _trace.set_tracer_provider(provider)
    atexit.register(provider.shutdown)  # the last spans are sent before the process ends
    return True


def _asked_for() -> bool:
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(exporter or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _otlp_exporter() -> Any:
    protocol = (os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
                or "http/protobuf").strip()
    if protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise ConfigError("OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs opentelemetry-exporter-otlp-proto-grpc; "
                              "or use http/protobuf (the default).") from None
        return OTLPSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HTTPExporter
    except ImportError:
        raise ConfigError("OTLP export needs opentelemetry-exporter-otlp-proto-http: "
                          "pip install 'autogpt[otel]'.") from None
    return HTTPExporter()


class TraceContextMiddleware:
    """ASGI middleware: a request's ``traceparent``/``tracestate`` headers become the current context while it
    is handled, so the runs it starts continue the caller's trace."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if _trace is None or scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])
                   if k in (b"traceparent", b"tracestate", b"baggage")}
        if not carrier:
            await self.app(scope, receive, send)
            return
        token = _context.attach(_propagate.extract(carrier))
        try:
            await self.app(scope, receive, send)
        finally:
            _context.detach(token)


__all__ = ["TraceContextMiddleware", "configure_from_env", "model_attributes", "span"]
